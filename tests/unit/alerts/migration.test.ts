import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate, userVersion } from '../../../main/core/db/open';
import { migrations } from '../../../main/core/db/migrations';

// Migration 6 adds the alerts tables to a vault at version 5, keeping what the inventory recorded.

describe('migration 6: alert records and webhooks', () => {
  it('creates alert_notifications and alert_webhooks on a vault at version 5', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.filter((m) => m.version <= 5));
    expect(userVersion(db)).toBe(5);
    db.prepare("INSERT INTO cloud_accounts (id, name, cloud, created_at, updated_at) VALUES ('a', 'prod', 'tencent', 'now', 'now')").run();
    migrate(db, migrations);
    expect(userVersion(db)).toBeGreaterThanOrEqual(6);
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['alert_notifications', 'alert_webhooks', 'cloud_accounts']));
    expect(db.prepare('SELECT name FROM cloud_accounts').pluck().all()).toEqual(['prod']);
    expect(() => db.prepare("INSERT INTO alert_webhooks (id, name, kind, created_at) VALUES ('w', 'x', 'teams', 'now')").run()).toThrow(/CHECK constraint/);
    db.close();
  });
});
