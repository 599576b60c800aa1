// Property tests: whatever bytes arrive, the inspector answers with an Inspection or a
// VaultError, never another exception and never a hang (bounded by the test timeout).
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { inspectContent } from '../../../main/core/inspect';
import { NOW, PASSWORD, generated, sm2Dir, variants } from './helpers';

async function answersCleanly(data: Uint8Array, password?: string): Promise<boolean> {
  try {
    await inspectContent([{ name: 'fuzz.bin', data }], undefined, { now: NOW, password });
    return true;
  } catch (error) {
    if (error instanceof VaultError) return true;
    throw error;
  }
}

/** Flips, overwrites, truncates or inserts bytes of a valid file. */
const mutation = (size: number) =>
  fc.oneof(
    fc.record({ kind: fc.constant('set' as const), at: fc.nat(size - 1), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant('truncate' as const), at: fc.nat(size - 1), value: fc.constant(0) }),
    fc.record({ kind: fc.constant('insert' as const), at: fc.nat(size - 1), value: fc.integer({ min: 0, max: 255 }) }),
  );

function mutate(original: Uint8Array, mutations: { kind: 'set' | 'truncate' | 'insert'; at: number; value: number }[]): Uint8Array {
  let bytes = Uint8Array.from(original);
  for (const m of mutations) {
    const at = Math.min(m.at, bytes.length - 1);
    if (m.kind === 'set') bytes[at] = m.value;
    else if (m.kind === 'truncate') bytes = bytes.subarray(0, Math.max(1, at));
    else bytes = Uint8Array.from([...bytes.subarray(0, at), m.value, ...bytes.subarray(at)]);
  }
  return bytes;
}

const samples: [string, string, string | undefined, number][] = [
  ['DER certificate', join(variants, 'leaf.der'), undefined, 300],
  ['PEM chain with key', join(generated, 'p256', 'shuffled-with-key.pem'), undefined, 300],
  ['DER PKCS#7', join(variants, 'chain-der.p7b'), undefined, 300],
  ['PKCS#8 DER key', join(variants, 'pkcs8.der'), undefined, 300],
  ['encrypted PKCS#8', join(variants, 'pkcs8-encrypted.key'), PASSWORD, 150],
  ['SM2 certificate', join(sm2Dir, 'server_sign.crt'), undefined, 300],
  ['PKCS#12', join(variants, 'modern.p12'), PASSWORD, 100],
];

describe('the inspector never throws anything but a VaultError', () => {
  it('on random bytes', async () => {
    await fc.assert(fc.asyncProperty(fc.uint8Array({ minLength: 0, maxLength: 2048 }), (data) => answersCleanly(data)), { numRuns: 300 });
  });

  it('on random bytes that start like DER', async () => {
    const der = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 512 })).map(([len, rest]) => Uint8Array.from([0x30, len, ...rest]));
    await fc.assert(fc.asyncProperty(der, (data) => answersCleanly(data)), { numRuns: 300 });
  });

  it('on random text between PEM armour', async () => {
    const block = fc
      .tuple(fc.constantFrom('CERTIFICATE', 'PRIVATE KEY', 'EC PRIVATE KEY', 'PKCS7', 'X509 CRL', 'PUBLIC KEY'), fc.base64String({ maxLength: 400 }))
      .map(([label, body]) => `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`);
    await fc.assert(fc.asyncProperty(block, (text) => answersCleanly(new TextEncoder().encode(text))), { numRuns: 300 });
  });

  it.each(samples)('on mutated %s', async (_name, path, password, numRuns) => {
    const original = new Uint8Array(readFileSync(path));
    await fc.assert(
      fc.asyncProperty(fc.array(mutation(original.length), { minLength: 1, maxLength: 4 }), (mutations) => answersCleanly(mutate(original, mutations), password)),
      { numRuns, seed: 42 },
    );
  });
});
