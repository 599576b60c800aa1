// A small, strict-enough ASN.1 DER reader (and the few writers key normalisation needs).
// Certificates are parsed with this instead of a schema library because inspection has a
// throughput target (bench/inspect.ts) that schema-driven parsing misses by a factor of four.
// Indefinite lengths (BER) are accepted because Windows exports PKCS#7 that way.

export const Tag = {
  Boolean: 0x01,
  Integer: 0x02,
  BitString: 0x03,
  OctetString: 0x04,
  Null: 0x05,
  Oid: 0x06,
  Utf8String: 0x0c,
  Sequence: 0x30,
  Set: 0x31,
  PrintableString: 0x13,
  T61String: 0x14,
  Ia5String: 0x16,
  UtcTime: 0x17,
  GeneralizedTime: 0x18,
  VisibleString: 0x1a,
  UniversalString: 0x1c,
  BmpString: 0x1e,
  NumericString: 0x12,
} as const;

/** Thrown for malformed DER; callers turn it into a VaultError naming the file. */
export class DerError extends Error {
  constructor(
    readonly offset: number,
    reason: string,
  ) {
    super(`${reason} at byte ${offset}`);
    this.name = 'DerError';
  }
}

/** One tag-length-value: `bytes.subarray(contentStart, contentEnd)` is the value. */
export interface Tlv {
  readonly tag: number;
  readonly start: number;
  readonly contentStart: number;
  readonly contentEnd: number;
  /** End of the whole element (after the end-of-contents octets when the length was indefinite). */
  readonly end: number;
}

const MAX_DEPTH = 48;

export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length, depth = 0): Tlv {
  if (offset + 2 > limit) throw new DerError(offset, 'truncated element');
  const tag = bytes[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(offset, 'multi-byte tags are not used in certificates');
  let pos = offset + 1;
  const first = bytes[pos++]!;
  if (first === 0x80) return readIndefinite(bytes, offset, tag, pos, limit, depth);
  let length = first;
  if (first & 0x80) {
    const count = first & 0x7f;
    if (count > 4) throw new DerError(offset + 1, 'length too long');
    if (pos + count > limit) throw new DerError(offset + 1, 'truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[pos++]!;
  }
  const contentEnd = pos + length;
  if (contentEnd > limit) throw new DerError(offset, 'element runs past its container');
  return { tag, start: offset, contentStart: pos, contentEnd, end: contentEnd };
}

function readIndefinite(bytes: Uint8Array, offset: number, tag: number, contentStart: number, limit: number, depth: number): Tlv {
  if ((tag & 0x20) === 0) throw new DerError(offset, 'indefinite length on a primitive element');
  if (depth >= MAX_DEPTH) throw new DerError(offset, 'nesting too deep');
  let pos = contentStart;
  for (;;) {
    if (pos + 2 > limit) throw new DerError(offset, 'missing end-of-contents');
    if (bytes[pos] === 0 && bytes[pos + 1] === 0) return { tag, start: offset, contentStart, contentEnd: pos, end: pos + 2 };
    pos = readTlv(bytes, pos, limit, depth + 1).end;
  }
}

/** The elements directly inside a constructed element. */
export function children(bytes: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  let pos = parent.contentStart;
  while (pos < parent.contentEnd) {
    const child = readTlv(bytes, pos, parent.contentEnd);
    out.push(child);
    pos = child.end;
  }
  return out;
}

/** Reads the single top-level element and insists nothing follows it. */
export function readRoot(bytes: Uint8Array): Tlv {
  const root = readTlv(bytes, 0);
  if (root.end !== bytes.length) throw new DerError(root.end, 'trailing data after the element');
  return root;
}

export function expectTag(tlv: Tlv | undefined, tag: number, what: string): Tlv {
  if (!tlv) throw new DerError(0, `${what} is missing`);
  if (tlv.tag !== tag) throw new DerError(tlv.start, `${what} has tag 0x${tlv.tag.toString(16)}, expected 0x${tag.toString(16)}`);
  return tlv;
}

export function content(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.contentStart, tlv.contentEnd);
}

export function whole(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  return bytes.subarray(tlv.start, tlv.end);
}

export function readOid(bytes: Uint8Array, tlv: Tlv): string {
  expectTag(tlv, Tag.Oid, 'object identifier');
  const parts: number[] = [];
  let value = 0;
  for (let i = tlv.contentStart; i < tlv.contentEnd; i++) {
    const b = bytes[i]!;
    value = value * 128 + (b & 0x7f);
    if (value > Number.MAX_SAFE_INTEGER / 128) throw new DerError(i, 'object identifier arc too large');
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else parts.push(value);
      value = 0;
    }
  }
  if (parts.length === 0) throw new DerError(tlv.start, 'empty object identifier');
  return parts.join('.');
}

/** A Buffer over the same memory (Buffer.from(uint8array) would copy it). */
export function view(bytes: Uint8Array): Buffer {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

const HEX: string[] = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]!];
  return out;
}

export function fromHex(hex: string): Uint8Array {
  return Buffer.from(hex, 'hex');
}

/** An INTEGER's magnitude as lowercase hex without leading zeros ("0" for zero). */
export function integerHex(bytes: Uint8Array, tlv: Tlv): string {
  expectTag(tlv, Tag.Integer, 'integer');
  const hex = toHex(content(bytes, tlv)).replace(/^0+/, '');
  return hex === '' ? '0' : hex;
}

export function readSmallInteger(bytes: Uint8Array, tlv: Tlv): number {
  expectTag(tlv, Tag.Integer, 'integer');
  if (tlv.contentEnd - tlv.contentStart > 6) throw new DerError(tlv.start, 'integer too large');
  let value = 0;
  for (let i = tlv.contentStart; i < tlv.contentEnd; i++) value = value * 256 + bytes[i]!;
  return value;
}

/** The bits of a BIT STRING, without the leading unused-bits octet. */
export function bitStringBytes(bytes: Uint8Array, tlv: Tlv): Uint8Array {
  expectTag(tlv, Tag.BitString, 'bit string');
  if (tlv.contentEnd <= tlv.contentStart) throw new DerError(tlv.start, 'empty bit string');
  return bytes.subarray(tlv.contentStart + 1, tlv.contentEnd);
}

/** Decodes the string types found in names and GeneralNames. */
export function readString(bytes: Uint8Array, tlv: Tlv): string {
  const value = content(bytes, tlv);
  switch (tlv.tag) {
    case Tag.Utf8String:
      return view(value).toString('utf8');
    case Tag.BmpString:
      return decodeUtf16Be(value);
    case Tag.UniversalString:
      return decodeUtf32Be(value);
    case Tag.T61String:
      return view(value).toString('latin1');
    default:
      // PrintableString, IA5String, VisibleString, NumericString and implicitly tagged IA5 GeneralNames.
      return view(value).toString('latin1');
  }
}

function decodeUtf16Be(value: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < value.length; i += 2) out += String.fromCharCode((value[i]! << 8) | value[i + 1]!);
  return out;
}

function decodeUtf32Be(value: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 3 < value.length; i += 4) {
    const cp = ((value[i]! << 24) | (value[i + 1]! << 16) | (value[i + 2]! << 8) | value[i + 3]!) >>> 0;
    out += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
  }
  return out;
}

/** UTCTime or GeneralizedTime as a Date (RFC 5280 §4.1.2.5: UTCTime years 50-99 are 19xx). */
export function readTime(bytes: Uint8Array, tlv: Tlv): Date {
  const text = view(content(bytes, tlv)).toString('latin1');
  const match =
    tlv.tag === Tag.UtcTime
      ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/.exec(text)
      : tlv.tag === Tag.GeneralizedTime
        ? /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?(?:\.\d+)?Z$/.exec(text)
        : null;
  if (!match) throw new DerError(tlv.start, 'invalid time');
  let year = Number(match[1]);
  if (tlv.tag === Tag.UtcTime) year += year < 50 ? 2000 : 1900;
  const date = new Date(
    Date.UTC(year, Number(match[2]) - 1, Number(match[3]), Number(match[4]), Number(match[5]), Number(match[6] ?? 0)),
  );
  if (Number.isNaN(date.getTime())) throw new DerError(tlv.start, 'invalid time');
  return date;
}

// ---- writers (only what building PKCS#8 from SEC1 needs) ----

function encodeLength(length: number): Uint8Array {
  if (length < 0x80) return Uint8Array.of(length);
  const out: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) out.unshift(n & 0xff);
  return Uint8Array.of(0x80 | out.length, ...out);
}

export function encode(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  return Buffer.concat([Uint8Array.of(tag), encodeLength(body.length), body]);
}

export function encodeOid(oid: string): Uint8Array {
  const arcs = oid.split('.').map(Number);
  const out: number[] = [];
  const pushArc = (value: number) => {
    const bytes = [value & 0x7f];
    for (let v = Math.floor(value / 128); v > 0; v = Math.floor(v / 128)) bytes.unshift((v & 0x7f) | 0x80);
    out.push(...bytes);
  };
  pushArc(arcs[0]! * 40 + arcs[1]!);
  for (const arc of arcs.slice(2)) pushArc(arc);
  return encode(Tag.Oid, Uint8Array.from(out));
}

export function encodeSmallInteger(value: number): Uint8Array {
  return encode(Tag.Integer, Uint8Array.of(value));
}
