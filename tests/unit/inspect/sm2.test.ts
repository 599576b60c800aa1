// SM2 through pure JS (sm-crypto-v2), as it must work under Electron's BoringSSL.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { analyzeChain, inspectPaths, parseInputs } from '../../../main/core/inspect';
import { parseCertificate } from '../../../main/core/inspect/certificate';
import { verifySm2 } from '../../../main/core/inspect/sm2';
import { NOW, input, opensslFacts, sm2Dir } from './helpers';

const file = (name: string) => join(sm2Dir, name);
const pemDers = (path: string) =>
  [...readFileSync(path, 'utf8').matchAll(/-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/g)].map((m) =>
    Uint8Array.from(Buffer.from(m[1]!.replace(/\s/g, ''), 'base64')),
  );
const [rootDer, subDer] = pemDers(file('chain-ca.crt'));
const root = parseCertificate(rootDer!);
const sub = parseCertificate(subDer!);
const sign = parseCertificate(pemDers(file('server_sign.crt'))[0]!);
const enc = parseCertificate(pemDers(file('server_enc.crt'))[0]!);

describe('SM2 signatures (SM3, default distinguishing ID)', () => {
  it('verifies the root self-signature, root -> sub CA, and sub CA -> both leaves', () => {
    expect(root.info.selfSigned).toBe(true);
    expect(verifySm2(sub.signed.tbs, sub.signed.signature, root.publicKey.keyBits)).toBe(true);
    expect(verifySm2(sign.signed.tbs, sign.signed.signature, sub.publicKey.keyBits)).toBe(true);
    expect(verifySm2(enc.signed.tbs, enc.signed.signature, sub.publicKey.keyBits)).toBe(true);
  });

  it('rejects a signature under the wrong key or over altered data', () => {
    expect(verifySm2(sign.signed.tbs, sign.signed.signature, root.publicKey.keyBits)).toBe(false);
    const altered = Uint8Array.from(sign.signed.tbs);
    altered[altered.length - 1]! ^= 1;
    expect(verifySm2(altered, sign.signed.signature, sub.publicKey.keyBits)).toBe(false);
    expect(verifySm2(sign.signed.tbs, Uint8Array.of(0x30, 0x00), sub.publicKey.keyBits)).toBe(false);
  });

  it('describes SM2 certificates with fingerprints openssl agrees with', () => {
    expect(sign.info).toMatchObject({ keyAlgorithm: 'SM2', keySize: 256, curve: 'SM2', signatureAlgorithm: 'SM2-with-SM3' });
    expect(sign.info.fingerprintSha256).toBe(opensslFacts(file('server_sign.crt')).fingerprintSha256);
  });
});

describe('SM2 dual certificates', () => {
  it('recognises the sign/encrypt pair by key usage and orders the chain from the signing leaf', () => {
    const roles = analyzeChain([enc, root, sign, sub]);
    expect(roles.sm2Pair?.sign).toBe(sign);
    expect(roles.sm2Pair?.encrypt).toBe(enc);
    expect(roles.path).toEqual([sign, sub, root]);
    expect(roles.intermediates).toEqual([sub]);
    expect(roles.root).toBe(root);
    expect(roles.unrelated).toEqual([]);
    expect(roles.verified).toBe(true);
  });

  it('reports the pair and matches each key to its own certificate', async () => {
    const result = await inspectPaths(
      ['server_enc.key', 'chain-ca.crt', 'server_enc.crt', 'server_sign.key', 'server_sign.crt'].map(file),
      { now: NOW },
    );
    expect(result.chain.order).toEqual([sign, sub, root].map((c) => c.info.fingerprintSha256));
    expect(result.chain.encryptionCertificate).toBe(enc.info.fingerprintSha256);
    expect(result.chain.complete).toBe(true);
    expect(result.chain.verified).toBe(true);
    expect(result.problems).toEqual([]);
    expect(result.privateKeys.map((k) => [k.source.split('/').pop(), k.keyAlgorithm, k.matchesFingerprintSha256])).toEqual([
      ['server_enc.key', 'SM2', enc.info.fingerprintSha256],
      ['server_sign.key', 'SM2', sign.info.fingerprintSha256],
    ]);
  });
});

describe('legacy SM2 key (EC PARAMETERS + SEC1)', () => {
  it('takes the curve from the key, matches legacy_first.crt and normalises to PKCS#8', async () => {
    const bundle = await parseInputs([input(file('legacy_first.key')), input(file('legacy_first.crt'))]);
    const [{ key, matches }] = bundle.privateKeys as [(typeof bundle.privateKeys)[number]];
    expect(key).toMatchObject({ keyAlgorithm: 'SM2', curve: 'SM2', keySize: 256 });
    expect(matches?.info.commonName).toBe('Test SM2 first level cert');
    expect(key.pkcs8Pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    // The normalised key reads back to the same key.
    const again = await parseInputs([{ name: 'again.pem', data: new TextEncoder().encode(key.pkcs8Pem) }, input(file('legacy_first.crt'))]);
    expect(again.privateKeys[0]!.matches?.info.fingerprintSha256).toBe(matches?.info.fingerprintSha256);
  });

  it('does not match an SM2 key to the wrong certificate', async () => {
    const bundle = await parseInputs([input(file('legacy_first.key')), input(file('server_sign.crt'))]);
    expect(bundle.privateKeys[0]!.matches).toBeNull();
  });

  it('reports the legacy leaf as expired with its missing CA named', async () => {
    const result = await inspectPaths([file('legacy_first.crt')], { now: NOW });
    expect(result.problems.map((p) => p.code)).toEqual(['cert.expired', 'chain.incomplete']);
    expect(result.chain.missingIssuer).toBe('C=CN, ST=LN, L=Shenyang, O=Test Org, OU=Test OU, CN=Test SM2 CA');
  });
});
