import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DATABASE_FILE, openDatabase } from '../../../main/core/db/open';
import { StatementLru } from '../../../main/core/db/sqlite-dialect';
import { sqliteVaultDb, type VaultDb } from '../../../main/core/db/vault-db';
import { VaultError } from '../../../shared/errors';

// The vault's SQLite dialect: statements prepared once per SQL text (bounded), transactions that
// take the write lock at BEGIN, and a lock held too long by another process as 'vault.busy'.

const dirs: string[] = [];
const open: { close(): unknown }[] = [];

afterEach(async () => {
  for (const handle of open.splice(0).reverse()) await handle.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function tempVault(): { dir: string; vault: VaultDb; raw: Database.Database } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-dialect-'));
  dirs.push(dir);
  const raw = openDatabase(dir);
  const vault = sqliteVaultDb(raw, { owned: true });
  open.push(vault);
  return { dir, vault, raw };
}

/** A second process's connection to the same file (the CLI beside the app). */
function otherConnection(dir: string): Database.Database {
  const other = new Database(path.join(dir, DATABASE_FILE));
  other.pragma('busy_timeout = 0');
  open.push(other);
  return other;
}

async function busyCode(work: Promise<unknown>): Promise<string | null> {
  const error = await work.then(() => null, (caught: unknown) => caught);
  return error instanceof VaultError ? error.code : null;
}

describe('StatementLru', () => {
  it('returns the same statement for the same text and drops the least recently used beyond its size', () => {
    const db = new Database(':memory:');
    open.push(db);
    const cache = new StatementLru(db, 2);
    const a = cache.get('SELECT 1');
    const b = cache.get('SELECT 2');
    expect(cache.get('SELECT 1')).toBe(a);
    cache.get('SELECT 3'); // 'SELECT 2' is now the least recently used
    expect(cache.size).toBe(2);
    expect(cache.get('SELECT 1')).toBe(a);
    expect(cache.get('SELECT 2')).not.toBe(b);
  });
});

describe('VaultSqliteDialect', () => {
  it('prepares a repeated query once', async () => {
    const { vault, raw } = tempVault();
    const prepare = vi.spyOn(raw, 'prepare');
    for (let i = 0; i < 50; i++) await vault.db.selectFrom('vault_meta').select('value').where('key', '=', `k${i}`).execute();
    expect(prepare.mock.calls.filter(([text]) => String(text).includes('vault_meta'))).toHaveLength(1);
  });

  it('takes the write lock at BEGIN, so another process cannot start writing while a transaction is open', async () => {
    const { dir, vault } = tempVault();
    const other = otherConnection(dir);
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let began!: () => void;
    const begun = new Promise<void>((resolve) => (began = resolve));
    const transaction = vault.db.transaction().execute(async (trx) => {
      await trx.selectFrom('vault_meta').select('key').execute();
      began();
      await held;
    });
    await begun;
    expect(() => other.exec('BEGIN IMMEDIATE')).toThrow(/locked|busy/i);
    release();
    await transaction;
    other.exec('BEGIN IMMEDIATE');
    other.exec('ROLLBACK');
  });

  it("says 'vault.busy' when another process holds the write lock past the timeout", async () => {
    const { dir, vault, raw } = tempVault();
    raw.pragma('busy_timeout = 50');
    const other = otherConnection(dir);
    other.exec('BEGIN IMMEDIATE');
    expect(await busyCode(vault.db.insertInto('vault_meta').values({ key: 'k', value: 'v' }).execute())).toBe('vault.busy');
    expect(await busyCode(vault.db.transaction().execute(async (trx) => trx.selectFrom('vault_meta').selectAll().execute()))).toBe('vault.busy');
    other.exec('ROLLBACK');
    await vault.db.insertInto('vault_meta').values({ key: 'k', value: 'v' }).execute();
  });

  it('rolls a failed transaction back whole', async () => {
    const { vault } = tempVault();
    await expect(
      vault.db.transaction().execute(async (trx) => {
        await trx.insertInto('vault_meta').values({ key: 'first', value: '1' }).execute();
        await trx.insertInto('vault_meta').values({ key: 'first', value: 'again' }).execute();
      }),
    ).rejects.toThrow(/UNIQUE/);
    expect(await vault.db.selectFrom('vault_meta').select('key').where('key', '=', 'first').execute()).toEqual([]);
  });

  it('leaves a connection it does not own open when closed', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-dialect-'));
    dirs.push(dir);
    const raw = openDatabase(dir);
    open.push(raw);
    const borrowed = sqliteVaultDb(raw, { owned: false });
    await borrowed.db.selectFrom('vault_meta').selectAll().execute();
    await borrowed.close();
    expect(raw.open).toBe(true);
  });
});
