// Key-derivation work is capped before anything is derived: a PKCS#12 or encrypted key whose
// iteration count was patched to 2^31-1 is refused at once, naming the file and the count.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { parseInputs } from '../../../main/core/inspect';
import { MAX_KDF_ITERATIONS } from '../../../main/core/inspect/kdf-limit';
import { forgePkcs12Kdf, pkcs12Kdf } from '../../../main/core/inspect/forge-kdf';
import forge from 'node-forge';
import { patchIntegers } from './der-patch';

const HUGE = 2n ** 31n - 1n;
const PBE_ITER = 3000n; // openssl uses it for the MAC too
const dir = mkdtempSync(join(tmpdir(), 'certvault-kdf-'));
const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
let p12: Uint8Array;
let pbes1: Uint8Array;
let pbes2: Uint8Array;

beforeAll(() => {
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'cert.pem', '-subj', '/CN=kdf.test', '-days', '30');
  openssl('pkcs12', '-export', '-in', 'cert.pem', '-inkey', 'key.pem', '-passout', 'pass:pw', '-iter', String(PBE_ITER), '-out', 'a.p12');
  openssl('pkcs8', '-topk8', '-in', 'key.pem', '-v1', 'PBE-SHA1-3DES', '-iter', String(PBE_ITER), '-passout', 'pass:pw', '-outform', 'DER', '-out', 'pbes1.der');
  openssl('pkcs8', '-topk8', '-in', 'key.pem', '-v2', 'aes-256-cbc', '-iter', String(PBE_ITER), '-passout', 'pass:pw', '-outform', 'DER', '-out', 'pbes2.der');
  p12 = readFileSync(join(dir, 'a.p12'));
  pbes1 = readFileSync(join(dir, 'pbes1.der'));
  pbes2 = readFileSync(join(dir, 'pbes2.der'));
});

async function refusal(name: string, data: Uint8Array, password?: string): Promise<VaultError> {
  const error = await parseInputs([{ name, data }], password === undefined ? {} : { password }).then(
    () => null,
    (e: unknown) => e,
  );
  // No timing assertion: a derivation that started would not come back within the test at all.
  if (!(error instanceof VaultError)) throw new Error(`expected a VaultError, got ${String(error)}`);
  return error;
}

const patched = (data: Uint8Array, from: bigint) => patchIntegers(data, (value) => (value === from ? HUGE : null));

describe('key-derivation work cap', () => {
  it('still opens the unpatched files', async () => {
    const bundle = await parseInputs([{ name: 'a.p12', data: p12 }], { password: 'pw' });
    expect(bundle.certificates).toHaveLength(1);
    expect(bundle.privateKeys).toHaveLength(1);
    expect((await parseInputs([{ name: 'k.der', data: pbes1 }], { password: 'pw' })).privateKeys).toHaveLength(1);
    expect((await parseInputs([{ name: 'k.der', data: pbes2 }], { password: 'pw' })).privateKeys).toHaveLength(1);
  });

  it('refuses a PKCS#12 whose MAC iteration count is 2^31-1, with or without a password', async () => {
    // PFX { version, authSafe, macData { mac, salt, iterations } }: only the MAC's count.
    const data = patchIntegers(p12, (value, path) => (path.join() === '2,2' ? HUGE : null));
    for (const password of [undefined, 'pw', 'wrong']) {
      const error = await refusal('mac.p12', data, password);
      expect(error.code).toBe('input.kdf_too_costly');
      expect(error.params).toEqual({ file: 'mac.p12', count: HUGE.toString(), limit: MAX_KDF_ITERATIONS });
    }
  });

  it('refuses a PKCS#12 whose PBE iteration counts are 2^31-1', async () => {
    const data = patchIntegers(p12, (value, path) => (value === PBE_ITER && path[0] === 1 ? HUGE : null));
    const error = await refusal('pbe.p12', data, 'pw');
    expect(error.toInfo()).toMatchObject({ code: 'input.kdf_too_costly', params: { file: 'pbe.p12', count: '2147483647' } });
    expect(error.message).toContain('2147483647');
  });

  it('refuses PBES1 and PBES2 keys with a huge count before deriving', async () => {
    for (const [name, data] of [
      ['pbes1.der', pbes1],
      ['pbes2.der', pbes2],
    ] as const) {
      const error = await refusal(name, patched(data, PBE_ITER), 'pw');
      expect(error.code).toBe('input.kdf_too_costly');
      expect(error.params).toMatchObject({ file: name, count: HUGE.toString() });
    }
  });

  it('refuses a count encoded wider than any number (9 bytes)', async () => {
    const error = await refusal('wide.der', patchIntegers(pbes2, (value) => (value === PBE_ITER ? 2n ** 70n : null)), 'pw');
    expect(error.params).toMatchObject({ count: (2n ** 70n).toString() });
  });

  it('refuses one iteration over the limit', async () => {
    const data = patchIntegers(pbes2, (value) => (value === PBE_ITER ? BigInt(MAX_KDF_ITERATIONS) + 1n : null));
    expect((await refusal('over.der', data, 'pw')).code).toBe('input.kdf_too_costly');
  });
});

describe('PKCS#12 key derivation on native hashes', () => {
  it('derives exactly what node-forge derives', () => {
    const cases = [
      { password: 'pw', salt: 'salt1234', id: 1, iterations: 2048, length: 24, digest: 'sha1' },
      { password: '', salt: 'x', id: 3, iterations: 1, length: 20, digest: 'sha1' },
      { password: null, salt: '12345678', id: 2, iterations: 7, length: 8, digest: 'sha1' },
      { password: 'pässwörd 密码', salt: 'a longer salt of more than sixty-four bytes to wrap the block size!', id: 1, iterations: 100, length: 70, digest: 'sha256' },
      { password: 'p', salt: 'salt', id: 1, iterations: 3, length: 150, digest: 'sha512' },
    ];
    for (const c of cases) {
      const md = forge.md[c.digest as 'sha1' | 'sha256' | 'sha512'].create();
      const expected = forgePkcs12Kdf(c.password, forge.util.createBuffer(c.salt), c.id, c.iterations, c.length, md).getBytes();
      const actual = pkcs12Kdf(c.password, Buffer.from(c.salt, 'binary'), c.id, c.iterations, c.length, c.digest);
      expect(actual.toString('hex')).toBe(Buffer.from(expected, 'binary').toString('hex'));
    }
  });

  it('is what forge now calls, so a key bag nested in encrypted content is capped too', () => {
    expect(() => (forge.pkcs12 as unknown as { generateKey: typeof forgePkcs12Kdf }).generateKey('pw', forge.util.createBuffer('salt'), 3, Number(HUGE), 20)).toThrow(
      /2147483647 iterations/,
    );
  });
});

describe('PBKDF2 inside PKCS#12', () => {
  it('derives what forge derived, natively, and is capped', () => {
    const md = forge.md.sha256.create();
    const pbkdf2 = forge.pkcs5.pbkdf2 as unknown as (p: string, s: string, c: number, n: number, md?: unknown) => string;
    const expected = forge.util.bytesToHex(pbkdf2('pw', 'saltsalt', 1000, 32, 'sha256'));
    expect(forge.util.bytesToHex(pbkdf2('pw', 'saltsalt', 1000, 32, md))).toBe(expected);
    expect(expected).toBe(execFileSync('openssl', ['kdf', '-keylen', '32', '-kdfopt', 'digest:SHA256', '-kdfopt', 'pass:pw', '-kdfopt', 'salt:saltsalt', '-kdfopt', 'iter:1000', 'PBKDF2']).toString().trim().replaceAll(':', '').toLowerCase());
    expect(() => pbkdf2('pw', 'salt', Number(HUGE), 32, md)).toThrow(/2147483647 iterations/);
  });
});
