import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, userVersion } from '../../../main/core/db/open';
import { migrations } from '../../../main/core/db/migrations';

// Migration 7 rebuilds upload_history so its status may be 'cancelled': every row of a version-6
// vault must come through unchanged, with the indexes, and the account link must keep working.

const columns = `id, job_id, certificate_id, fingerprint_sha256, fingerprint_sha1, common_name, dns_names_json, not_after,
  account_id, account_name, cloud, status, remote_id, request_id, error_code, error_message, error_hint_json,
  attempts, duration_ms, started_at, finished_at, owner_pid`;

function vaultAtVersion6(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations.filter((m) => m.version <= 6));
  expect(userVersion(db)).toBe(6);
  db.prepare("INSERT INTO cloud_accounts (id, name, cloud, created_at, updated_at) VALUES ('acc', 'prod', 'tencent', 'now', 'now')").run();
  const insert = db.prepare(`INSERT INTO upload_history (${columns}) VALUES (?, 'job', ?, ?, NULL, ?, '["a.example"]', '2027-01-01T00:00:00.000Z',
    'acc', 'prod', 'tencent', ?, ?, 'req', ?, ?, ?, ?, 120, ?, ?, ?)`);
  const statuses = ['uploaded', 'duplicate', 'failed', 'unknown', 'pending'] as const;
  statuses.forEach((status, i) => {
    const failed = status === 'failed';
    insert.run(`h${i}`, i % 2 ? `entry-${i}` : null, `${i}`.repeat(64), `cn${i}`, status, status === 'uploaded' ? `remote-${i}` : null,
      failed ? 'AuthFailure' : null, failed ? 'bad key' : null, failed ? '{"en":"x","zh-CN":"y"}' : null, i + 1,
      `2026-01-0${i + 1}T00:00:00.000Z`, status === 'pending' ? null : `2026-01-0${i + 1}T00:00:01.000Z`, status === 'pending' ? 4242 : null);
  });
  return db;
}

const indexes = (db: Database.Database) =>
  db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'upload_history' AND sql IS NOT NULL ORDER BY name").pluck().all();

describe('migration 7: upload history records cancelled targets', () => {
  it('keeps every row of a version-6 vault, its indexes and its account link, and accepts cancelled', () => {
    const db = vaultAtVersion6();
    const before = db.prepare(`SELECT ${columns} FROM upload_history ORDER BY id`).all();
    const indexesBefore = indexes(db);
    expect(() => db.prepare(`UPDATE upload_history SET status = 'cancelled' WHERE id = 'h2'`).run()).toThrow(/CHECK constraint/);

    migrate(db, migrations.filter((m) => m.version <= 7));

    expect(userVersion(db)).toBe(7);
    expect(db.prepare(`SELECT ${columns} FROM upload_history ORDER BY id`).all()).toEqual(before);
    expect(indexes(db)).toEqual(indexesBefore);
    expect(indexesBefore).toHaveLength(5);
    db.prepare(`UPDATE upload_history SET status = 'cancelled' WHERE id = 'h2'`).run();
    expect(() => db.prepare(`UPDATE upload_history SET status = 'stopped' WHERE id = 'h2'`).run()).toThrow(/CHECK constraint/);
    // Deleting the account still keeps the history under its name (ON DELETE SET NULL survived the rebuild).
    db.prepare("DELETE FROM cloud_accounts WHERE id = 'acc'").run();
    expect(db.prepare('SELECT count(*) FROM upload_history WHERE account_id IS NULL').pluck().get()).toBe(5);
    expect(db.pragma('foreign_key_check')).toEqual([]);
    db.close();
  });
});
