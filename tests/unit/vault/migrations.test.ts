import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, migrate, openDatabase, userVersion } from '../../../main/core/db/open';
import { latestVersion, migrations } from '../../../main/core/db/migrations';

let dir: string;
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));
const fresh = () => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-db-')));

describe('database', () => {
  it('creates vault.db in WAL mode with foreign keys, a busy timeout and the latest schema', () => {
    const db = openDatabase(fresh());
    expect(fs.existsSync(path.join(dir, DATABASE_FILE))).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('busy_timeout', { simple: true })).toBeGreaterThan(0);
    expect(userVersion(db)).toBe(latestVersion);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['entries', 'entry_certificates', 'sealed_keys', 'vault_meta']));
    expect(db.prepare("SELECT value FROM vault_meta WHERE key = 'vault_id'").pluck().get()).toMatch(/^[0-9a-f]{16}$/);
    db.close();
  });

  it('applies nothing twice: reopening keeps the vault id', () => {
    const first = openDatabase(fresh());
    const id = first.prepare("SELECT value FROM vault_meta WHERE key = 'vault_id'").pluck().get();
    first.close();
    const again = openDatabase(dir);
    expect(again.prepare("SELECT value FROM vault_meta WHERE key = 'vault_id'").pluck().get()).toBe(id);
    again.close();
  });

  it('rolls a failing migration back entirely and keeps the version', () => {
    const db = new Database(path.join(fresh(), 'x.db'));
    const broken = [
      ...migrations,
      {
        version: latestVersion + 1,
        up: (d: Database.Database) => {
          d.exec('CREATE TABLE half_done (x)');
          throw new Error('boom');
        },
      },
    ];
    expect(() => migrate(db, broken)).toThrow('boom');
    expect(userVersion(db)).toBe(latestVersion);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half_done'").pluck().get()).toBe(0);
    db.close();
  });

  it('refuses a database written by a newer version', () => {
    const db = openDatabase(fresh());
    db.pragma(`user_version = ${latestVersion + 5}`);
    db.close();
    expect(() => openDatabase(dir)).toThrow(expect.objectContaining({ code: 'vault.schema_too_new' }));
  });
});
