// How the clouds speak to users: Chinese text punctuated as Chinese, and pre-flight messages that
// make sense wherever they show (an upload of a library entry, and `certvault inspect` of loose files).
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { providers } from '../../../main/clouds/registry';
import type { AccountConfig } from '../../../main/clouds/provider';
import { leafInfo, material } from './http-fake';

const CLOUDS_DIR = path.join(__dirname, '../../../main/clouds');
const CJK = '\\u3400-\\u4dbf\\u4e00-\\u9fff';
/** ASCII `,` `:` `(` `;` `)` touching a Chinese character: should be `，` `：` `（` `；` `）`. */
const ASCII_BESIDE_CJK = new RegExp(`[${CJK}][,:;()]|[,:;()][${CJK}]`);

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith('.ts') ? [full] : [];
  });
}

/**
 * Every string and template literal of main/clouds written in Chinese: hints, labels, help, display
 * names, validation messages, wherever a future one is added. A literal counts as Chinese when it
 * has Chinese characters outside parentheses, so an English sentence glossing a term ("SM2 (国密)")
 * is left alone. `${...}` parts are code and are dropped.
 */
function chineseLiterals(): { file: string; text: string }[] {
  const found: { file: string; text: string }[] = [];
  for (const file of sourceFiles(CLOUDS_DIR)) {
    const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
    const visit = (node: ts.Node): void => {
      if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node)) {
        const text = node.getText(source).replace(/\$\{[^}]*\}/g, '');
        if (new RegExp(`[${CJK}]`).test(text.replace(/\([^()]*\)/g, ''))) found.push({ file: path.relative(CLOUDS_DIR, file), text });
        return;
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return found;
}

function zhStringsOf(provider: (typeof providers)[keyof typeof providers]): string[] {
  const fields = [...provider.optionFields, ...provider.accountFields];
  return [provider.displayName['zh-CN'], ...fields.flatMap((field) => [field.label['zh-CN'], field.help?.['zh-CN'] ?? ''])];
}

const account = (cloud: AccountConfig['cloud']): AccountConfig => ({ cloud, region: 'cn-north-4', endpoint: null, fields: {} });

describe('Chinese wording', () => {
  it('uses full-width punctuation inside every Chinese string of the clouds', () => {
    const literals = chineseLiterals();
    expect(literals.length).toBeGreaterThan(100);
    expect(literals.filter(({ text }) => ASCII_BESIDE_CJK.test(text))).toEqual([]);
  });

  it('does so in what each provider shows: names, form labels and help, validation messages', () => {
    for (const provider of Object.values(providers)) {
      const keyless = material({ privateKeyPem: null, leaf: leafInfo({ keyAlgorithm: 'SM2' }) });
      const issues = provider.validate(keyless, provider.defaultOptions(keyless, account(provider.id)), account(provider.id));
      expect(issues.length).toBeGreaterThan(0);
      const shown = [...zhStringsOf(provider), ...issues.map((issue) => issue.message['zh-CN'])];
      expect(shown.filter((text) => ASCII_BESIDE_CJK.test(text)), provider.id).toEqual([]);
    }
  });
});

describe('pre-flight messages', () => {
  it('say what is missing without assuming a library entry (inspect of loose files shows them too)', () => {
    for (const provider of Object.values(providers)) {
      const cases = [material({ privateKeyPem: null }), material({ leaf: leafInfo({ keyAlgorithm: 'SM2' }), sm2Sign: null })];
      for (const given of cases) {
        for (const issue of provider.validate(given, provider.defaultOptions(given, account(provider.id)), account(provider.id))) {
          expect(issue.message.en, `${provider.id} ${issue.field}`).not.toMatch(/\bentry\b/i);
          expect(issue.message['zh-CN'], `${provider.id} ${issue.field}`).not.toContain('条目');
        }
      }
      const keyIssue = provider.validate(cases[0]!, provider.defaultOptions(cases[0]!, account(provider.id)), account(provider.id)).find((issue) => issue.field === 'privateKey');
      expect(keyIssue?.message.en, provider.id).toMatch(/none was given\.$/);
    }
  });
});
