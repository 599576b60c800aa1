import { describe, expect, it } from 'vitest';
import type { FormField } from '../../../shared/uploads';
import { displayValue, parseInput, summaryValue, tagsToText, textToTags } from '../../../renderer/src/routes/uploads/option-values';

// What a cloud option's input shows and what it sends back (renderer code, no DOM needed).

function field(kind: FormField['kind']): FormField {
  return { key: 'option', kind, label: { en: 'Option', 'zh-CN': '选项' } };
}

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBroot\nAAAA\n-----END CERTIFICATE-----\n';

describe('option values in the upload and account forms', () => {
  it('keep the line breaks of a multi-line value (a pasted PEM), both ways', () => {
    expect(parseInput(field('multiline'), PEM)).toBe(PEM);
    expect(displayValue(field('multiline'), PEM)).toBe(PEM);
  });

  it('sum a multi-line value up by its first line where there is room for one line only', () => {
    expect(summaryValue(field('multiline'), PEM)).toBe('-----BEGIN CERTIFICATE----- …');
    expect(summaryValue(field('multiline'), '\n  one line  \n')).toBe('one line');
    expect(summaryValue(field('multiline'), undefined)).toBe('');
    expect(summaryValue(field('tags'), [{ key: 'env', value: 'prod' }])).toBe('env=prod');
  });

  it('send text as typed: the cloud schema trims it and names what is wrong', () => {
    expect(parseInput(field('text'), '  my cert ')).toBe('  my cert ');
    expect(parseInput(field('text'), '')).toBe('');
  });

  it('read whole numbers, leave an empty number unset, and pass anything else on for the schema to refuse', () => {
    expect(parseInput(field('number'), ' 42 ')).toBe(42);
    expect(parseInput(field('number'), '0')).toBe(0);
    expect(parseInput(field('number'), '')).toBeUndefined();
    expect(parseInput(field('number'), '4x')).toBe('4x');
  });

  it('leave a choice unset when "(not set)" is picked', () => {
    expect(parseInput(field('choice'), '')).toBeUndefined();
    expect(parseInput(field('choice'), 'CDN')).toBe('CDN');
  });

  it('read tags as key=value pairs separated by commas, and print them the same way', () => {
    const tags = parseInput(field('tags'), ' env = prod, team=web,, solo ,url=a=b');
    expect(tags).toEqual([
      { key: 'env', value: 'prod' },
      { key: 'team', value: 'web' },
      { key: 'solo', value: '' },
      { key: 'url', value: 'a=b' },
    ]);
    expect(displayValue(field('tags'), tags)).toBe('env=prod, team=web, solo, url=a=b');
    expect(textToTags(tagsToText(tags))).toEqual(tags);
    expect(parseInput(field('tags'), '  ')).toEqual([]);
  });

  it('show nothing for an unset value and ignore what is not a tag list', () => {
    for (const kind of ['text', 'multiline', 'number', 'choice', 'tags'] as const) {
      expect(displayValue(field(kind), undefined)).toBe('');
      expect(displayValue(field(kind), null)).toBe('');
    }
    expect(displayValue(field('number'), 7)).toBe('7');
    expect(tagsToText('env=prod')).toBe('');
    expect(tagsToText([{ key: 'env', value: 'prod' }, 'junk', { key: 1 }])).toBe('env=prod');
  });
});
