import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

// Test certificates made on the fly: one CA, then as many leaves as a test needs, each with its
// own EC P-256 key (fast to generate). PEM strings, as a user's files would hold them.

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

type CryptoKeyPair = webcrypto.CryptoKeyPair;
type CryptoKey = webcrypto.CryptoKey;

const EC = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const RSA = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

export interface Issued {
  readonly certPem: string;
  readonly keyPem: string;
  readonly cert: x509.X509Certificate;
  readonly keys: CryptoKeyPair;
}

export interface LeafOptions {
  readonly commonName: string;
  readonly dnsNames?: readonly string[];
  readonly notBefore?: Date;
  readonly notAfter?: Date;
  readonly serial?: string;
  /** The leaf's key type (default EC P-256; RSA 2048 to test key families). */
  readonly rsa?: boolean;
}

let serialCounter = 1;

export async function makeCa(commonName = 'Test Root CA'): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: nextSerial(),
    name: `CN=${commonName}`,
    notBefore: new Date(Date.now() - DAY_MS),
    notAfter: new Date(Date.now() + 3650 * DAY_MS),
    signingAlgorithm: EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { cert, keys, certPem: `${cert.toString('pem').trimEnd()}\n`, keyPem: await pkcs8Pem(keys.privateKey) };
}

export async function makeLeaf(ca: Issued, options: LeafOptions): Promise<Issued> {
  const keys = (await webcrypto.subtle.generateKey(options.rsa ? RSA : EC, true, ['sign', 'verify'])) as CryptoKeyPair;
  const dnsNames = options.dnsNames ?? [options.commonName];
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: options.serial ?? nextSerial(),
    subject: `CN=${options.commonName}`,
    issuer: ca.cert.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: options.notAfter ?? new Date(Date.now() + 90 * DAY_MS),
    signingAlgorithm: EC,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension(dnsNames.map((value) => ({ type: 'dns' as const, value }))),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
    ],
  });
  return { cert, keys, certPem: `${cert.toString('pem').trimEnd()}\n`, keyPem: await pkcs8Pem(keys.privateKey) };
}

async function pkcs8Pem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').replace(/.{64}(?=.)/g, '$&\n')}\n-----END PRIVATE KEY-----\n`;
}

function nextSerial(): string {
  return (0x1000 + serialCounter++).toString(16).padStart(4, '0');
}

export function days(n: number, from = new Date()): Date {
  return new Date(from.getTime() + n * DAY_MS);
}
