// Inputs to a hash or to HPKE's `info` are several strings and byte strings; joining them with a
// separator would let ("ab", "c") and ("a", "bc") collide. Every field is written as a 4-byte
// big-endian length followed by its bytes, after a label that names the purpose and its version,
// so a value computed for one purpose can never be valid input for another.

export function lengthPrefixed(label: string, fields: readonly (string | Buffer)[]): Buffer {
  const parts: Buffer[] = [];
  for (const field of [label, ...fields]) {
    const bytes = typeof field === 'string' ? Buffer.from(field, 'utf8') : field;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(bytes.length);
    parts.push(length, bytes);
  }
  return Buffer.concat(parts);
}
