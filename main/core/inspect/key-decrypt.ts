// Decrypts password-protected private keys into plain DER. PBES2 (what OpenSSL writes by
// default) and the legacy OpenSSL PEM encryption are done with Node's primitives, which work the
// same under BoringSSL and whatever the key type (SM2 included); the PKCS#12-style PBES1 schemes
// (3DES, RC2) go through node-forge.
import { createDecipheriv, createHash, pbkdf2Sync } from 'node:crypto';
import forge from 'node-forge';
import { VaultError } from '../../../shared/errors';
import { DerError, Tag, children, content, expectTag, readOid, readRoot } from './der';
import { checkIterations, checkPbeAlgorithm, ignoringMalformed, readCount } from './kdf-limit';
import { OID } from './oids';
import { KdfTooCostly } from './forge-kdf';

const pbes2Ciphers: Readonly<Record<string, { name: string; keyLength: number }>> = {
  '2.16.840.1.101.3.4.1.2': { name: 'aes-128-cbc', keyLength: 16 },
  '2.16.840.1.101.3.4.1.22': { name: 'aes-192-cbc', keyLength: 24 },
  '2.16.840.1.101.3.4.1.42': { name: 'aes-256-cbc', keyLength: 32 },
  '1.2.840.113549.3.7': { name: 'des-ede3-cbc', keyLength: 24 },
};

const prfDigests: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.7': 'sha1',
  '1.2.840.113549.2.8': 'sha224',
  '1.2.840.113549.2.9': 'sha256',
  '1.2.840.113549.2.10': 'sha384',
  '1.2.840.113549.2.11': 'sha512',
};

/** EncryptedPrivateKeyInfo (RFC 5958 §3) -> PrivateKeyInfo DER. */
export function decryptPkcs8(der: Uint8Array, password: string, file: string): Uint8Array {
  let scheme: string;
  try {
    const [algorithm] = children(der, expectTag(readRoot(der), Tag.Sequence, 'encrypted key'));
    scheme = readOid(der, children(der, expectTag(algorithm, Tag.Sequence, 'encryption algorithm'))[0]!);
  } catch (error) {
    throw new VaultError('key.malformed', { file, reason: error instanceof DerError ? error.message : 'not an encrypted PKCS#8 key' });
  }
  const plain = scheme === OID.pbes2 ? decryptPbes2(der, password, file) : decryptWithForge(der, password, file);
  assertDer(plain, file);
  return plain;
}

function decryptPbes2(der: Uint8Array, password: string, file: string): Uint8Array {
  let key: Buffer;
  let iv: Uint8Array;
  let cipherName: string;
  let encrypted: Uint8Array;
  try {
    const [algorithm, data] = children(der, readRoot(der));
    const [, params] = children(der, algorithm!);
    const [kdf, cipher] = children(der, expectTag(params, Tag.Sequence, 'PBES2 parameters'));
    const [kdfOid, kdfParams] = children(der, kdf!);
    if (readOid(der, kdfOid!) !== OID.pbkdf2) throw unsupported(file, 'PBES2 without PBKDF2');
    const kdfFields = children(der, expectTag(kdfParams, Tag.Sequence, 'PBKDF2 parameters'));
    const salt = content(der, expectTag(kdfFields[0], Tag.OctetString, 'salt'));
    const iterations = checkIterations(readCount(der, expectTag(kdfFields[1], Tag.Integer, 'iteration count')), file);
    const prfTlv = kdfFields.slice(2).find((f) => f.tag === Tag.Sequence);
    const prfOid = prfTlv ? readOid(der, children(der, prfTlv)[0]!) : '1.2.840.113549.2.7';
    const digest = prfDigests[prfOid];
    const [cipherOid, ivTlv] = children(der, expectTag(cipher, Tag.Sequence, 'cipher'));
    const spec = pbes2Ciphers[readOid(der, cipherOid!)];
    if (!digest || !spec) throw unsupported(file, `PBES2 (cipher or PRF ${spec ? prfOid : 'not AES/3DES-CBC'})`);
    iv = content(der, expectTag(ivTlv, Tag.OctetString, 'IV'));
    encrypted = content(der, expectTag(data, Tag.OctetString, 'encrypted data'));
    cipherName = spec.name;
    key = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, spec.keyLength, digest);
  } catch (error) {
    if (error instanceof VaultError) throw error;
    throw new VaultError('key.malformed', { file, reason: error instanceof DerError ? error.message : 'malformed PBES2 parameters' });
  }
  return decipher(cipherName, key, iv, encrypted, file);
}

function decryptWithForge(der: Uint8Array, password: string, file: string): Uint8Array {
  ignoringMalformed(() => checkPbeAlgorithm(der, children(der, readRoot(der))[0]!, file));
  let info: forge.asn1.Asn1;
  try {
    info = forge.asn1.fromDer(forge.util.createBuffer(Buffer.from(der).toString('binary')));
  } catch {
    throw new VaultError('key.malformed', { file, reason: 'not an encrypted PKCS#8 key' });
  }
  let plain: forge.asn1.Asn1 | null;
  try {
    plain = forge.pki.decryptPrivateKeyInfo(info, password);
  } catch (error) {
    if (error instanceof KdfTooCostly) checkIterations(error.count, file);
    throw unsupported(file, `password-based encryption ${schemeName(der)}`);
  }
  if (!plain) throw new VaultError('key.wrong_password', { file });
  return Uint8Array.from(Buffer.from(forge.asn1.toDer(plain).getBytes(), 'binary'));
}

const legacyCiphers: Readonly<Record<string, { name: string; keyLength: number }>> = {
  'AES-128-CBC': { name: 'aes-128-cbc', keyLength: 16 },
  'AES-192-CBC': { name: 'aes-192-cbc', keyLength: 24 },
  'AES-256-CBC': { name: 'aes-256-cbc', keyLength: 32 },
  'DES-EDE3-CBC': { name: 'des-ede3-cbc', keyLength: 24 },
};

/**
 * OpenSSL's traditional PEM encryption (`Proc-Type: 4,ENCRYPTED` + `DEK-Info: CIPHER,IV`):
 * the key is EVP_BytesToKey(MD5, password, first 8 bytes of the IV, 1 round).
 */
export function decryptLegacyPem(der: Uint8Array, dekInfo: string, password: string, file: string): Uint8Array {
  const [cipherLabel = '', ivHex = ''] = dekInfo.split(',').map((s) => s.trim());
  const spec = legacyCiphers[cipherLabel.toUpperCase()];
  if (!spec) throw unsupported(file, `${cipherLabel || 'unknown'}-encrypted PEM`);
  if (!/^[0-9a-fA-F]{16,32}$/.test(ivHex)) throw new VaultError('key.malformed', { file, reason: 'DEK-Info has no valid IV' });
  const iv = Buffer.from(ivHex, 'hex');
  const salt = iv.subarray(0, 8);
  const pass = Buffer.from(password, 'utf8');
  const parts: Buffer[] = [];
  let previous = Buffer.alloc(0);
  while (Buffer.concat(parts).length < spec.keyLength) {
    previous = createHash('md5').update(Buffer.concat([previous, pass, salt])).digest();
    parts.push(previous);
  }
  const plain = decipher(spec.name, Buffer.concat(parts).subarray(0, spec.keyLength), iv, der, file);
  assertDer(plain, file);
  return plain;
}

function decipher(name: string, key: Uint8Array, iv: Uint8Array, data: Uint8Array, file: string): Uint8Array {
  try {
    const d = createDecipheriv(name, key, iv);
    return Uint8Array.from(Buffer.concat([d.update(data), d.final()]));
  } catch {
    // A wrong password shows up as bad padding; so does damaged data, which is far rarer.
    throw new VaultError('key.wrong_password', { file });
  }
}

/** Correct padding after a wrong password happens 1 time in 256; the DER then does not parse. */
function assertDer(plain: Uint8Array, file: string): void {
  try {
    expectTag(readRoot(plain), Tag.Sequence, 'private key');
  } catch {
    throw new VaultError('key.wrong_password', { file });
  }
}

function schemeName(der: Uint8Array): string {
  try {
    const [algorithm] = children(der, readRoot(der));
    return readOid(der, children(der, algorithm!)[0]!);
  } catch {
    return '(unreadable)';
  }
}

function unsupported(file: string, type: string): VaultError {
  return new VaultError('key.unsupported', { file, type });
}
