// Distinguished names as people read them. Main formats names with RFC 4514 escaping
// (`O=Example Co.\, Ltd.`), which is right for copying into openssl or a config file but reads
// as noise; the UI shows the values unescaped and keeps the escaped text for "copy".

const HEX_PAIR = /^[0-9a-fA-F]{2}$/;

/**
 * `CN=a\, b, O=x\+y` -> `CN=a, b, O=x+y`. Hex escapes of control characters stay escaped: once
 * unescaped they would be invisible (or act on the text around them).
 */
export function dnForDisplay(dn: string): string {
  let out = '';
  for (let i = 0; i < dn.length; i += 1) {
    const char = dn[i]!;
    if (char !== '\\' || i === dn.length - 1) {
      out += char;
      continue;
    }
    const pair = dn.slice(i + 1, i + 3);
    if (HEX_PAIR.test(pair) && parseInt(pair, 16) < 0x20) {
      out += `\\${pair}`;
      i += 2;
    } else {
      out += dn[i + 1];
      i += 1;
    }
  }
  return out;
}
