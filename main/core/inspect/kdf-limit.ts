// One cap on key-derivation work for every password-based scheme the inspector opens: PKCS#12
// MAC and PBE, PBES1, PBES2. The iteration count is read from the DER before anything is derived,
// because node-forge derives in pure JavaScript: a count patched to 2^31-1 would spin for hours.
// (OpenSSL's traditional PEM encryption has no count: EVP_BytesToKey with one round.)
import { VaultError } from '../../../shared/errors';
import { DerError, Tag, children, expectTag, readOid, type Tlv } from './der';
import { OID } from './oids';

/** Real files use at most this (OpenSSL's default is 2048; some Windows exports use 600,000). */
export const MAX_KDF_ITERATIONS = 2_000_000;

/** Refuses a count above the cap (or below 1) with the error naming the file and the count. */
export function checkIterations(count: bigint | number, file: string): number {
  if (count > MAX_KDF_ITERATIONS || count < 1) {
    throw new VaultError('input.kdf_too_costly', { file, count: count.toString(), limit: MAX_KDF_ITERATIONS });
  }
  return Number(count);
}

/** An INTEGER of any length as a bigint: the count is checked, never trusted to fit. */
export function readCount(bytes: Uint8Array, tlv: Tlv): bigint {
  expectTag(tlv, Tag.Integer, 'iteration count');
  let value = 0n;
  for (let i = tlv.contentStart; i < tlv.contentEnd; i++) value = (value << 8n) | BigInt(bytes[i]!);
  // A negative count (high bit set) is as invalid as a huge one.
  return tlv.contentEnd > tlv.contentStart && bytes[tlv.contentStart]! & 0x80 ? -1n : value;
}

/**
 * Checks the iteration count of a password-based AlgorithmIdentifier: PBES2 (PBKDF2 parameters),
 * PBES1 and the PKCS#12 PBE schemes (SEQUENCE { salt, iterations }). Other algorithms pass.
 */
export function checkPbeAlgorithm(bytes: Uint8Array, algorithm: Tlv, file: string): void {
  const [oidTlv, params] = children(bytes, expectTag(algorithm, Tag.Sequence, 'encryption algorithm'));
  const oid = readOid(bytes, oidTlv!);
  if (oid === OID.pbes2) {
    const [kdf] = children(bytes, expectTag(params, Tag.Sequence, 'PBES2 parameters'));
    const [kdfOid, kdfParams] = children(bytes, expectTag(kdf, Tag.Sequence, 'key derivation'));
    if (readOid(bytes, kdfOid!) !== OID.pbkdf2) return;
    const fields = children(bytes, expectTag(kdfParams, Tag.Sequence, 'PBKDF2 parameters'));
    checkIterations(readCount(bytes, fields[1]!), file);
  } else if (oid.startsWith(PKCS12_PBE) || PBES1.has(oid)) {
    const fields = children(bytes, expectTag(params, Tag.Sequence, 'PBE parameters'));
    checkIterations(readCount(bytes, fields[1]!), file);
  }
}

const PKCS12_PBE = '1.2.840.113549.1.12.1.';
// pbeWith{MD2,MD5,SHA1}And{DES,RC2}-CBC (RFC 8018 A.3).
const PBES1 = new Set(['1', '3', '4', '6', '10', '11'].map((n) => `1.2.840.113549.1.5.${n}`));

/** Runs a check on DER the caller has not validated: a structural error is left to the real parser. */
export function ignoringMalformed(check: () => void): void {
  try {
    check();
  } catch (error) {
    if (error instanceof DerError || (error instanceof Error && !(error instanceof VaultError))) return;
    throw error;
  }
}
