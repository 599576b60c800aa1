// SM2 (GB/T 32918, GM/T 0003) in pure JavaScript through sm-crypto-v2: Electron's Node is
// built on BoringSSL, which has no SM2, so nothing here may go through OpenSSL.
import { sm2 } from 'sm-crypto-v2';
import { toHex } from './der';

/** GM/T 0009-2012 §10: the distinguishing ID signers use unless told otherwise. */
export const SM2_DEFAULT_ID = '1234567812345678';

/**
 * Verifies an SM2-with-SM3 signature (DER SEQUENCE { r, s }) over `message`. Some real chains
 * were signed with an empty ID, so that is tried before calling a signature bad.
 */
export function verifySm2(message: Uint8Array, signatureDer: Uint8Array, publicPoint: Uint8Array): boolean {
  const signature = toHex(signatureDer);
  const key = toHex(publicPoint);
  for (const userId of [SM2_DEFAULT_ID, '']) {
    try {
      if (sm2.doVerifySignature(message, signature, key, { der: true, hash: true, userId })) return true;
    } catch {
      return false; // not a point on the curve, or not a DER signature
    }
  }
  return false;
}

/** The uncompressed public point (04 || x || y) of a private scalar. */
export function sm2PublicPoint(privateScalar: Uint8Array): Uint8Array {
  return Uint8Array.from(Buffer.from(sm2.getPublicKeyFromPrivateKey(toHex(privateScalar).padStart(64, '0')), 'hex'));
}

/** Compares two encodings of SM2 points (compressed or not). */
export function sm2PointsEqual(a: Uint8Array, b: Uint8Array): boolean {
  try {
    return sm2.comparePublicKeyHex(toHex(a), toHex(b));
  } catch {
    return false;
  }
}
