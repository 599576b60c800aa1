// Text that a file, a certificate or a server controls, made visible before a person reads it.
// Control characters can rewrite a terminal (ESC sequences set the window title, clear the screen,
// recolour text) and bidirectional controls reorder what follows them, so `evil\u202Egpj.exe`
// reads as `evilexe.jpg`: a spoofed certificate name could hide. Each such character is shown as
// an escape (`\x1b`, `\u202e`) instead, in the CLI and in the window alike.

/**
 * C0 and C1 controls and DEL, the bidi embeddings, overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069), the directional marks (U+200E, U+200F) and the Arabic letter mark (U+061C).
 */
const hidden = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

/** The same set, less the line structure a multi-line output needs: newline, tab and CRLF. */
const hiddenExceptLayout = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/g;

function escape(char: string): string {
  const code = char.charCodeAt(0);
  return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** One value (a name, a CN, a file name, a cloud's message) with every hidden character shown. */
export function printable(text: string): string {
  return text.replace(hidden, escape);
}

/** A whole block of output: hidden characters shown, its own lines and tabs kept. */
export function printableLines(text: string): string {
  return text.replace(hiddenExceptLayout, escape);
}
