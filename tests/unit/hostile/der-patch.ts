// Test helper: rewrites INTEGERs inside a DER structure (descending into OCTET STRINGs that hold
// DER, as PKCS#12 nests its contents) and re-encodes every length, so a real file made by openssl
// can be given an iteration count no tool would produce.
import { children, readTlv, type Tlv } from '../../../main/core/inspect/der';

type Replace = (value: bigint, path: readonly number[]) => bigint | null;

export function patchIntegers(der: Uint8Array, replace: Replace): Uint8Array {
  return encodeNode(der, readTlv(der, 0), [], replace);
}

function encodeNode(der: Uint8Array, tlv: Tlv, path: readonly number[], replace: Replace): Uint8Array {
  const body = der.subarray(tlv.contentStart, tlv.contentEnd);
  if (tlv.tag === 0x02) {
    const value = body.reduce((v, b) => (v << 8n) | BigInt(b), 0n);
    const next = replace(value, path);
    return next === null ? whole(tlv.tag, body) : whole(tlv.tag, integerBytes(next));
  }
  if (tlv.tag & 0x20) {
    const parts = children(der, tlv).map((child, i) => encodeNode(der, child, [...path, i], replace));
    return whole(tlv.tag, Buffer.concat(parts));
  }
  if (tlv.tag === 0x04) {
    try {
      const inner = readTlv(der, tlv.contentStart, tlv.contentEnd);
      if (inner.end === tlv.contentEnd && inner.tag & 0x20) return whole(tlv.tag, encodeNode(der, inner, [...path, 0], replace));
    } catch {
      // not DER inside: kept as it is
    }
  }
  return whole(tlv.tag, body);
}

function integerBytes(value: bigint): Uint8Array {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) & 0x80) hex = `00${hex}`;
  return Buffer.from(hex, 'hex');
}

function whole(tag: number, body: Uint8Array): Uint8Array {
  const n = body.length;
  const length = n < 0x80 ? [n] : n < 0x100 ? [0x81, n] : n < 0x10000 ? [0x82, n >> 8, n & 0xff] : [0x83, n >> 16, (n >> 8) & 0xff, n & 0xff];
  return Buffer.concat([Buffer.from([tag, ...length]), body]);
}
