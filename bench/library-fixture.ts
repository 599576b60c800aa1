import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { latestVersion } from '../main/core/db/migrations';
import { DATABASE_FILE } from '../main/core/db/open';
import { Vault } from '../main/core/library/vault';
import { MemorySecretStore } from '../tests/unit/vault/helpers/memory-secret-store';
import { makeCa, makeLeaf, days } from '../tests/unit/vault/helpers/pki';
import { librarySize } from './size';

// The library benches' certificates with keys: one CA, then EC P-256 leaves with two SANs each,
// spread over two years of expiry dates, one bundle file (certificate + key) per leaf and the CA
// certificate beside them, as a folder of issued certificates would look. Serial numbers are 16
// bytes that look random, unique per leaf, as CAs issue them (RFC 5280 asks for 64 bits of
// entropy): counting serials 1002, 1003... would make a search for one serial a substring of
// hundreds of fingerprints and host names.
//
// 10,000 by default; `npm run bench -- --size 100000` (bench/run.ts) sets CERTVAULT_BENCH_SIZE for
// every bench (bench/size.ts). Generating 100,000 takes minutes, so the folder is kept between runs in the user's
// cache folder (never the repository), and reused once complete.

export const LIBRARY_SIZE = librarySize();
/** Bumped when the generated files change, so a cache of an older fixture is never reused. */
export const FIXTURE_VERSION = 2;
/** The bench keychain's content beside a kept vault: a bench secret, never a user's. */
const KEYCHAIN_FILE = 'bench-keychain.json';

export function fixtureCacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'certvault-bench');
}

export async function libraryFixture(count = LIBRARY_SIZE): Promise<string> {
  const folder = path.join(fixtureCacheDir(), `library-v${FIXTURE_VERSION}-${count}`);
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
      serial: benchSerial(i),
    });
    fs.writeFileSync(path.join(folder, `leaf-${String(i).padStart(width, '0')}.pem`), leaf.certPem + leaf.keyPem);
  }
  fs.writeFileSync(path.join(folder, 'complete'), '');
  return folder;
}

/** 16 bytes from a hash of the leaf's number: unique, stable from run to run, a positive INTEGER (first bit clear). */
export function benchSerial(i: number): string {
  const hex = createHash('sha256').update(`bench serial ${i}`).digest('hex').slice(0, 32);
  return `${(1 + (Number.parseInt(hex[0]!, 16) % 7)).toString(16)}${hex.slice(1)}`;
}

/**
 * A vault holding the fixture, for the benches that measure reading it: a fresh copy in a temp
 * folder of one imported once per size and schema version and kept beside the fixture (importing
 * 100,000 entries takes minutes; bench/library-import.ts measures that). After a new migration,
 * the vault kept for an older schema is copied and migrated, as a user's vault is on upgrade,
 * rather than imported again (tens of minutes at 100,000 on a loaded machine). The caller removes the copy.
 */
export async function importedVaultCopy(count = LIBRARY_SIZE): Promise<string> {
  const kept = keptVaultDir(count);
  if (!fs.existsSync(path.join(kept, 'complete'))) {
    fs.rmSync(kept, { recursive: true, force: true });
    const older = olderKeptVault(count);
    if (older) await migratedKeptVault(older, kept);
    else await importedKeptVault(kept, count);
    fs.writeFileSync(path.join(kept, 'complete'), '');
  }
  const copy = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-vault-'));
  fs.copyFileSync(path.join(kept, DATABASE_FILE), path.join(copy, DATABASE_FILE));
  fs.copyFileSync(path.join(kept, KEYCHAIN_FILE), path.join(copy, KEYCHAIN_FILE));
  return copy;
}

/** The fixture imported into `kept`, with its keychain beside it. */
async function importedKeptVault(kept: string, count: number): Promise<void> {
  const folder = await libraryFixture(count);
  const secrets = new MemorySecretStore();
  const vault = Vault.open({ dataDir: kept, secrets });
  const result = await vault.importPaths([folder]);
  await vault.close();
  if (result.counts.new !== count) throw new Error(`fixture vault wrong: ${result.counts.new} of ${count} imported`);
  writeKeychain(kept, secrets);
}

/** A vault kept for an older schema, copied into `kept` and migrated: opening it applies the migrations. */
async function migratedKeptVault(older: string, kept: string): Promise<void> {
  fs.mkdirSync(kept, { recursive: true });
  fs.copyFileSync(path.join(older, DATABASE_FILE), path.join(kept, DATABASE_FILE));
  fs.copyFileSync(path.join(older, KEYCHAIN_FILE), path.join(kept, KEYCHAIN_FILE));
  await Vault.open({ dataDir: kept, secrets: keychainOf(kept) }).close();
}

/**
 * Keeps a vault holding exactly the fixture (bench/library-import.ts's, once it checked the
 * import) as the one importedVaultCopy hands out, when none is kept yet for this size and schema:
 * at 100,000 entries that saves an import of several minutes. Moves `dataDir` away.
 */
export function keepImportedVault(dataDir: string, secrets: MemorySecretStore, count = LIBRARY_SIZE): void {
  const kept = keptVaultDir(count);
  if (fs.existsSync(path.join(kept, 'complete'))) {
    fs.rmSync(dataDir, { recursive: true, force: true });
    return;
  }
  fs.rmSync(kept, { recursive: true, force: true });
  fs.mkdirSync(kept, { recursive: true });
  fs.copyFileSync(path.join(dataDir, DATABASE_FILE), path.join(kept, DATABASE_FILE));
  fs.rmSync(dataDir, { recursive: true, force: true });
  writeKeychain(kept, secrets);
  fs.writeFileSync(path.join(kept, 'complete'), '');
}

function keptVaultDir(count: number, schema = latestVersion): string {
  return path.join(fixtureCacheDir(), `vault-v${FIXTURE_VERSION}-${count}-schema-${schema}`);
}

/** The complete kept vault of this size with the newest schema older than the current one, if any. */
function olderKeptVault(count: number): string | null {
  for (let schema = latestVersion - 1; schema > 0; schema--) {
    const dir = keptVaultDir(count, schema);
    if (fs.existsSync(path.join(dir, 'complete'))) return dir;
  }
  return null;
}

/** The bench keychain's content beside a vault or a member's data folder, for another process to read back (keychainOf). */
export function writeKeychain(dir: string, secrets: MemorySecretStore): void {
  fs.writeFileSync(path.join(dir, KEYCHAIN_FILE), JSON.stringify([...secrets.secrets]), { mode: 0o600 });
}

/** The in-memory keychain holding the data key of a copy from importedVaultCopy (or a member's, written by writeKeychain): its keys open. */
export function keychainOf(copy: string): MemorySecretStore {
  const secrets = new MemorySecretStore();
  for (const [account, secret] of JSON.parse(fs.readFileSync(path.join(copy, KEYCHAIN_FILE), 'utf8')) as [string, string][]) {
    secrets.secrets.set(account, secret);
  }
  return secrets;
}
