// Format detection from content, never from the file name: one input file becomes the
// certificates, private keys and other objects it holds, or a VaultError naming the file.
import type { OtherObject } from '../../../shared/model';
import { VaultError } from '../../../shared/errors';
import { limits } from '../../../shared/limits';
import { DerError, Tag, children, readRoot, readSmallInteger, view, whole, type Tlv } from './der';
import { decryptLegacyPem, decryptPkcs8 } from './key-decrypt';
import { describeCrl, describeCsr, describePublicKey, describeRsaPublicKey } from './others';
import { hasPemBlock, readPemBlocks, type PemBlock } from './pem';
import { certificatesOfPkcs7, isPkcs7 } from './pkcs7';
import { isPkcs12, readPkcs12 } from './pkcs12';
import { curveOfEcParameters, keyFromPkcs1, keyFromPkcs8, keyFromSec1, type ParsedPrivateKey } from './private-key';

export interface InputFile {
  /** File name or path as the user knows it; every message names it. */
  readonly name: string;
  readonly data: Uint8Array;
}

export interface DecodedFile {
  /** Certificate DER in file order; parsed (and checked) by the caller. */
  readonly certificates: Uint8Array[];
  readonly keys: ParsedPrivateKey[];
  readonly others: OtherObject[];
}

/** What one file holds; a file that holds nothing at all (no block that parses, an empty PKCS#7) is an error. */
export function decodeFile(input: InputFile, password: string | undefined): DecodedFile {
  const out = decodeContent(input, password);
  if (out.certificates.length + out.keys.length + out.others.length === 0) throw new VaultError('input.nothing_found', { file: input.name });
  return out;
}

function decodeContent(input: InputFile, password: string | undefined): DecodedFile {
  const { name: file, data } = input;
  if (data.length === 0) throw new VaultError('input.empty', { file });
  if (data.length > limits.maxInputBytes) {
    throw new VaultError('input.too_large', { file, size: formatSize(data.length), limit: formatSize(limits.maxInputBytes) });
  }
  const out: DecodedFile = { certificates: [], keys: [], others: [] };
  if (data[0] === Tag.Sequence && isSingleDerElement(data)) {
    decodeDer(data, file, password, out);
    return out;
  }
  const text = textOf(data);
  if (hasPemBlock(text)) {
    decodePem(readPemBlocks(text, file), file, password, out);
    return out;
  }
  // Base64 DER without PEM armour, as some portals show a certificate.
  const bare = text.replace(/\s+/g, '');
  if (/^MI[A-Za-z0-9+/]+={0,2}$/.test(bare) && bare.length % 4 === 0) {
    const der = Buffer.from(bare, 'base64');
    if (isSingleDerElement(der)) {
      decodeDer(der, file, password, out);
      return out;
    }
  }
  if (data[0] === Tag.Sequence) {
    // Looks like DER but is not one whole element: say where it breaks.
    try {
      readRoot(data);
    } catch (error) {
      if (error instanceof DerError) throw new VaultError('der.malformed', { file, offset: error.offset });
    }
  }
  throw notCertificate(file, data.length);
}

/**
 * The characters of a text file. Windows editors save UTF-8 with a byte-order mark, and UTF-16
 * ("Unicode" in Notepad) always with one; anything else is read byte for byte (latin1), which
 * keeps PEM armour and base64 intact whatever the encoding of the notes around them.
 */
function textOf(data: Uint8Array): string {
  const bytes = view(data);
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return bytes.subarray(3).toString('latin1');
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return bytes.subarray(2).toString('utf16le');
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return Buffer.from(bytes.subarray(2, bytes.length - (bytes.length % 2))).swap16().toString('utf16le');
  return bytes.toString('latin1');
}

function decodePem(blocks: PemBlock[], file: string, password: string | undefined, out: DecodedFile): void {
  let curve: string | null = null;
  let certificateIndex = 0;
  for (const block of blocks) {
    const { label, der } = block;
    switch (label) {
      case 'CERTIFICATE':
      case 'X509 CERTIFICATE':
        certificateIndex++;
        out.certificates.push(der);
        break;
      case 'TRUSTED CERTIFICATE':
        // OpenSSL appends its trust settings after the certificate.
        certificateIndex++;
        out.certificates.push(guard(() => whole(der, readTlvAt0(der)), (reason) => new VaultError('cert.malformed', { file, index: certificateIndex, reason })));
        break;
      case 'PKCS7':
      case 'CMS':
        for (const cert of certificatesOfPkcs7(der, file)) {
          certificateIndex++;
          out.certificates.push(cert);
        }
        break;
      case 'PRIVATE KEY':
        out.keys.push(keyFromPkcs8(der, file));
        break;
      case 'ENCRYPTED PRIVATE KEY':
      case 'ENCRYPTED SM2 PRIVATE KEY': // Go toolkits (tjfoc/gmsm): encrypted PKCS#8
        out.keys.push(keyFromPkcs8(decryptPkcs8(der, requirePassword(password, file), file), file));
        break;
      case 'RSA PRIVATE KEY':
        out.keys.push(keyFromPkcs1(legacyDecrypt(block, password, file), file));
        break;
      case 'EC PRIVATE KEY':
        out.keys.push(keyFromSec1(legacyDecrypt(block, password, file), curve, file));
        break;
      case 'SM2 PRIVATE KEY': {
        // Tongsuo and GmSSL write SEC1 under this label (as EC PRIVATE KEY); some Go toolkits PKCS#8.
        const plain = legacyDecrypt(block, password, file);
        out.keys.push(isPkcs8(plain) ? keyFromPkcs8(plain, file) : keyFromSec1(plain, curve, file));
        break;
      }
      case 'EC PARAMETERS':
      case 'SM2 PARAMETERS': // Tongsuo
        curve = curveOfEcParameters(der, file);
        break;
      case 'CERTIFICATE REQUEST':
      case 'NEW CERTIFICATE REQUEST':
        out.others.push(describeOther(file, () => describeCsr(der, file)));
        break;
      case 'PUBLIC KEY':
        out.others.push(describeOther(file, () => describePublicKey(der, file)));
        break;
      case 'RSA PUBLIC KEY':
        out.others.push(describeOther(file, () => describeRsaPublicKey(der, file)));
        break;
      case 'X509 CRL':
        out.others.push(describeOther(file, () => describeCrl(der, file)));
        break;
      default:
        throw new VaultError('pem.unsupported_block', { file, line: block.line, label });
    }
  }
}

function legacyDecrypt(block: PemBlock, password: string | undefined, file: string): Uint8Array {
  if (!/ENCRYPTED/i.test(block.headers['Proc-Type'] ?? '')) return block.der;
  return decryptLegacyPem(block.der, block.headers['DEK-Info'] ?? '', requirePassword(password, file), file);
}

/** What a binary file holds, told apart by the shape of its outer structure. */
function decodeDer(der: Uint8Array, file: string, password: string | undefined, out: DecodedFile): void {
  if (isPkcs12(der)) {
    const contents = readPkcs12(der, password, file);
    out.certificates.push(...contents.certificates);
    for (const key of contents.keys) out.keys.push(keyFromPkcs8(key, file));
    return;
  }
  if (isPkcs7(der)) {
    out.certificates.push(...certificatesOfPkcs7(der, file));
    return;
  }
  const shape = guard(() => shapeOf(der), () => notCertificate(file, der.length));
  switch (shape) {
    case 'certificate':
      out.certificates.push(der);
      return;
    case 'csr':
      out.others.push(describeOther(file, () => describeCsr(der, file)));
      return;
    case 'crl':
      out.others.push(describeOther(file, () => describeCrl(der, file)));
      return;
    case 'public-key':
      out.others.push(describeOther(file, () => describePublicKey(der, file)));
      return;
    case 'pkcs8':
      out.keys.push(keyFromPkcs8(der, file));
      return;
    case 'encrypted-pkcs8':
      out.keys.push(keyFromPkcs8(decryptPkcs8(der, requirePassword(password, file), file), file));
      return;
    case 'pkcs1':
      out.keys.push(keyFromPkcs1(der, file));
      return;
    case 'sec1':
      out.keys.push(keyFromSec1(der, null, file));
      return;
    default:
      throw notCertificate(file, der.length);
  }
}

type Shape = 'certificate' | 'csr' | 'crl' | 'public-key' | 'pkcs8' | 'encrypted-pkcs8' | 'pkcs1' | 'sec1' | null;

function shapeOf(der: Uint8Array): Shape {
  const top = children(der, readRoot(der));
  const tags = top.map((t) => t.tag);
  if (tags.length === 3 && tags[0] === Tag.Sequence && tags[1] === Tag.Sequence && tags[2] === Tag.BitString) {
    return signedShape(children(der, top[0]!));
  }
  if (tags.length === 2 && tags[0] === Tag.Sequence && tags[1] === Tag.BitString) return 'public-key';
  if (tags.length === 2 && tags[0] === Tag.Sequence && tags[1] === Tag.OctetString) return 'encrypted-pkcs8';
  if (tags[0] === Tag.Integer && tags[1] === Tag.Sequence && tags[2] === Tag.OctetString) return 'pkcs8';
  if (tags.length >= 9 && tags.every((t) => t === Tag.Integer)) return 'pkcs1';
  if (tags[0] === Tag.Integer && tags[1] === Tag.OctetString && readSmallInteger(der, top[0]!) === 1) return 'sec1';
  return null;
}

/** Certificates, CRLs and CSRs share SEQUENCE { tbs, algorithm, signature }; their tbs differ. */
function signedShape(tbs: Tlv[]): Shape {
  const [first, second, third, fourth] = tbs.map((t) => t.tag);
  if (first === 0xa0) return 'certificate'; // explicit version: v2/v3 certificate
  if (first === Tag.Sequence) return 'crl'; // v1 CRL starts with its algorithm
  if (first !== Tag.Integer) return null;
  if (second === Tag.Sequence && third === Tag.Sequence && fourth === Tag.Sequence) {
    // v1 certificate: serial, algorithm, issuer, validity; CSR: version, subject, key info, [0] attributes.
    return tbs.length >= 6 ? 'certificate' : null;
  }
  if (second === Tag.Sequence && third === Tag.Sequence && (fourth === Tag.UtcTime || fourth === Tag.GeneralizedTime)) return 'crl';
  if (second === Tag.Sequence && third === Tag.Sequence && tbs[3]?.tag === 0xa0) return 'csr';
  return null;
}

function isPkcs8(der: Uint8Array): boolean {
  try {
    return shapeOf(der) === 'pkcs8';
  } catch {
    return false;
  }
}

function isSingleDerElement(data: Uint8Array): boolean {
  try {
    readRoot(data);
    return true;
  } catch {
    return false;
  }
}

function readTlvAt0(der: Uint8Array): Tlv {
  return children(der, { tag: Tag.Sequence, start: 0, contentStart: 0, contentEnd: der.length, end: der.length })[0]!;
}

function requirePassword(password: string | undefined, file: string): string {
  if (password === undefined) throw new VaultError('key.password_required', { file });
  return password;
}

function describeOther(file: string, describe: () => OtherObject): OtherObject {
  return guard(describe, (reason, offset) => new VaultError('der.malformed', { file, offset, reason }));
}

/** Runs a DER-reading step, turning a DerError into the VaultError the caller chooses. */
function guard<T>(step: () => T, onError: (reason: string, offset: number) => VaultError): T {
  try {
    return step();
  } catch (error) {
    if (error instanceof DerError) throw onError(error.message, error.offset);
    throw error;
  }
}

function notCertificate(file: string, size: number): VaultError {
  return new VaultError('input.not_certificate', { file, size: formatSize(size) });
}

/**
 * "812 bytes", "3.4 KB", "5.0 MB": sizes as people read them in messages. Rounded up (as the
 * drop-size check in shared/ipc does), so a file just over the limit never reads as the limit.
 */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${tenthsUp(bytes, 1024)} KB`;
  return `${tenthsUp(bytes, 1024 * 1024)} MB`;
}

const tenthsUp = (bytes: number, unit: number) => (Math.ceil((bytes * 10) / unit) / 10).toFixed(1);
