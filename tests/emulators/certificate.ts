// What the clouds check about the uploaded PEMs, done with node:crypto and nothing of the
// product's inspector (the emulators exist to check the product, so they must not share its code).

import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';

export type EmulatedKeyAlgorithm = 'RSA' | 'EC' | 'SM2' | 'Ed25519' | 'other';

/** The facts of a leaf certificate a cloud echoes back in its answers and listings. */
export interface ParsedCertificate {
  readonly leafPem: string;
  /** Every certificate of the input, leaf first. */
  readonly blockCount: number;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly issuerCommonName: string | null;
  readonly subjectFields: Readonly<Record<string, string[]>>;
  readonly issuerFields: Readonly<Record<string, string[]>>;
  readonly serialHex: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
  /** Upper-case hex without separators. */
  readonly sha1: string;
  readonly sha256: string;
  readonly keyAlgorithm: EmulatedKeyAlgorithm;
  readonly signatureAlgorithm: string;
  readonly isCA: boolean;
  readonly x509: X509Certificate;
}

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----\r?\n[\s\S]*?-----END CERTIFICATE-----/g;
const KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

// DER of OID 1.2.156.10197.1.301 (the SM2 curve): Node's OpenSSL parses SM2 keys but names no type.
const SM2_CURVE_OID = Buffer.from('06082a811ccf5501822d', 'hex');

const SIGNATURE_ALGORITHMS: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.5': 'SHA1-RSA',
  '1.2.840.113549.1.1.11': 'SHA256-RSA',
  '1.2.840.113549.1.1.12': 'SHA384-RSA',
  '1.2.840.113549.1.1.13': 'SHA512-RSA',
  '1.2.840.113549.1.1.10': 'RSASSA-PSS',
  '1.2.840.10045.4.1': 'ECDSA-SHA1',
  '1.2.840.10045.4.3.2': 'ECDSA-SHA256',
  '1.2.840.10045.4.3.3': 'ECDSA-SHA384',
  '1.2.840.10045.4.3.4': 'ECDSA-SHA512',
  '1.2.156.10197.1.501': 'SM2-SM3',
  '1.3.101.112': 'Ed25519',
};

/** Null when the text holds no certificate a cloud could parse (mangled newlines, bad base64, ...). */
export function parseCertificate(pemText: string): ParsedCertificate | null {
  const blocks = pemText.match(CERT_BLOCK);
  if (blocks === null) return null;
  const parsed: X509Certificate[] = [];
  for (const block of blocks) {
    try {
      parsed.push(new X509Certificate(block));
    } catch {
      return null;
    }
  }
  const x509 = parsed[0]!;
  const subjectFields = distinguishedName(x509.subject);
  const issuerFields = distinguishedName(x509.issuer);
  return {
    leafPem: blocks[0]!,
    blockCount: blocks.length,
    commonName: subjectFields.CN?.[0] ?? null,
    dnsNames: dnsNamesOf(x509),
    issuerCommonName: issuerFields.CN?.[0] ?? null,
    subjectFields,
    issuerFields,
    serialHex: x509.serialNumber.replace(/^0+(?=.)/, '').toUpperCase(),
    notBefore: new Date(x509.validFrom),
    notAfter: new Date(x509.validTo),
    sha1: x509.fingerprint.replaceAll(':', ''),
    sha256: x509.fingerprint256.replaceAll(':', ''),
    keyAlgorithm: keyAlgorithmOf(x509.publicKey),
    signatureAlgorithm: signatureAlgorithmOf(x509.raw),
    isCA: x509.ca,
    x509,
  };
}

export type KeyCheck =
  | { readonly ok: true; readonly key: KeyObject }
  | { readonly ok: false; readonly reason: 'unparseable' | 'encrypted' | 'wrong-password' | 'mismatch' };

/** Does the private key parse (with the password, if any) and belong to the certificate? */
export function checkKeyPair(certificate: ParsedCertificate, keyText: string, password?: string): KeyCheck {
  const block = keyText.match(KEY_BLOCK)?.[0];
  if (block === undefined) return { ok: false, reason: 'unparseable' };
  const encrypted = block.startsWith('-----BEGIN ENCRYPTED') || /Proc-Type:\s*4,ENCRYPTED/.test(block);
  if (encrypted && (password === undefined || password === '')) return { ok: false, reason: 'encrypted' };
  let key: KeyObject;
  try {
    key = createPrivateKey(encrypted ? { key: block, passphrase: password ?? '' } : { key: block });
  } catch {
    return { ok: false, reason: encrypted ? 'wrong-password' : 'unparseable' };
  }
  try {
    return certificate.x509.checkPrivateKey(key) ? { ok: true, key } : { ok: false, reason: 'mismatch' };
  } catch {
    return { ok: false, reason: 'mismatch' };
  }
}

function keyAlgorithmOf(publicKey: KeyObject): EmulatedKeyAlgorithm {
  switch (publicKey.asymmetricKeyType) {
    case 'rsa':
    case 'rsa-pss':
      return 'RSA';
    case 'ec':
      return 'EC';
    case 'ed25519':
      return 'Ed25519';
    case undefined:
      return publicKey.export({ type: 'spki', format: 'der' }).includes(SM2_CURVE_OID) ? 'SM2' : 'other';
    default:
      return 'other';
  }
}

function dnsNamesOf(x509: X509Certificate): string[] {
  const san = x509.subjectAltName;
  if (san === undefined) return [];
  return san
    .split(/,\s*/)
    .filter((entry) => entry.startsWith('DNS:'))
    .map((entry) => entry.slice(4));
}

function distinguishedName(text: string): Record<string, string[]> {
  const fields: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    const equals = line.indexOf('=');
    if (equals <= 0) continue;
    const name = line.slice(0, equals);
    (fields[name] ??= []).push(line.slice(equals + 1));
  }
  return fields;
}

// Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm AlgorithmIdentifier, signature }
function signatureAlgorithmOf(der: Buffer): string {
  const certificate = readTlv(der, 0);
  const tbs = readTlv(der, certificate.contentStart);
  const algorithm = readTlv(der, tbs.end);
  const oid = readTlv(der, algorithm.contentStart);
  const name = decodeOid(der.subarray(oid.contentStart, oid.end));
  return SIGNATURE_ALGORITHMS[name] ?? name;
}

function readTlv(der: Buffer, offset: number): { contentStart: number; end: number } {
  const first = der[offset + 1]!;
  if (first < 0x80) return { contentStart: offset + 2, end: offset + 2 + first };
  const lengthBytes = first & 0x7f;
  let length = 0;
  for (let i = 0; i < lengthBytes; i++) length = length * 256 + der[offset + 2 + i]!;
  const contentStart = offset + 2 + lengthBytes;
  return { contentStart, end: contentStart + length };
}

function decodeOid(bytes: Buffer): string {
  const parts = [Math.floor(bytes[0]! / 40), bytes[0]! % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      parts.push(value);
      value = 0;
    }
  }
  return parts.join('.');
}
