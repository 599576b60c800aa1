import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCa, makeLeaf, days } from '../tests/unit/vault/helpers/pki';

// The library benches' certificates with keys: one CA, then EC P-256 leaves with two SANs each,
// spread over two years of expiry dates, one bundle file (certificate + key) per leaf and the CA
// certificate beside them, as a folder of issued certificates would look.
//
// 10,000 by default; `npm run bench -- --size 100000` (bench/run.ts) sets CERTVAULT_BENCH_SIZE for
// every bench. Generating 100,000 takes minutes, so the folder is kept between runs in the user's
// cache folder (never the repository), and reused once complete.

export const DEFAULT_LIBRARY_SIZE = 10_000;
export const SIZE_ENV = 'CERTVAULT_BENCH_SIZE';

/** The library size this bench run measures. */
export function librarySize(): number {
  const raw = process.env[SIZE_ENV];
  if (raw === undefined || raw === '') return DEFAULT_LIBRARY_SIZE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1) throw new Error(`${SIZE_ENV} must be a positive whole number, got "${raw}"`);
  return size;
}

export const LIBRARY_SIZE = librarySize();

export function fixtureCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'certvault-bench');
}

export async function libraryFixture(count = LIBRARY_SIZE): Promise<string> {
  const folder = path.join(fixtureCacheDir(), `library-${count}`);
  if (fs.existsSync(path.join(folder, 'complete'))) return folder;
  fs.rmSync(folder, { recursive: true, force: true });
  fs.mkdirSync(folder, { recursive: true });
  console.log(`generating ${count} certificates with keys in ${folder} (kept for later runs)`);
  const ca = await makeCa('Bench Issuing CA');
  fs.writeFileSync(path.join(folder, 'ca.pem'), ca.certPem);
  const now = new Date();
  const width = Math.max(5, String(count - 1).length);
  for (let i = 0; i < count; i++) {
    const host = `host${i}.${['example.com', 'example.net', 'corp.internal', 'shop.example.org'][i % 4]}`;
    const leaf = await makeLeaf(ca, {
      commonName: host,
      dnsNames: [host, `www.${host}`],
      notBefore: days(-30, now),
      notAfter: days((i % 730) - 30, now),
    });
    fs.writeFileSync(path.join(folder, `leaf-${String(i).padStart(width, '0')}.pem`), leaf.certPem + leaf.keyPem);
  }
  fs.writeFileSync(path.join(folder, 'complete'), '');
  return folder;
}
