// PEM labels written by Chinese toolkits: Tongsuo/GmSSL "SM2 PRIVATE KEY" (SEC1 inside, like
// EC PRIVATE KEY) and "SM2 PARAMETERS"; Go toolkits' PKCS#8 under "SM2 PRIVATE KEY" and
// "ENCRYPTED SM2 PRIVATE KEY".
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectContent } from '../../../main/core/inspect';
import { sm2FixturesDir } from '../../fixtures/paths';

const now = new Date('2026-06-01T00:00:00Z');
const read = (name: string) => readFileSync(join(sm2FixturesDir, name), 'utf8');
const relabel = (pem: string, from: string, to: string) => pem.replaceAll(`-----BEGIN ${from}-----`, `-----BEGIN ${to}-----`).replaceAll(`-----END ${from}-----`, `-----END ${to}-----`);

async function keyMatches(cert: string, key: string, password?: string): Promise<boolean> {
  const inspection = await inspectContent([{ name: 'cert.pem', data: Buffer.from(cert) }, { name: 'key.pem', data: Buffer.from(key) }], undefined, { now, ...(password ? { password } : {}) });
  expect(inspection.privateKeys).toHaveLength(1);
  expect(inspection.privateKeys[0]!.keyAlgorithm).toBe('SM2');
  return inspection.privateKeys[0]!.matchesFingerprintSha256 === inspection.certificates[0]!.fingerprintSha256;
}

describe('SM2 PEM labels', () => {
  it('accepts Tongsuo "SM2 PARAMETERS" + "SM2 PRIVATE KEY" (SEC1) like EC PARAMETERS + EC PRIVATE KEY', async () => {
    const tongsuo = relabel(relabel(read('legacy_first.key'), 'EC PARAMETERS', 'SM2 PARAMETERS'), 'EC PRIVATE KEY', 'SM2 PRIVATE KEY');
    expect(tongsuo).toContain('-----BEGIN SM2 PRIVATE KEY-----');
    expect(await keyMatches(read('legacy_first.crt'), tongsuo)).toBe(true);
  });

  it('accepts PKCS#8 under "SM2 PRIVATE KEY" and encrypted PKCS#8 under "ENCRYPTED SM2 PRIVATE KEY"', async () => {
    const pkcs8 = read('server_sign.key');
    expect(await keyMatches(read('server_sign.crt'), relabel(pkcs8, 'PRIVATE KEY', 'SM2 PRIVATE KEY'))).toBe(true);
    const encrypted = execFileSync('openssl', ['pkcs8', '-topk8', '-v2', 'aes-128-cbc', '-passout', 'pass:pw'], { input: pkcs8, encoding: 'utf8' });
    expect(await keyMatches(read('server_sign.crt'), relabel(encrypted, 'ENCRYPTED PRIVATE KEY', 'ENCRYPTED SM2 PRIVATE KEY'), 'pw')).toBe(true);
  });
});
