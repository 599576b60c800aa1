import { printable, printableLines } from '../../shared/printable';
import type { CliIo } from './command';

// How every command prints. All output goes through `terminalIo` (run.ts wraps the io once, before
// any command sees it), so no text a file, a certificate or a cloud controls reaches the terminal
// raw, whatever a command forgets. `--json` is one compact line (JSON Lines), indented with --pretty.

/**
 * The io every command writes through: text has its control and bidi characters shown as escapes
 * (lines and tabs kept); bytes (a DER export to `--out -`) are the payload itself and pass as they are.
 */
export function terminalIo(io: CliIo): CliIo {
  return {
    ...io,
    stdout: (output) => io.stdout(typeof output === 'string' ? printableLines(output) : output),
    stderr: (text) => io.stderr(printableLines(text)),
    ...(io.askLine ? { askLine: (prompt: string) => io.askLine!(printableLines(prompt)) } : {}),
  };
}

/**
 * JSON.stringify escapes C0 controls but writes C1 controls (U+009B is a CSI to some terminals) and
 * bidi controls as they are. They only occur inside strings, where `\uXXXX` is the same value: a
 * script reads exactly the certificate's text, a terminal shows the escape.
 */
const rawInJson = /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g;

/** One JSON document on its own line, as `--json` promises scripts; indented with `--pretty`. */
export function jsonDocument(value: unknown, pretty = false): string {
  const json = JSON.stringify(value, null, pretty ? 2 : undefined).replace(rawInJson, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return `${json}\n`;
}

/** Columns padded to their widest cell, two spaces apart; the last column is not padded. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const safeRows = rows.map((row) => row.map(printable));
  const widths = header.map((title, i) => Math.max(displayWidth(title), ...safeRows.map((row) => displayWidth(row[i] ?? ''))));
  return `${[header, ...safeRows].map((row) => row.map((cell, i) => (i === row.length - 1 ? cell : padEnd(cell, widths[i] ?? 0))).join('  ').trimEnd()).join('\n')}\n`;
}

/** `text` padded with spaces to `width` terminal columns (CJK characters take two). */
export function padEnd(text: string, width: number): string {
  return text + ' '.repeat(Math.max(0, width - displayWidth(text)));
}

/** Terminal columns `text` takes: East Asian wide and fullwidth characters count twice. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += isWide(char.codePointAt(0) ?? 0) ? 2 : 1;
  return width;
}

function isWide(code: number): boolean {
  return (
    (code >= 0x1100 && code <= 0x115f) || // Hangul Jamo
    (code >= 0x2e80 && code <= 0x303e) || // CJK radicals, punctuation
    (code >= 0x3041 && code <= 0x33ff) || // kana, CJK symbols
    (code >= 0x3400 && code <= 0x4dbf) || // CJK extension A
    (code >= 0x4e00 && code <= 0x9fff) || // CJK unified ideographs
    (code >= 0xa000 && code <= 0xa4cf) || // Yi
    (code >= 0xac00 && code <= 0xd7a3) || // Hangul syllables
    (code >= 0xf900 && code <= 0xfaff) || // CJK compatibility ideographs
    (code >= 0xfe30 && code <= 0xfe4f) || // CJK compatibility forms
    (code >= 0xff00 && code <= 0xff60) || // fullwidth forms
    (code >= 0xffe0 && code <= 0xffe6) ||
    (code >= 0x20000 && code <= 0x3fffd) // CJK extensions B and later
  );
}
