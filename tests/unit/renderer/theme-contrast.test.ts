import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

// The colour tokens in renderer/src/app.css against WCAG 2.1 AA: every text colour at 4.5:1 on
// every surface it is drawn on, in both themes, and the focus ring at 3:1 (non-text contrast).
// axe checks the screens it is shown; this checks the pairs a screen could combine tomorrow.

const css = fs.readFileSync(path.resolve(__dirname, '../../../renderer/src/app.css'), 'utf8');

function tokensIn(selector: string): Record<string, string> {
  const start = css.indexOf(`${selector} {`);
  if (start < 0) throw new Error(`app.css has no ${selector} block`);
  const block = css.slice(start, css.indexOf('\n}', start));
  return Object.fromEntries([...block.matchAll(/(--[\w-]+):\s*(#[0-9a-f]{6});/gi)].map((match) => [match[1]!, match[2]!]));
}

const light = tokensIn(':root');
const themes = { light, dark: { ...light, ...tokensIn(":root[data-theme='dark']") } };

/** WCAG 2.1 relative luminance of an sRGB #rrggbb colour. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((at) => {
    const channel = parseInt(hex.slice(at, at + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  }) as [number, number, number];
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

function contrast(a: string, b: string): number {
  const [lighter, darker] = [luminance(a), luminance(b)].sort((x, y) => y - x) as [number, number];
  return (lighter + 0.05) / (darker + 0.05);
}

const textTokens = ['--text', '--text-muted', '--text-faint', '--accent', '--success', '--warning', '--danger', '--info'];
/** Page, card, dialog footer and inputs, hovered row, selected row. */
const surfaces = ['--bg', '--surface', '--surface-2', '--surface-hover', '--accent-weak'];
const pairs: [text: string, background: string, minimum: number][] = [
  ...textTokens.flatMap((text) => surfaces.map((surface): [string, string, number] => [text, surface, 4.5])),
  // Status text on its own tint (badges, banners) and the filled buttons' labels.
  ...['--success', '--warning', '--danger', '--info'].map((status): [string, string, number] => [status, `${status}-weak`, 4.5]),
  ['--accent-text', '--accent', 4.5],
  ['--surface', '--danger', 4.5],
  ['--focus', '--bg', 3],
  ['--focus', '--surface', 3],
];

describe('theme contrast', () => {
  it('reads every token the table names in both themes', () => {
    for (const tokens of Object.values(themes)) {
      for (const [text, background] of pairs) {
        expect(tokens[text], text).toMatch(/^#[0-9a-f]{6}$/i);
        expect(tokens[background], background).toMatch(/^#[0-9a-f]{6}$/i);
      }
    }
  });

  it('computes the WCAG ratio', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrast('#7d8592', '#ffffff')).toBeCloseTo(3.72, 2);
  });

  for (const [theme, tokens] of Object.entries(themes)) {
    it(`${theme}: every text colour meets AA on every surface`, () => {
      const failing = pairs
        .map(([text, background, minimum]) => ({ text, background, minimum, ratio: contrast(tokens[text]!, tokens[background]!) }))
        .filter(({ ratio, minimum }) => ratio < minimum)
        .map(({ text, background, minimum, ratio }) => `${text} on ${background}: ${ratio.toFixed(2)}:1 < ${minimum}:1`);
      expect(failing).toEqual([]);
    });
  }
});
