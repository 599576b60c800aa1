import { createCipheriv, createDecipheriv, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { pooledRandomBytes } from './random-pool';

// Private keys at rest: AES-256-GCM under the vault's 256-bit data key (kept in the OS keychain,
// see data-key.ts). A fresh 96-bit nonce per sealing; the associated data binds each ciphertext to
// the entry (and role) it belongs to, so a sealed key copied onto another row fails to open instead
// of being exported as the wrong entry's key.

export const DATA_KEY_BYTES = 32;
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface Sealed {
  readonly nonce: Buffer;
  /** Ciphertext followed by the 16-byte GCM tag. */
  readonly ciphertext: Buffer;
}

export function generateDataKey(): Buffer {
  return randomBytes(DATA_KEY_BYTES);
}

export function seal(dataKey: Buffer, plaintext: Buffer, associatedData: string): Sealed {
  assertKey(dataKey);
  const nonce = pooledRandomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', dataKey, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { nonce, ciphertext: Buffer.concat([body, cipher.getAuthTag()]) };
}

/** The plaintext, or null when the key, the nonce, the data or the associated data is not the one sealed. */
export function unseal(dataKey: Buffer, sealed: Sealed, associatedData: string): Buffer | null {
  assertKey(dataKey);
  if (sealed.nonce.length !== NONCE_BYTES || sealed.ciphertext.length < TAG_BYTES) return null;
  const body = sealed.ciphertext.subarray(0, sealed.ciphertext.length - TAG_BYTES);
  const tag = sealed.ciphertext.subarray(sealed.ciphertext.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', dataKey, sealed.nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(Buffer.from(associatedData, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    return null;
  }
}

/**
 * A value derived from the data key and stored in the database: tells, without decrypting any key,
 * whether the data key found in the keychain is the one this vault sealed with. Reveals nothing
 * about the key (HMAC output).
 */
export function dataKeyCheck(dataKey: Buffer): string {
  assertKey(dataKey);
  return createHmac('sha256', dataKey).update('cert-vault data key check v1').digest('hex');
}

export function matchesCheck(dataKey: Buffer, check: string): boolean {
  const expected = Buffer.from(dataKeyCheck(dataKey), 'hex');
  const actual = Buffer.from(check, 'hex');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function assertKey(dataKey: Buffer): void {
  if (dataKey.length !== DATA_KEY_BYTES) throw new RangeError(`data key must be ${DATA_KEY_BYTES} bytes`);
}
