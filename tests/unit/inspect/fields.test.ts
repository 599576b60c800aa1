// Field values against two independent oracles: openssl's own output, and Node's
// X509Certificate plus @peculiar/x509 (schema-based parsing) for what openssl prints less plainly.
import 'reflect-metadata';
import * as peculiar from '@peculiar/x509';
import { X509Certificate } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectPaths } from '../../../main/core/inspect';
import { NOW, expandIp, generated, keyTypes, mozillaDir, opensslFacts, sm2Dir, variants } from './helpers';

const fixtureCerts = [
  ...keyTypes.flatMap((t) => ['leaf', 'int', 'root'].map((c) => join(generated, t, `${c}.crt`))),
  join(variants, 'expired.crt'),
  join(variants, 'notyet.crt'),
  ...['server_sign.crt', 'server_enc.crt', 'legacy_first.crt'].map((f) => join(sm2Dir, f)),
];
// Every fourth Mozilla root: ~35 real certificates of every vintage, key type and string encoding.
const mozillaCerts = readdirSync(mozillaDir)
  .filter((f) => f.endsWith('.crt'))
  .sort()
  .filter((_, i) => i % 4 === 0)
  .map((f) => join(mozillaDir, f));

async function inspectOne(path: string) {
  const result = await inspectPaths([path], { now: NOW });
  expect(result.certificates).toHaveLength(1);
  return result.certificates[0]!;
}

describe.each([
  ['fixture', fixtureCerts],
  ['Mozilla root', mozillaCerts],
])('%s certificates agree with openssl', (_, paths) => {
  it.each(paths.map((p) => [p.split('/').slice(-2).join('/'), p]))('%s', async (_name, path) => {
    const info = await inspectOne(path);
    const facts = opensslFacts(path);
    expect(info.fingerprintSha256).toBe(facts.fingerprintSha256);
    expect(info.serialNumber).toBe(facts.serialNumber);
    expect(info.serialDecimal).toBe(BigInt(`0x${facts.serialNumber}`).toString(10));
    expect(info.notBefore).toBe(facts.notBefore);
    expect(info.notAfter).toBe(facts.notAfter);
    expect(info.dnsNames).toEqual(facts.sans.dns);
    expect(info.ipAddresses.map(expandIp)).toEqual(facts.sans.ip);
    expect(info.emailAddresses).toEqual(facts.sans.email);
    expect(info.uris).toEqual(facts.sans.uri);
  });
});

describe.each([
  ['fixture', fixtureCerts.filter((p) => !p.startsWith(sm2Dir))],
  ['Mozilla root', mozillaCerts],
])('%s certificates agree with Node and @peculiar/x509', (_, paths) => {
  it.each(paths.map((p) => [p.split('/').slice(-2).join('/'), p]))('%s', async (_name, path) => {
    const info = await inspectOne(path);
    const pem = readFileSync(path, 'utf8');
    const node = new X509Certificate(pem);
    const other = new peculiar.X509Certificate(pem);
    expect(info.fingerprintSha1).toBe(node.fingerprint.replace(/:/g, '').toLowerCase());
    expect(info.isCA).toBe(node.ca);
    expect(info.subject).toBe(other.subject);
    expect(info.issuer).toBe(other.issuer);
    const details = node.publicKey.asymmetricKeyDetails;
    if (info.keyAlgorithm === 'RSA') expect(info.keySize).toBe(details?.modulusLength);
    const ski = other.getExtension(peculiar.SubjectKeyIdentifierExtension);
    expect(info.subjectKeyIdentifier).toBe(ski?.keyId ?? null);
    const aki = other.getExtension(peculiar.AuthorityKeyIdentifierExtension);
    expect(info.authorityKeyIdentifier).toBe(aki?.keyId ?? null);
    const bc = other.getExtension(peculiar.BasicConstraintsExtension);
    expect(info.pathLength).toBe(bc?.pathLength ?? null);
    const ku = other.getExtension(peculiar.KeyUsagesExtension);
    expect(info.keyUsage.length).toBe(ku ? countBits(ku.usages) : 0);
    const eku = other.getExtension(peculiar.ExtendedKeyUsageExtension);
    expect(info.extendedKeyUsage.length).toBe(eku?.usages.length ?? 0);
    const policies = other.getExtension(peculiar.CertificatePolicyExtension);
    expect(info.policies.map((p) => p.oid)).toEqual(policies?.policies ?? []);
    // A root in the Mozilla store is self-signed by definition; every fixture root too.
    expect(info.selfSigned).toBe(path.startsWith(mozillaDir) || path.endsWith('root.crt'));
  });
});

function countBits(value: number): number {
  let n = 0;
  for (let v = value; v; v >>= 1) n += v & 1;
  return n;
}

describe('the rsa2048 leaf, field by field', () => {
  it('has every extension the fixture script wrote', async () => {
    const info = await inspectOne(join(generated, 'rsa2048', 'leaf.crt'));
    expect(info).toMatchObject({
      serialNumber: 'c0ffee0123456789',
      serialDecimal: '13907095862997510025',
      subject: 'C=US, ST=California, L=San Francisco, O=Cert Vault Test, CN=rsa2048.example.test',
      commonName: 'rsa2048.example.test',
      issuer: 'C=US, O=Cert Vault Test, CN=Test Intermediate CA rsa2048',
      issuerCommonName: 'Test Intermediate CA rsa2048',
      dnsNames: ['rsa2048.example.test', '*.rsa2048.example.test'],
      ipAddresses: ['192.0.2.10', '2001:db8::10'],
      emailAddresses: ['ops@example.test'],
      uris: ['https://rsa2048.example.test/'],
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2035-01-01T00:00:00.000Z',
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['serverAuth', 'clientAuth'],
      isCA: false,
      ocspUrls: ['http://ocsp.example.test'],
      caIssuerUrls: ['http://pki.example.test/int.crt'],
      crlUrls: ['http://pki.example.test/int.crl'],
      policies: [
        { oid: '2.23.140.1.2.2', name: 'Organization Validated (CA/B Forum)' },
        { oid: '1.3.6.1.4.1.55555.1', name: null },
      ],
      validationLevel: 'OV',
    });
    expect(info.pem).toBe(readFileSync(join(generated, 'rsa2048', 'leaf.crt'), 'utf8'));
  });

  it('reads the intermediate\'s AIA, CRL and anyPolicy without a validation level', async () => {
    const info = await inspectOne(join(generated, 'rsa2048', 'int.crt'));
    expect(info).toMatchObject({
      keyUsage: ['keyCertSign', 'cRLSign'],
      caIssuerUrls: ['http://pki.example.test/root.crt'],
      crlUrls: ['http://pki.example.test/root.crl'],
      policies: [{ oid: '2.5.29.32.0', name: 'Any policy' }],
      validationLevel: null,
    });
  });
});
