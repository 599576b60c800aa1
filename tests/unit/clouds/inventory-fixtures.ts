import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { generatedFixturesDir } from '../../fixtures/paths';

// What the inventory client tests share: a real certificate chain and its key (the clients hash
// and read the PEM a detail call returns), the facts an independent parser finds in it, and the
// check that a key a cloud returned went nowhere.

const dir = join(generatedFixturesDir, 'rsa2048');
export const fullchainPem = readFileSync(join(dir, 'fullchain.pem'), 'utf8');
export const leafPem = readFileSync(join(dir, 'leaf.crt'), 'utf8');
export const privateKeyPem = readFileSync(join(dir, 'leaf.key'), 'utf8');

const leaf = new X509Certificate(leafPem);
export const leafFacts = {
  fingerprintSha256: leaf.fingerprint256.replaceAll(':', '').toLowerCase(),
  serial: leaf.serialNumber.toLowerCase().replace(/^0+/, ''),
  notAfter: new Date(leaf.validTo).toISOString(),
  notBefore: new Date(leaf.validFrom).toISOString(),
};

/** The key's base64 lines: none of them may appear in anything the client returned or threw. */
export function expectNoKeyIn(value: unknown): void {
  const text = value instanceof Error ? `${value.message} ${JSON.stringify(value)}` : JSON.stringify(value);
  const lines = privateKeyPem.split('\n').filter((line) => line.length > 20 && !line.startsWith('-----'));
  expect(lines.length).toBeGreaterThan(5);
  for (const line of lines) expect(text).not.toContain(line);
  expect(text).not.toContain('PRIVATE KEY');
}
