import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectContent, inspectPaths, parseInputs } from '../../../main/core/inspect';
import { NOW, PASSWORD, generated, input, keyTypes, opensslFacts, variants, type KeyType } from './helpers';

const expectedKey: Record<KeyType, { keyAlgorithm: string; keySize: number; curve: string | null; signature: string }> = {
  rsa2048: { keyAlgorithm: 'RSA', keySize: 2048, curve: null, signature: 'sha256WithRSAEncryption' },
  rsa4096: { keyAlgorithm: 'RSA', keySize: 4096, curve: null, signature: 'sha256WithRSAEncryption' },
  p256: { keyAlgorithm: 'EC', keySize: 256, curve: 'P-256', signature: 'ecdsa-with-SHA256' },
  p384: { keyAlgorithm: 'EC', keySize: 384, curve: 'P-384', signature: 'ecdsa-with-SHA256' },
  p521: { keyAlgorithm: 'EC', keySize: 521, curve: 'P-521', signature: 'ecdsa-with-SHA256' },
  ed25519: { keyAlgorithm: 'Ed25519', keySize: 256, curve: 'Ed25519', signature: 'ED25519' },
  ed448: { keyAlgorithm: 'Ed448', keySize: 448, curve: 'Ed448', signature: 'ED448' },
};

function fingerprints(type: string): string[] {
  return ['leaf', 'int', 'root'].map((c) => opensslFacts(join(generated, type, `${c}.crt`)).fingerprintSha256);
}

describe.each(keyTypes)('%s chain', (type) => {
  const expectedOrder = fingerprints(type);

  it.each(['fullchain.pem', 'reversed.pem', 'shuffled-with-key.pem'])('orders %s leaf -> root and verifies every link', async (file) => {
    const result = await inspectPaths([join(generated, type, file)], { now: NOW });
    expect(result.chain.order).toEqual(expectedOrder);
    expect(result.chain.complete).toBe(true);
    expect(result.chain.verified).toBe(true);
    expect(result.chain.links.map((l) => l.signatureValid)).toEqual([true, true, true]);
    expect(result.problems).toEqual([]);
    const [leaf, intermediate, root] = result.certificates;
    expect(leaf).toMatchObject({ ...pick(expectedKey[type]), signatureAlgorithm: expectedKey[type].signature, selfSigned: false, isCA: false });
    expect(intermediate).toMatchObject({ isCA: true, pathLength: 0, selfSigned: false });
    expect(root).toMatchObject({ isCA: true, pathLength: null, selfSigned: true });
  });

  it('matches the leaf key to the leaf certificate', async () => {
    const result = await inspectPaths([join(generated, type, 'reversed.pem'), join(generated, type, 'leaf.key')], { now: NOW });
    expect(result.privateKeys).toEqual([{ ...pick(expectedKey[type]), matchesFingerprintSha256: expectedOrder[0], source: join(generated, type, 'leaf.key') }]);
  });
});

function pick(k: { keyAlgorithm: string; keySize: number; curve: string | null }) {
  return { keyAlgorithm: k.keyAlgorithm, keySize: k.keySize, curve: k.curve };
}

describe('file formats (the rsa2048 chain and its leaf key)', () => {
  const [leafFp, intFp, rootFp] = fingerprints('rsa2048');
  const leafKey = readFileSync(join(generated, 'rsa2048', 'leaf.key'), 'utf8');

  it.each([
    ['crlf.pem', [leafFp, intFp, rootFp], true],
    ['text-preamble.pem', [leafFp, intFp, rootFp], true],
    ['chain.p7b', [leafFp, intFp, rootFp], false],
    ['chain-der.p7b', [leafFp, intFp, rootFp], false],
    ['leaf.der', [leafFp], false],
    ['modern.p12', [leafFp, intFp], true],
    ['legacy.p12', [leafFp, intFp], true],
    ['nopass.p12', [leafFp], true],
  ] as const)('reads %s', async (file, order, hasKey) => {
    const result = await inspectPaths([join(variants, file)], { now: NOW, password: file === 'nopass.p12' ? undefined : PASSWORD });
    expect(result.chain.order).toEqual(order);
    expect(result.privateKeys.map((k) => k.matchesFingerprintSha256)).toEqual(hasKey ? [leafFp] : []);
  });

  it.each([
    ['pkcs8.der', undefined],
    ['pkcs1.key', undefined],
    ['pkcs8-encrypted.key', PASSWORD],
    ['pkcs8-pbe-3des.key', PASSWORD],
    ['legacy-aes256.key', PASSWORD],
    ['legacy-des3.key', PASSWORD],
  ])('normalises the %s private key to the same unencrypted PKCS#8', async (file, password) => {
    const bundle = await parseInputs([input(join(variants, file)), input(join(generated, 'rsa2048', 'leaf.crt'))], { password });
    expect(bundle.privateKeys).toHaveLength(1);
    expect(bundle.privateKeys[0]!.key.pkcs8Pem).toBe(leafKey);
    expect(bundle.privateKeys[0]!.matches?.info.fingerprintSha256).toBe(leafFp);
  });

  it.each([['sec1.key', undefined], ['sec1-with-params.key', undefined], ['ec-legacy-aes256.key', PASSWORD]])(
    'reads the EC key %s and matches it to the P-256 leaf',
    async (file, password) => {
      const bundle = await parseInputs([input(join(variants, file)), input(join(generated, 'p256', 'leaf.crt'))], { password });
      expect(bundle.privateKeys[0]!.key).toMatchObject({ keyAlgorithm: 'EC', curve: 'P-256', keySize: 256 });
      expect(bundle.privateKeys[0]!.key.pkcs8Pem).toBe(readFileSync(join(generated, 'p256', 'leaf.key'), 'utf8'));
      expect(bundle.privateKeys[0]!.matches).not.toBeNull();
    },
  );

  it('reads an EC PKCS#12 and a certificate followed by a SEC1 key in one PEM', async () => {
    const p12 = await inspectPaths([join(variants, 'ec.p12')], { now: NOW, password: PASSWORD });
    const pem = await inspectPaths([join(variants, 'ec-cert-and-sec1.pem')], { now: NOW });
    const p256Leaf = fingerprints('p256')[0];
    expect(p12.chain.order[0]).toBe(p256Leaf);
    expect(p12.privateKeys[0]!.matchesFingerprintSha256).toBe(p256Leaf);
    expect(pem.privateKeys[0]!.matchesFingerprintSha256).toBe(p256Leaf);
  });

  it('names CSRs, public keys and CRLs instead of failing', async () => {
    const result = await inspectPaths(['public.pem', 'request.csr', 'int.crl'].map((f) => join(variants, f)), { now: NOW });
    expect(result.certificates).toEqual([]);
    expect(result.others.map((o) => o.kind)).toEqual(['public-key', 'csr', 'crl']);
    expect(result.others[0]!.description).toBe('RSA 2048 public key');
    expect(result.others[1]!.description).toContain('CN=csr.example.test');
    expect(result.others[2]!.description).toContain('Test Intermediate CA rsa2048');
    expect(result.problems.map((p) => [p.code, p.severity])).toEqual([
      ['object.public_key', 'info'],
      ['object.csr', 'info'],
      ['object.crl', 'info'],
    ]);
  });

  it('reads pasted text and dropped bytes together, naming the paste "pasted text"', async () => {
    const chain = readFileSync(join(variants, 'crlf.pem'), 'utf8');
    const result = await inspectContent([input(join(variants, 'leaf.der'), 'leaf.der')], `\n\n  ${chain}\n`, { now: NOW });
    expect(result.chain.order).toEqual([leafFp, intFp, rootFp]);
    expect(result.privateKeys[0]!.source).toBe('pasted text');
    expect(result.certificates).toHaveLength(3);
  });

  it('accepts base64 DER without PEM armour', async () => {
    const base64 = readFileSync(join(variants, 'leaf.der')).toString('base64').replace(/(.{76})/g, '$1\n');
    const result = await inspectContent([], base64, { now: NOW });
    expect(result.chain.order).toEqual([leafFp]);
  });

  it('keeps private key material out of the Inspection', async () => {
    const result = await inspectPaths([join(variants, 'modern.p12')], { now: NOW, password: PASSWORD });
    const json = JSON.stringify(result);
    expect(json).not.toContain('PRIVATE KEY');
    expect(json).not.toContain(leafKey.split('\n')[1]);
  });
});
