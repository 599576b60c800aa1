// SubjectPublicKeyInfo: what algorithm, how big, which curve. Read from the DER, not through
// OpenSSL, so SM2 keys (which BoringSSL cannot load) are described like any other.
import type { PublicKeyInfo } from '../../../shared/model';
import { DerError, Tag, bitStringBytes, children, expectTag, readOid, readRoot, type Tlv } from './der';
import { OID, curves } from './oids';

export interface SubjectPublicKey extends PublicKeyInfo {
  /** The whole SubjectPublicKeyInfo DER, what Node's createPublicKey takes. */
  readonly spki: Uint8Array;
  /** The BIT STRING content: an EC point for EC/SM2, the RSAPublicKey for RSA. */
  readonly keyBits: Uint8Array;
  /** Algorithm OID and, for EC, the curve OID. */
  readonly algorithmOid: string;
  readonly curveOid: string | null;
}

export function readSubjectPublicKey(bytes: Uint8Array, spki: Tlv): SubjectPublicKey {
  expectTag(spki, Tag.Sequence, 'subject public key info');
  const [algorithm, keyTlv] = children(bytes, spki);
  if (!algorithm || !keyTlv) throw new DerError(spki.start, 'subject public key info is incomplete');
  const [oidTlv, params] = children(bytes, expectTag(algorithm, Tag.Sequence, 'key algorithm'));
  const algorithmOid = readOid(bytes, expectTag(oidTlv, Tag.Oid, 'key algorithm'));
  const keyBits = bitStringBytes(bytes, keyTlv);
  const der = bytes.subarray(spki.start, spki.end);
  const curveOid = params?.tag === Tag.Oid ? readOid(bytes, params) : null;
  return { spki: der, keyBits, algorithmOid, curveOid, ...describe(algorithmOid, curveOid, keyBits, bytes, params) };
}

function describe(algorithmOid: string, curveOid: string | null, keyBits: Uint8Array, bytes: Uint8Array, params: Tlv | undefined): PublicKeyInfo {
  switch (algorithmOid) {
    case OID.rsaEncryption:
    case OID.rsassaPss:
      return { keyAlgorithm: 'RSA', keySize: rsaModulusBits(keyBits), curve: null };
    case OID.ecPublicKey:
    case OID.sm2Curve: {
      const oid = algorithmOid === OID.sm2Curve ? OID.sm2Curve : curveOid;
      const known = oid ? curves[oid] : undefined;
      if (oid === OID.sm2Curve) return { keyAlgorithm: 'SM2', keySize: 256, curve: 'SM2' };
      // Explicit curve parameters (rare, and forbidden by RFC 5480) leave the curve unnamed.
      return { keyAlgorithm: 'EC', keySize: known?.bits ?? null, curve: known?.name ?? oid };
    }
    case OID.ed25519:
      return { keyAlgorithm: 'Ed25519', keySize: 256, curve: 'Ed25519' };
    case OID.ed448:
      return { keyAlgorithm: 'Ed448', keySize: 448, curve: 'Ed448' };
    case OID.dsa:
      return { keyAlgorithm: 'DSA', keySize: dsaPrimeBits(bytes, params), curve: null };
    case OID.x25519:
      return { keyAlgorithm: 'unknown', keySize: 256, curve: 'X25519' };
    case OID.x448:
      return { keyAlgorithm: 'unknown', keySize: 448, curve: 'X448' };
    default:
      return { keyAlgorithm: 'unknown', keySize: null, curve: null };
  }
}

function rsaModulusBits(keyBits: Uint8Array): number | null {
  try {
    const [modulus] = children(keyBits, expectTag(readRoot(keyBits), Tag.Sequence, 'RSA public key'));
    return modulus ? integerBits(keyBits, modulus) : null;
  } catch {
    return null;
  }
}

function dsaPrimeBits(bytes: Uint8Array, params: Tlv | undefined): number | null {
  if (!params || params.tag !== Tag.Sequence) return null;
  const [p] = children(bytes, params);
  return p ? integerBits(bytes, p) : null;
}

/** Bit length of a positive INTEGER. */
export function integerBits(bytes: Uint8Array, tlv: Tlv): number {
  expectTag(tlv, Tag.Integer, 'integer');
  let i = tlv.contentStart;
  while (i < tlv.contentEnd && bytes[i] === 0) i++;
  if (i === tlv.contentEnd) return 0;
  return (tlv.contentEnd - i - 1) * 8 + (32 - Math.clz32(bytes[i]!));
}
