import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEYCHAIN_SERVICE, osKeychain } from '../../../main/core/keychain';
import { Vault } from '../../../main/core/library/vault';
import { unseal } from '../../../main/core/seal';
import { sealingContext } from '../../../main/core/library/store';
import { makeCa, makeLeaf, type Issued } from '../../unit/vault/helpers/pki';
import { assertThrowawayKeyring } from './keyring-guard';

// The vault with the real Secret Service of scripts/with-keyring.sh.
assertThrowawayKeyring();

const ROOT = path.resolve(__dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CHILD = path.join(__dirname, 'import-child.ts');
const secrets = osKeychain();
/** The user's yes to starting a new data key. */
const confirmed = async (): Promise<boolean> => true;
let work: string;
let ca: Issued;
let leaves: Issued[];

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-it-'));
  ca = await makeCa('Integration CA');
  leaves = [];
  for (let i = 0; i < 120; i++) leaves.push(await makeLeaf(ca, { commonName: `host${i}.example.net` }));
});
afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

const bundle = (leaf: Issued) => ({ name: 'bundle.pem', data: Buffer.from(leaf.certPem + ca.certPem + leaf.keyPem) });
const pemBody = (pem: string) => pem.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');
const derOf = (pem: string) => Buffer.from(pemBody(pem), 'base64');
function vaultFiles(dir: string): Buffer {
  return Buffer.concat(['vault.db', 'vault.db-wal', 'vault.db-shm'].map((f) => (fs.existsSync(path.join(dir, f)) ? fs.readFileSync(path.join(dir, f)) : Buffer.alloc(0))));
}
function snapshot(dir: string): Record<string, string> {
  return Object.fromEntries(
    fs.readdirSync(dir).filter((f) => f.startsWith('vault.db')).map((f) => [f, fs.readFileSync(path.join(dir, f)).toString('base64')]),
  );
}
function fresh(name: string): string {
  const dir = path.join(work, name);
  fs.mkdirSync(dir);
  return dir;
}

describe('keychain (real Secret Service)', () => {
  it('stores, reads and deletes a secret', async () => {
    await secrets.set('it-probe', 'value');
    expect(await secrets.get('it-probe')).toBe('value');
    expect(await secrets.delete('it-probe')).toBe(true);
    expect(await secrets.get('it-probe')).toBeNull();
    expect(KEYCHAIN_SERVICE).toBe('Cert Vault');
  });

  it('no Secret Service reachable: certificates imported, the key refused naming the cause and what to install, no silent fallback', async () => {
    const dir = fresh('unavailable');
    await Vault.open({ dataDir: dir, secrets }).close();
    const input = path.join(dir, 'in.pem');
    const certOnly = path.join(dir, 'cert-only.pem');
    fs.writeFileSync(input, bundle(leaves[0]!).data);
    fs.writeFileSync(certOnly, leaves[1]!.certPem);
    const child = spawnSync(TSX, [CHILD, dir, input, certOnly], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
      encoding: 'utf8',
    });
    const report = JSON.parse(child.stdout.trim().split('\n').at(-1)!);
    expect(report).toEqual({ imported: 2, failed: [], keysNotStored: [expect.stringMatching(/^No OS keychain is reachable \(.+\)\. On Linux install and unlock a Secret Service/)] });
    const db = new Database(path.join(dir, 'vault.db'), { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) FROM entries WHERE has_key = 0').pluck().get()).toBe(2);
      expect(db.prepare('SELECT count(*) FROM sealed_keys').pluck().get()).toBe(0);
      expect(db.prepare("SELECT count(*) FROM vault_meta WHERE key = 'data_key_check'").pluck().get()).toBe(0);
    } finally {
      db.close();
    }
    // A child process started from source (tsx compiles it first).
  }, 90_000);

  it('certvault import with no Secret Service: exit 3, each certificate filed, the key named with the reason', () => {
    const dir = fresh('unavailable-cli');
    const input = path.join(dir, 'bundle.pem');
    fs.writeFileSync(input, bundle(leaves[2]!).data);
    const child = spawnSync(TSX, [path.join(ROOT, 'main/cli/certvault.ts'), '--home', dir, 'import', input], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
      encoding: 'utf8',
    });
    expect(child.status).toBe(3);
    expect(child.stdout.trimEnd().split('\n').at(-1)).toBe('1 new entry, 0 already in the library, 1 private key not stored (below)');
    expect(child.stderr).toMatch(/^certvault import: .*bundle\.pem: certificate imported as [0-9a-f]{12}, private key not stored: No OS keychain is reachable .*install and unlock a Secret Service/);
    const list = spawnSync(TSX, [path.join(ROOT, 'main/cli/certvault.ts'), '--home', dir, 'list'], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' },
      encoding: 'utf8',
    });
    expect(list.status).toBe(0);
    expect(list.stdout).toContain(`host2.example.net`);
    // Two CLI processes started from source (tsx compiles the CLI in each): past 30 s on a loaded machine.
  }, 120_000);
});

describe('vault on the real keychain', () => {
  it('never writes key material in plaintext to the database or its WAL', async () => {
    const dir = fresh('plaintext');
    const vault = Vault.open({ dataDir: dir, secrets });
    const sample = leaves.slice(0, 20);
    for (const leaf of sample) await vault.importContent([bundle(leaf)]);
    const files = vaultFiles(dir);
    expect(fs.existsSync(path.join(dir, 'vault.db-wal'))).toBe(true);
    const dataKey = Buffer.from((await secrets.get(`vault-data-key:${await vault.vaultId()}`))!, 'base64');
    for (const leaf of sample) {
      const der = derOf(leaf.keyPem);
      expect(files.includes(Buffer.from(pemBody(leaf.keyPem)))).toBe(false);
      expect(files.includes(der)).toBe(false);
      // The EC private scalar on its own (32 bytes inside the PKCS#8).
      const scalar = der.subarray(der.indexOf(Buffer.from([0x04, 0x20])) + 2, der.indexOf(Buffer.from([0x04, 0x20])) + 34);
      expect(files.includes(scalar)).toBe(false);
      // The certificate itself is public and stored as is.
      expect(files.includes(derOf(leaf.certPem))).toBe(true);
    }
    expect(files.includes(dataKey)).toBe(false);
    expect(files.includes(Buffer.from(dataKey.toString('base64')))).toBe(false);
    await vault.close();
  });

  it('data key deleted from the keychain: certificates readable, keys unrecoverable, key not regenerated', async () => {
    const dir = fresh('missing-key');
    let vault = Vault.open({ dataDir: dir, secrets });
    const { imported } = await vault.importContent([bundle(leaves[0]!)]);
    const id = imported[0]!.id;
    const account = `vault-data-key:${await vault.vaultId()}`;
    await vault.close();
    expect(await secrets.delete(account)).toBe(true);

    vault = Vault.open({ dataDir: dir, secrets });
    expect((await vault.list()).entries.map((e) => e.name)).toEqual(['host0.example.net']);
    expect((await vault.export(id, 'fullchain')).bytes.toString()).toBe(leaves[0]!.certPem + ca.certPem);
    expect((await vault.detail(id)).keyState).toBe('unrecoverable');
    await expect(vault.export(id, 'key')).rejects.toMatchObject({ code: 'vault.key_unrecoverable' });
    const again = await vault.importContent([bundle(leaves[1]!)]);
    expect(again.failed).toEqual([]);
    expect(again.keysNotStored.map((k) => k.error.code)).toEqual(['keychain.data_key_missing']);
    expect(await secrets.get(account)).toBeNull();

    // The confirmed way out: a new data key in the real keychain; the old key stays lost until
    // the same key is imported again.
    expect(await vault.resetDataKey(confirmed)).toEqual({ dataKey: 'ready', sealedKeys: 0, retiredKeys: 1 });
    expect(await secrets.get(account)).not.toBeNull();
    await vault.close();
    vault = Vault.open({ dataDir: dir, secrets });
    await expect(vault.export(id, 'key')).rejects.toMatchObject({ code: 'vault.key_unrecoverable' });
    await vault.importContent([bundle(leaves[0]!), bundle(leaves[1]!)]);
    expect(await vault.keychainStatus()).toEqual({ dataKey: 'ready', sealedKeys: 2, retiredKeys: 0 });
    expect((await vault.export(id, 'key')).bytes.toString()).toBe(leaves[0]!.keyPem);
    await vault.close();
  });

  it('every bad input leaves the vault byte-for-byte unchanged', async () => {
    const dir = fresh('unchanged');
    const vault = Vault.open({ dataDir: dir, secrets });
    const { imported } = await vault.importContent([bundle(leaves[2]!)]);
    const id = imported[0]!.id;
    // Settle the WAL so the snapshot is stable, as after any idle period.
    const db = new Database(path.join(dir, 'vault.db'));
    db.pragma('wal_checkpoint(TRUNCATE)');
    db.close();
    const before = snapshot(dir);
    const bad = [
      { name: 'garbage.pem', data: Buffer.from('hello, not a certificate') },
      { name: 'empty.pem', data: Buffer.alloc(0) },
      { name: 'broken.pem', data: Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB%%%\n-----END CERTIFICATE-----\n') },
      { name: 'truncated.der', data: derOf(leaves[3]!.certPem).subarray(0, 100) },
      { name: 'stray.key', data: Buffer.from(leaves[4]!.keyPem) },
    ];
    for (const input of bad) {
      const result = await vault.importContent([input]);
      expect(result.imported).toEqual([]);
      expect(result.failed).toHaveLength(1);
    }
    expect((await vault.importPaths([path.join(dir, 'no-such-file.pem')])).imported).toEqual([]);
    await expect(vault.update('ffffffffffff', { name: 'x' }, new Date(0).toISOString())).rejects.toThrow();
    await expect(vault.remove('not-an-id')).rejects.toThrow();
    await expect(vault.export(id, 'pfx')).rejects.toMatchObject({ code: 'export.password_required' });
    await expect(vault.exportToFile(id, 'pem', path.join(dir, 'missing', 'x.pem'))).rejects.toMatchObject({ code: 'export.write_failed' });
    // A duplicate that brings nothing new is not a write either.
    expect((await vault.importContent([bundle(leaves[2]!)])).imported[0]!.duplicate).toBe(true);
    expect(snapshot(dir)).toEqual(before);
    await vault.close();
  });

  it('kill -9 at random points during imports leaves a consistent database with no half entries', async () => {
    const input = path.join(work, 'crash-input');
    fs.mkdirSync(input);
    const files = leaves.map((leaf, i) => {
      const file = path.join(input, `bundle-${String(i).padStart(3, '0')}.pem`);
      fs.writeFileSync(file, bundle(leaf).data);
      return file;
    });
    const counts: number[] = [];
    for (let round = 0; round < 20; round++) {
      // A fresh vault each round, so each kill lands somewhere else in the import.
      const dir = fresh(`crash-${round}`);
      // node with tsx's loader, not the tsx wrapper: the wrapper runs the script in a grandchild that
      // SIGKILL would miss, left writing while the database is checked.
      const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dir, ...files], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
      const exited = new Promise((resolve) => child.once('exit', resolve));
      // Killed after a random number of files (0 to 10) and a random moment into the next one:
      // counted by the child's own reports, so the kill lands inside the run however slowly a loaded
      // machine runs it, rather than a fixed time after start that may pass before the first commit.
      const after = Math.floor(Math.random() * 11);
      let reported = -1;
      const reachedTarget = new Promise<void>((resolve) =>
        child.stdout.on('data', (chunk: Buffer) => {
          reported += chunk.toString().split('\n').filter((line) => line === 'ready' || line === 'imported').length;
          if (reported >= after) resolve();
        }),
      );
      await Promise.race([reachedTarget, exited]);
      await new Promise((resolve) => setTimeout(resolve, Math.random() * 40));
      child.kill('SIGKILL');
      await exited;
      counts.push(await assertConsistent(dir));
    }
    // The kills did land in the middle of imports, not only before or after them.
    expect(counts.some((n) => n > 0 && n < files.length)).toBe(true);
  }, 240_000);
});

/**
 * Integrity, foreign keys, and every entry whole: its leaf and chain rows, and a sealed key that
 * opens with the keychain's data key whenever has_key says there is one. Returns the entry count.
 */
async function assertConsistent(dir: string): Promise<number> {
  const db = new Database(path.join(dir, 'vault.db'), { readonly: true });
  try {
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('foreign_key_check')).toEqual([]);
    const halfEntries = db
      .prepare(
        `SELECT id FROM entries e WHERE
           NOT EXISTS (SELECT 1 FROM entry_certificates c WHERE c.entry_id = e.id AND c.role = 'leaf')
           OR NOT EXISTS (SELECT 1 FROM entry_certificates c WHERE c.entry_id = e.id AND c.role = 'chain')
           OR has_key != EXISTS (SELECT 1 FROM sealed_keys k WHERE k.entry_id = e.id)`,
      )
      .all();
    expect(halfEntries).toEqual([]);
    const count = db.prepare('SELECT count(*) FROM entries').pluck().get() as number;
    const sealed = db.prepare('SELECT entry_id, role, nonce, ciphertext FROM sealed_keys').all() as {
      entry_id: string;
      role: 'leaf' | 'sm2-encrypt';
      nonce: Buffer;
      ciphertext: Buffer;
    }[];
    expect(sealed).toHaveLength(count);
    if (count > 0) {
      const vaultId = db.prepare("SELECT value FROM vault_meta WHERE key = 'vault_id'").pluck().get() as string;
      const dataKey = Buffer.from((await secrets.get(`vault-data-key:${vaultId}`))!, 'base64');
      for (const row of sealed) expect(unseal(dataKey, row, sealingContext(row.entry_id, row.role))).not.toBeNull();
    }
    return count;
  } finally {
    db.close();
  }
}
