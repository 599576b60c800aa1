import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { offlineClock } from '../../../shared/team';
import { exitCodeFor, exitCodes } from '../../../main/cli/command';
import { DATABASE_FILE } from '../../../main/core/db/open';
import { openSqliteVaultDb, type VaultDb } from '../../../main/core/db/vault-db';
import { openReadOnlySnapshot } from '../../../main/core/team/offline/read-only-vault-db';

// The read-only VaultDb over a team vault's local copy, on a plain SQLite vault file: reads work,
// every kind of write is refused with the offline error before it runs, a write that skips the
// query check is stopped by the file being open read-only, and the file never changes.

const dirs: string[] = [];
const opened: VaultDb[] = [];

afterEach(async () => {
  for (const vault of opened.splice(0)) await vault.close();
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

const offline = () => new VaultError('team.offline', { name: 'ops', address: 'db.example:5432', since: '09:15', copyAt: '09:10' });

async function copyWithOneWebhook(): Promise<{ file: string; copy: VaultDb }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-readonly-'));
  dirs.push(dir);
  const writer = openSqliteVaultDb(dir);
  await writer.db.insertInto('alert_webhooks').values({ id: 'w1', name: 'ops', kind: 'json', created_at: '2026-12-07T09:00:00.000Z' }).execute();
  await writer.close();
  const file = path.join(dir, DATABASE_FILE);
  const copy = openReadOnlySnapshot(file, offline);
  opened.push(copy);
  return { file, copy };
}

async function refused(work: () => Promise<unknown>): Promise<VaultError> {
  const error = await work().then(
    () => new Error('not refused'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('read-only copy of a team vault', () => {
  it('reads, in and out of transactions', async () => {
    const { copy } = await copyWithOneWebhook();
    expect(await copy.db.selectFrom('alert_webhooks').select(['id', 'name']).execute()).toEqual([{ id: 'w1', name: 'ops' }]);
    expect((await sql<{ n: number }>`SELECT count(*) AS n FROM alert_webhooks`.execute(copy.db)).rows).toEqual([{ n: 1 }]);
    const inTransaction = await copy.db.transaction().execute((trx) => trx.selectFrom('alert_webhooks').select('id').execute());
    expect(inTransaction).toEqual([{ id: 'w1' }]);
  });

  it('refuses every kind of write with the offline error, and the file stays as it was', async () => {
    const { file, copy } = await copyWithOneWebhook();
    const before = fs.readFileSync(file);
    const writes: (() => Promise<unknown>)[] = [
      () => copy.db.insertInto('alert_webhooks').values({ id: 'w2', name: 'x', kind: 'json', created_at: 'now' }).execute(),
      () => copy.db.updateTable('alert_webhooks').set({ name: 'renamed' }).execute(),
      () => copy.db.deleteFrom('alert_webhooks').execute(),
      () => copy.db.insertInto('alert_webhooks').values({ id: 'w1', name: 'x', kind: 'json', created_at: 'now' }).onConflict((c) => c.doNothing()).execute(),
      () => sql`UPDATE alert_webhooks SET name = 'raw'`.execute(copy.db),
      () => sql`PRAGMA user_version = 99`.execute(copy.db),
      () => copy.db.schema.createTable('intruder').addColumn('id', 'text').execute(),
      () => copy.db.schema.dropTable('alert_webhooks').execute(),
      () => copy.db.schema.createIndex('intruder_index').on('alert_webhooks').column('name').execute(),
      () => copy.db.with('gone', (db) => db.selectFrom('alert_webhooks').select('id')).deleteFrom('alert_webhooks').execute(),
      () =>
        copy.db.transaction().execute(async (trx) => {
          await trx.selectFrom('alert_webhooks').select('id').execute();
          await trx.deleteFrom('alert_webhooks').execute();
        }),
    ];
    for (const write of writes) expect((await refused(write)).code).toBe('team.offline');
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(await copy.db.selectFrom('alert_webhooks').select('name').execute()).toEqual([{ name: 'ops' }]);
  });

  it('stops a write that skips the query check at the file, with the same error', async () => {
    const { copy } = await copyWithOneWebhook();
    const error = await refused(() => copy.db.withoutPlugins().deleteFrom('alert_webhooks').execute());
    expect(error.code).toBe('team.offline');
    expect(error.message).toBe('Team vault ops is offline (db.example:5432 unreachable since 09:15); showing the copy from 09:10, read-only. Nothing was changed.');
    expect(await copy.db.selectFrom('alert_webhooks').select('id').execute()).toEqual([{ id: 'w1' }]);
  });
});

describe('offline notice', () => {
  it('says the clock time for today and the date before that, in local time', () => {
    const now = new Date(2026, 11, 7, 16, 30);
    expect(offlineClock(new Date(2026, 11, 7, 9, 5).toISOString(), now)).toBe('09:05');
    expect(offlineClock(new Date(2026, 11, 6, 23, 59).toISOString(), now)).toBe('2026-12-06 23:59');
  });

  it('a refused change ends a CLI command with its own exit code', () => {
    expect(exitCodeFor('team.offline')).toBe(exitCodes.teamOffline);
    expect(exitCodes.teamOffline).toBe(6);
  });
});
