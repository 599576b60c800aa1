// Verifies a certificate's signature with its issuer's public key. RSA, RSA-PSS, ECDSA, DSA and
// EdDSA go through Node's crypto; SM2 through the pure-JS verifier in sm2.ts, never OpenSSL.
import { constants, createPublicKey, verify, type KeyObject } from 'node:crypto';
import { Tag, children, readOid, readRoot, readSmallInteger, view } from './der';
import { OID, digestOids, signatureAlgorithms } from './oids';
import type { SubjectPublicKey } from './public-key';
import { verifySm2 } from './sm2';

export interface SignedData {
  /** The DER of what was signed (TBSCertificate). */
  readonly tbs: Uint8Array;
  readonly algorithm: { readonly oid: string; readonly params: Uint8Array | null };
  readonly signature: Uint8Array;
}

// Verification is a pure function of (certificate, issuer key) and the costliest step of an
// inspection (an ECDSA P-384 check takes ~0.5 ms). A vault re-inspects the same certificates, and
// every leaf of a CA repeats the same intermediate -> root link, so verdicts are remembered.
const MAX_REMEMBERED = 20_000;
const verdicts = new Map<string, boolean>();
/** Signatures actually verified (cache misses) since start: how benches and tests see the work done. */
let computed = 0;

/**
 * True when `publicKey` verifies `signed`. `subjectId` and `issuerId` (fingerprints) key the
 * cache; an unsupported algorithm or a key of the wrong type is simply "not verified".
 */
export function verifySignature(signed: SignedData, publicKey: SubjectPublicKey, subjectId: string, issuerId: string): boolean {
  const cacheKey = `${subjectId}>${issuerId}`;
  const known = verdicts.get(cacheKey);
  if (known !== undefined) return known;
  computed += 1;
  const valid = verifyUncached(signed, publicKey);
  if (verdicts.size >= MAX_REMEMBERED) verdicts.delete(verdicts.keys().next().value as string);
  verdicts.set(cacheKey, valid);
  return valid;
}

export function signaturesComputed(): number {
  return computed;
}

/** For benchmarks that measure the cold path. */
export function forgetSignatureVerdicts(): void {
  verdicts.clear();
}

function verifyUncached(signed: SignedData, publicKey: SubjectPublicKey): boolean {
  if (signed.algorithm.oid === OID.sm2WithSm3) return publicKey.keyAlgorithm === 'SM2' && verifySm2(signed.tbs, signed.signature, publicKey.keyBits);
  if (publicKey.keyAlgorithm === 'SM2') return false;
  try {
    const key = createPublicKey({ key: view(publicKey.spki), format: 'der', type: 'spki' });
    if (signed.algorithm.oid === OID.rsassaPss) return verifyPss(signed, key);
    const algorithm = signatureAlgorithms[signed.algorithm.oid];
    if (!algorithm) return false;
    return verify(algorithm.hash, signed.tbs, key, signed.signature);
  } catch {
    // Malformed key or signature, or a digest this Node build lacks (md2): not verified.
    return false;
  }
}

/** RFC 4055 §3.1 RSASSA-PSS-params; defaults are SHA-1 and a 20-byte salt. */
function verifyPss(signed: SignedData, key: KeyObject): boolean {
  let hash = 'sha1';
  let saltLength = 20;
  const params = signed.algorithm.params;
  if (params && params[0] === Tag.Sequence) {
    for (const field of children(params, readRoot(params))) {
      const [inner] = children(params, field);
      if (!inner) continue;
      if (field.tag === 0xa0) hash = digestOids[readOid(params, children(params, inner)[0]!)] ?? hash;
      if (field.tag === 0xa2) saltLength = readSmallInteger(params, inner);
    }
  }
  return verify(hash, signed.tbs, { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength }, signed.signature);
}
