import fc from 'fast-check';
import { createHash } from 'node:crypto';
import type { KeyAlgorithm } from '../../../shared/model';
import type { UploadMaterial } from '../../../main/clouds/provider';
import { leafInfo, material } from './http-fake';

// Generated upload material for the Huawei and Volcengine property tests: the signers and request
// builders only move PEM text and read a few leaf fields, so PEM bodies are random base64 of a chosen size.

/** A PEM block whose base64 body is `size` characters, deterministic per `seed`. */
export function pemBlock(label: string, size: number, seed: number): string {
  let body = '';
  for (let i = 0; body.length < size; i += 1) body += createHash('sha256').update(`${label}${seed}:${i}`).digest('base64');
  const lines = body.slice(0, size).match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Random leaf (Unicode CN or none, any expiry, RSA or EC) with 0-4 intermediates and a key. */
export const arbitraryMaterial: fc.Arbitrary<UploadMaterial> = fc
  .record({
    commonName: fc.option(fc.string({ unit: 'grapheme', minLength: 1, maxLength: 80 }), { nil: null }),
    notAfter: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
    fingerprint: fc.stringMatching(/^[0-9a-f]{64}$/),
    keyAlgorithm: fc.constantFrom<KeyAlgorithm>('RSA', 'EC'),
    chain: fc.array(fc.integer({ min: 300, max: 2500 }), { maxLength: 4 }),
    seed: fc.nat(),
  })
  .map(({ commonName, notAfter, fingerprint, keyAlgorithm, chain, seed }) => {
    const certificatePem = pemBlock('CERTIFICATE', 1200, seed);
    return material({
      leaf: leafInfo({ commonName, notAfter: notAfter.toISOString(), fingerprintSha256: fingerprint, keyAlgorithm, dnsNames: commonName ? [commonName] : [], pem: certificatePem }),
      certificatePem,
      chainPem: chain.map((size, i) => pemBlock('CERTIFICATE', size, seed + i + 1)).join(''),
      privateKeyPem: pemBlock(keyAlgorithm === 'EC' ? 'EC PRIVATE KEY' : 'PRIVATE KEY', keyAlgorithm === 'EC' ? 300 : 1600, seed + 100),
    });
  });
