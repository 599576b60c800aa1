// PKCS#12 (.pfx/.p12) through node-forge, which also reads the legacy 3DES/RC2 files OpenSSL 3
// no longer opens without its legacy provider. Forge only unwraps the containers: the
// certificates and keys inside are handed back as DER and parsed like any other input.
import forge from 'node-forge';
import { VaultError } from '../../../shared/errors';
import { Tag, children, readOid, readRoot, readTlv, type Tlv } from './der';
import { checkIterations, checkPbeAlgorithm, ignoringMalformed, readCount } from './kdf-limit';
import { KdfTooCostly } from './forge-kdf';

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
  ignoringMalformed(() => checkKdfWork(der, file));
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
      if (error instanceof KdfTooCostly) checkIterations(error.count, file);
      lastError = error;
      if (!isPasswordFailure(error)) break;
    }
  }
  if (isPasswordFailure(lastError)) {
    throw new VaultError(password === undefined ? 'pkcs12.password_required' : 'pkcs12.wrong_password', { file });
  }
  throw new VaultError('pkcs12.malformed', { file, reason: reasonOf(lastError) });
}

const DATA = '1.2.840.113549.1.7.1';
const ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';

/**
 * The iteration counts forge would derive with, checked before it starts: the MAC's, each
 * encrypted content's and each shrouded key bag's in plain content. (A key bag inside encrypted
 * content is seen only after decryption; the parse worker's time budget bounds that case.)
 */
function checkKdfWork(der: Uint8Array, file: string): void {
  const [, authSafe, macData] = children(der, readRoot(der));
  if (macData) {
    const [, , iterations] = children(der, macData);
    if (iterations) checkIterations(readCount(der, iterations), file);
  }
  for (const info of contentInfos(der, dataContent(der, authSafe!))) {
    const type = readOid(der, children(der, info)[0]!);
    if (type === ENCRYPTED_DATA) {
      const [explicit] = children(der, info).slice(1);
      const [, encryptedContentInfo] = children(der, children(der, explicit!)[0]!);
      checkPbeAlgorithm(der, children(der, encryptedContentInfo!)[1]!, file);
    } else if (type === DATA) {
      for (const bag of contentInfos(der, dataContent(der, info))) {
        const [bagId, bagValue] = children(der, bag);
        if (readOid(der, bagId!) === SHROUDED_KEY_BAG) checkPbeAlgorithm(der, children(der, children(der, bagValue!)[0]!)[0]!, file);
      }
    }
  }
}

/** The OCTET STRING inside a data ContentInfo ([0] EXPLICIT), as a TLV over the same bytes. */
function dataContent(der: Uint8Array, info: Tlv): Tlv {
  const [, explicit] = children(der, info);
  const octets = children(der, explicit!)[0]!;
  if (octets.tag !== Tag.OctetString) throw new Error('not primitive data');
  return octets;
}

/** The elements of the SEQUENCE OF encoded inside an OCTET STRING. */
function contentInfos(der: Uint8Array, octets: Tlv): Tlv[] {
  return children(der, readTlv(der, octets.contentStart, octets.contentEnd));
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
