import { createHash } from 'node:crypto';
import { parseCertificate, type ParsedCertificate } from '../inspect/certificate';
import type { ParsedPrivateKey } from '../inspect/private-key';
import { toHex } from '../inspect/der';

// One value a certificate and its private key share, so a key can find its certificate across
// files and across imports (a key.pem imported after its cert.pem). SHA-256 of the
// SubjectPublicKeyInfo DER; for SM2, of the public point, because Node (and Electron's BoringSSL)
// cannot export an SM2 key's SubjectPublicKeyInfo.

export function certificateKeyId(cert: ParsedCertificate): string {
  const { publicKey } = cert;
  return publicKey.keyAlgorithm === 'SM2' ? sm2Id(publicKey.keyBits) : sha256(publicKey.spki);
}

export function certificateDerKeyId(der: Uint8Array): string {
  return certificateKeyId(parseCertificate(der));
}

/** Null when the key's public half is unknown (then it pairs only with a certificate given in the same file). */
export function privateKeyId(key: ParsedPrivateKey): string | null {
  if (key.sm2Point) return sm2Id(key.sm2Point);
  return key.publicSpki ? sha256(key.publicSpki) : null;
}

function sm2Id(point: Uint8Array): string {
  return sha256(Buffer.from(`sm2:${toHex(point)}`));
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}
