// Does a private key belong to a certificate? Compare the public half derived from the private
// key with the certificate's SubjectPublicKeyInfo.
import { createPublicKey } from 'node:crypto';
import type { ParsedCertificate } from './certificate';
import type { ParsedPrivateKey } from './private-key';
import { sm2PointsEqual } from './sm2';

export function keyMatchesCertificate(key: ParsedPrivateKey, cert: ParsedCertificate): boolean {
  if (key.sm2Point) return cert.publicKey.keyAlgorithm === 'SM2' && sm2PointsEqual(key.sm2Point, cert.publicKey.keyBits);
  if (!key.publicSpki || cert.publicKey.keyAlgorithm === 'SM2') return false;
  if (Buffer.compare(key.publicSpki, cert.publicKey.spki) === 0) return true;
  // Same key, different encoding (a compressed EC point, RSA-PSS parameters): compare what
  // Node exports for each.
  try {
    const exported = createPublicKey({ key: Buffer.from(cert.publicKey.spki), format: 'der', type: 'spki' }).export({ type: 'spki', format: 'der' });
    return Buffer.compare(key.publicSpki, exported) === 0;
  } catch {
    return false;
  }
}
