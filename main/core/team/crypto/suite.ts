import { Aes256Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';

// The one HPKE suite (RFC 9180) of the team vault: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256,
// AES-256-GCM. Member keys are its KEM keys, so changing any part of it is a new wrap format.

export const X25519_KEY_BYTES = 32;

export const teamSuite = new CipherSuite({
  kem: new DhkemX25519HkdfSha256(),
  kdf: new HkdfSha256(),
  aead: new Aes256Gcm(),
});

/** A copy: the library hands out views whose backing buffer it may share. */
export function bytesOf(data: ArrayBuffer): Buffer {
  return Buffer.from(new Uint8Array(data.slice(0)));
}
