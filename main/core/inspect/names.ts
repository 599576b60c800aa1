// Distinguished names: display text in the order the certificate stores them (the order
// OpenSSL and @peculiar/x509 print: "C=US, O=..., CN=..."), and a comparison key.
import { DerError, Tag, children, expectTag, readOid, readString, toHex, content, type Tlv } from './der';
import { attributeNames } from './oids';

export interface DistinguishedName {
  /** "C=US, O=Example, CN=www.example.com" with RFC 4514 escaping. */
  readonly text: string;
  /** The last CN in the name (the most specific one), if any. */
  readonly commonName: string | null;
  /**
   * Issuer/subject comparison key. RFC 5280 §7.1 compares names case-insensitively after
   * collapsing whitespace, whatever string type each CA chose.
   */
  readonly key: string;
}

const STRING_TAGS = new Set<number>([
  Tag.Utf8String,
  Tag.PrintableString,
  Tag.T61String,
  Tag.Ia5String,
  Tag.VisibleString,
  Tag.UniversalString,
  Tag.BmpString,
  Tag.NumericString,
]);

export function readName(bytes: Uint8Array, name: Tlv): DistinguishedName {
  expectTag(name, Tag.Sequence, 'name');
  const rdns: string[] = [];
  const keys: string[] = [];
  let commonName: string | null = null;
  for (const rdn of children(bytes, name)) {
    if (rdn.tag !== Tag.Set) throw new DerError(rdn.start, 'relative distinguished name is not a SET');
    const parts: string[] = [];
    const keyParts: string[] = [];
    for (const atv of children(bytes, rdn)) {
      expectTag(atv, Tag.Sequence, 'attribute');
      const [typeTlv, valueTlv] = children(bytes, atv);
      if (!typeTlv || !valueTlv) throw new DerError(atv.start, 'attribute without type or value');
      const oid = readOid(bytes, typeTlv);
      const short = attributeNames[oid] ?? oid;
      const isString = STRING_TAGS.has(valueTlv.tag);
      const value = isString ? readString(bytes, valueTlv) : null;
      if (oid === '2.5.4.3' && value !== null) commonName = value;
      // RFC 4514 §2.4: a value of unknown string form is printed as # + its DER in hex.
      parts.push(`${short}=${value === null ? `#${toHex(bytes.subarray(valueTlv.start, valueTlv.end))}` : escapeValue(value)}`);
      keyParts.push(`${oid}=${value === null ? toHex(content(bytes, valueTlv)) : value.trim().replace(/\s+/g, ' ').toLowerCase()}`);
    }
    rdns.push(parts.join(' + '));
    keys.push(keyParts.sort().join('+'));
  }
  return { text: rdns.join(', '), commonName, key: keys.join(',') };
}

/** RFC 4514 §2.4 escaping, so a comma inside an O value cannot be mistaken for a separator. */
function escapeValue(value: string): string {
  let out = value.replace(/[\\,+"<>;=]/g, (c) => `\\${c}`).replace(/[\u0000-\u001f]/g, (c) => `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
  if (out.startsWith(' ') || out.startsWith('#')) out = `\\${out}`;
  if (out.endsWith(' ') && out.length > 1) out = `${out.slice(0, -1)}\\ `;
  return out;
}
