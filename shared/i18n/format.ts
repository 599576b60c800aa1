import type { ErrorParams } from '../errors';

/** Fills `{name}` placeholders; an unknown placeholder is left visible rather than silently dropped. */
export function formatMessage(template: string, params: ErrorParams = {}): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) =>
    Object.hasOwn(params, name) ? String(params[name]) : whole,
  );
}
