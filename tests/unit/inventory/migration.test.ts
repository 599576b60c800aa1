import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, userVersion } from '../../../main/core/db/open';
import { migrations } from '../../../main/core/db/migrations';

// The inventory's migration is number 5 while another change of the same time takes 4: versions
// may have gaps, and whatever is pending is applied in order, whichever merges first.

describe('migration 5: remote copies and bindings', () => {
  it('versions are unique and increasing (gaps allowed)', () => {
    const versions = migrations.map((m) => m.version);
    expect(new Set(versions).size).toBe(versions.length);
    expect([...versions].sort((a, b) => a - b)).toEqual(versions);
    expect(versions).toContain(5);
  });

  it('creates the inventory tables on a vault at version 3, and on one that already has a 4', () => {
    for (const extra of [[], [{ version: 4, up: (db: Database.Database) => db.exec('CREATE TABLE other_change (x INTEGER) STRICT') }]]) {
      const db = new Database(':memory:');
      db.pragma('foreign_keys = ON');
      migrate(db, migrations.filter((m) => m.version <= 3));
      expect(userVersion(db)).toBe(3);
      migrate(db, [...migrations, ...extra].sort((a, b) => a.version - b.version));
      expect(userVersion(db)).toBe(Math.max(...migrations.map((m) => m.version)));
      const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
      expect(tables).toEqual(expect.arrayContaining(['remote_copies', 'remote_bindings', 'inventory_syncs']));
      db.close();
    }
  });

  it('deleting an account deletes its copies and bindings', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations);
    db.prepare("INSERT INTO cloud_accounts (id, name, cloud, created_at, updated_at) VALUES ('acc', 'prod', 'tencent', 'now', 'now')").run();
    db.prepare("INSERT INTO remote_copies (account_id, remote_id, cloud, dns_names, synced_at) VALUES ('acc', 'r1', 'tencent', '[]', 'now')").run();
    db.prepare("INSERT INTO remote_bindings (account_id, remote_id, position, type, resource_id) VALUES ('acc', 'r1', 0, 'cdn', 'd')").run();
    db.prepare("DELETE FROM cloud_accounts WHERE id = 'acc'").run();
    expect(db.prepare('SELECT count(*) FROM remote_copies').pluck().get()).toBe(0);
    expect(db.prepare('SELECT count(*) FROM remote_bindings').pluck().get()).toBe(0);
    db.close();
  });
});
