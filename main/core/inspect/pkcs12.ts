// PKCS#12 (.pfx/.p12) through node-forge, which also reads the legacy 3DES/RC2 files OpenSSL 3
// no longer opens without its legacy provider. Forge only unwraps the containers: the
// certificates and keys inside are handed back as DER and parsed like any other input.
import forge from 'node-forge';
import { VaultError } from '../../../shared/errors';

export interface Pkcs12Contents {
  readonly certificates: Uint8Array[];
  /** PrivateKeyInfo (PKCS#8) DER of each key bag. */
  readonly keys: Uint8Array[];
}

/** True when `der` looks like a PFX: SEQUENCE { INTEGER 3, ContentInfo, ... }. */
export function isPkcs12(der: Uint8Array): boolean {
  // 30 len 02 01 03 30 ... (short or long form outer length)
  const lengthBytes = der[1]! & 0x80 ? (der[1]! & 0x7f) + 1 : 1;
  const at = 1 + lengthBytes;
  return der[0] === 0x30 && der[at] === 0x02 && der[at + 1] === 0x01 && der[at + 2] === 0x03 && der[at + 3] === 0x30;
}

/**
 * Opens a PKCS#12 file. The empty password is always tried (as OpenSSL writes it, then as an
 * absent one): without a password so files exported with `-passout pass:` open without asking,
 * and after a given password fails so a folder imported with one password still opens the
 * password-less files in it. A wrong password is reported only when every candidate failed.
 */
export function readPkcs12(der: Uint8Array, password: string | undefined, file: string): Pkcs12Contents {
  let asn1: forge.asn1.Asn1;
  try {
    asn1 = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')), false);
  } catch {
    throw new VaultError('pkcs12.malformed', { file, reason: 'the ASN.1 structure cannot be read' });
  }
  const candidates: (string | null)[] = password === undefined || password === '' ? ['', null] : [password, '', null];
  let lastError: unknown;
  for (const candidate of candidates) {
    try {
      return contentsOf(forge.pkcs12.pkcs12FromAsn1(asn1, false, candidate as string));
    } catch (error) {
      lastError = error;
      if (!isPasswordFailure(error)) break;
    }
  }
  if (isPasswordFailure(lastError)) {
    throw new VaultError(password === undefined ? 'pkcs12.password_required' : 'pkcs12.wrong_password', { file });
  }
  throw new VaultError('pkcs12.malformed', { file, reason: reasonOf(lastError) });
}

function contentsOf(p12: forge.pkcs12.Pkcs12Pfx): Pkcs12Contents {
  const certificates: Uint8Array[] = [];
  const keys: Uint8Array[] = [];
  for (const safe of p12.safeContents) {
    for (const bag of safe.safeBags) {
      if (bag.type === forge.pki.oids.certBag) {
        // Forge parses RSA certificates (keeping the original TBSCertificate) and hands others back as ASN.1.
        const asn1 = bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1;
        if (asn1) certificates.push(toBytes(asn1));
      } else if (bag.type === forge.pki.oids.keyBag || bag.type === forge.pki.oids.pkcs8ShroudedKeyBag) {
        const asn1 = bag.key ? forge.pki.wrapRsaPrivateKey(forge.pki.privateKeyToAsn1(bag.key)) : bag.asn1;
        if (asn1) keys.push(toBytes(asn1));
      }
    }
  }
  return { certificates, keys };
}

function toBytes(asn1: forge.asn1.Asn1): Uint8Array {
  return Uint8Array.from(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary'));
}

// Forge reports a wrong password only through these messages: a MAC mismatch, or (for files
// without a MAC) a decryption that does not unpad.
function isPasswordFailure(error: unknown): boolean {
  const message = error instanceof Error ? error.message : '';
  return /Invalid password|wrong password|Failed to decrypt/i.test(message);
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : 'unknown structure';
  return message.replace(/\.$/, '').slice(0, 120);
}
