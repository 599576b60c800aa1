import type { FormField } from '../../../../shared/uploads';

// Between a cloud option's value (what main validates) and what its input shows. Tags are
// `key=value` pairs separated by commas, the way the clouds' consoles print them; a number that
// does not parse is sent as typed so the cloud's schema names the field that is wrong.

export interface Tag {
  readonly key: string;
  readonly value: string;
}

function isTag(value: unknown): value is Tag {
  return typeof value === 'object' && value !== null && typeof (value as Tag).key === 'string' && typeof (value as Tag).value === 'string';
}

export function tagsToText(value: unknown): string {
  if (!Array.isArray(value)) return '';
  return value.filter(isTag).map((tag) => (tag.value === '' ? tag.key : `${tag.key}=${tag.value}`)).join(', ');
}

export function textToTags(text: string): Tag[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const at = part.indexOf('=');
      return at < 0 ? { key: part, value: '' } : { key: part.slice(0, at).trim(), value: part.slice(at + 1).trim() };
    });
}

/** What the field's input shows for `value`. */
export function displayValue(field: FormField, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (field.kind === 'tags') return tagsToText(value);
  return String(value);
}

/** One line for a summary (the account card): a multi-line value (a PEM) shows its first line. */
export function summaryValue(field: FormField, value: unknown): string {
  const shown = displayValue(field, value);
  if (field.kind !== 'multiline') return shown;
  const lines = shown
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '');
  return lines.length > 1 ? `${lines[0]} …` : (lines[0] ?? '');
}

/** The option value for what was typed; undefined for an empty optional input. */
export function parseInput(field: FormField, text: string): unknown {
  const trimmed = text.trim();
  switch (field.kind) {
    case 'tags':
      return textToTags(text);
    case 'number': {
      if (trimmed === '') return undefined;
      const number = Number(trimmed);
      return Number.isFinite(number) ? number : trimmed;
    }
    case 'choice':
      return trimmed === '' ? undefined : trimmed;
    default:
      return text;
  }
}
