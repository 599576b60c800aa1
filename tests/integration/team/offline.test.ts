import { createHash, randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import type { TeamConnectionStatus } from '../../../shared/team';
import { searchTextContains } from '../../../main/core/db/dialect-sql';
import { searchRowidColumn } from '../../support/search-rowid';
import { migratePostgresVault } from '../../../main/core/db/pg/migrations';
import { openPostgresVaultDb } from '../../../main/core/db/pg/open';
import type { VaultTables } from '../../../main/core/db/tables';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { parseTeamUrl, teamUrl } from '../../../main/core/team/db/connection-url';
import { SNAPSHOT_TAKEN_AT, snapshotFile } from '../../../main/core/team/offline/snapshot';
import { copiedTables } from '../../../main/core/team/offline/snapshot-tables';
import type { TeamEntry } from '../../../main/core/team/team-settings';
import { openTeamVaultConnection, type TeamVaultConnection } from '../../../main/core/team/vault-connection';
import { HistoryStore } from '../../../main/core/uploads/history-store';
import type { Response } from '../../../shared/ipc';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { makeCa, makeLeaf } from '../../unit/vault/helpers/pki';
import { createDatabases } from '../../support/pg-superuser';
import { openTeamWindow } from './team-window';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';

// A team vault out of reach (issue 11 §1, §3): the local copy equals the server, reads come from
// it read-only while the server is down, every write is refused and changes nothing, the vault
// comes back online by itself, and a restart in the middle of a batch of writes leaves every
// batch whole or absent. The library's EntryStore is not on the data layer yet, so the batches
// are raw Kysely transactions over the VaultDb, shaped as the library writes an entry.

let cluster: PgCluster;
let databases = 0;
const homes: string[] = [];
const connections: TeamVaultConnection[] = [];
const FAST = { probeMinMs: 50, probeMaxMs: 400, refreshDebounceMs: 20, revisionCheckMs: 60_000 };

beforeAll(async () => {
  cluster = await startPgCluster();
}, 120_000);

afterEach(async () => {
  for (const connection of connections.splice(0)) await connection.close();
});

afterAll(async () => {
  await cluster?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
}, 60_000);

function home(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-offline-'));
  homes.push(dir);
  return dir;
}

/** A new database holding the vault schema, as `team create` leaves it, and its settings entry. */
async function teamVault(): Promise<{ entry: TeamEntry; admin: VaultDb }> {
  const database = `offline_${++databases}`;
  await createDatabases(cluster, [database]);
  const { address, password } = parseTeamUrl(cluster.url({ database, query: 'sslmode=disable' }));
  const admin = openPostgresVaultDb({ address, password: password ?? '' });
  await migratePostgresVault(admin.db);
  const entry: TeamEntry = { name: `ops-${databases}`, url: teamUrl(address), sslmode: 'disable', teamId: randomUUID(), memberId: randomUUID() };
  return { entry, admin };
}

async function connect(entry: TeamEntry, dataDir: string, keepCopy = true): Promise<TeamVaultConnection> {
  const connection = await openTeamVaultConnection({ entry, password: cluster.password, dataDir, now: () => new Date(), keepCopy, timing: FAST });
  connections.push(connection);
  return connection;
}

const hex = (seed: string) => createHash('sha256').update(seed).digest('hex');

/** `count` entries as the library writes one (entry, leaf + chain certificates, sealed key, names), in one transaction. */
async function addEntries(db: Kysely<VaultTables>, batch: string, count: number, midway?: () => Promise<void>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < count; i++) {
      if (i === Math.floor(count / 2)) await midway?.();
      const name = `${batch}-host-${String(i).padStart(4, '0')}.example.com`;
      const id = randomUUID();
      const searchText = `${name} ${hex(name)}`;
      await trx
        .insertInto('entries')
        .values({
          id,
          fingerprint_sha256: hex(`leaf:${name}`),
          name,
          common_name: name,
          dns_names: JSON.stringify([name]),
          subject: `CN=${name}`,
          issuer: 'CN=Offline Test CA',
          issuer_common_name: 'Offline Test CA',
          serial_number: hex(`serial:${name}`).slice(0, 16),
          not_before: '2026-01-01T00:00:00.000Z',
          not_after: '2027-01-01T00:00:00.000Z',
          key_algorithm: 'EC',
          key_size: 256,
          curve: 'P-256',
          is_ca: 0,
          tags: '["offline"]',
          notes: '',
          source_file: batch,
          imported_at: '2026-12-07T10:00:00.000Z',
          updated_at: '2026-12-07T10:00:00.000Z',
          has_key: 1,
          sm2_dual: 0,
          cert_terms: searchText,
          search_text: searchText,
          ...(await searchRowidColumn('postgres', trx, searchText)),
        })
        .execute();
      await trx
        .insertInto('entry_certificates')
        .values([
          { entry_id: id, position: 0, role: 'leaf', fingerprint_sha256: hex(`leaf:${name}`), spki_sha256: hex(`spki:${name}`), der: Buffer.from(`leaf-der:${name}`) },
          { entry_id: id, position: 1, role: 'chain', fingerprint_sha256: hex('ca'), spki_sha256: hex('ca-spki'), der: Buffer.from('ca-der') },
        ])
        .execute();
      await trx.insertInto('sealed_keys').values({ entry_id: id, role: 'leaf', key_algorithm: 'EC', nonce: Buffer.alloc(12, 7), ciphertext: Buffer.from(`sealed:${name}`) }).execute();
      await trx.insertInto('entry_names').values({ name, entry_id: id }).execute();
    }
  });
}

async function addHistory(vault: VaultDb): Promise<void> {
  await vault.db.insertInto('cloud_accounts').values({ id: 'acc-1', name: 'prod', cloud: 'tencent', created_at: '2026-01-01', updated_at: '2026-01-01' }).execute();
  const history = new HistoryStore(vault, () => new Date('2026-12-07T11:00:00.000Z'), { pid: 4242, machine: 'ops-1', name: 'ann' });
  for (let i = 0; i < 3; i++) {
    await history.begin({ jobId: 'job-1', certificateId: null, fingerprintSha256: hex(`up:${i}`), fingerprintSha1: null, commonName: `up-${i}`, dnsNames: [`up-${i}`], notAfter: null, accountId: 'acc-1', accountName: 'prod', cloud: 'tencent' });
  }
}

/** Every copied table, in key order, as both engines return it. */
async function tableRows(vault: VaultDb): Promise<Record<string, unknown[]>> {
  const tables: Record<string, unknown[]> = {};
  for (const { table, key } of copiedTables) {
    const result = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(table)} ORDER BY ${sql.join(key.map((column) => sql.ref(column)))}`.execute(vault.db);
    tables[table] = result.rows.filter((row) => !(table === 'vault_meta' && row.key === SNAPSHOT_TAKEN_AT)).map((row) => ({ ...row }));
  }
  return tables;
}

function whenStatus(connection: TeamVaultConnection, wanted: (status: TeamConnectionStatus) => boolean, timeoutMs = 20_000): Promise<TeamConnectionStatus> {
  if (wanted(connection.status())) return Promise.resolve(connection.status());
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      stop();
      reject(new Error(`status never came: last ${JSON.stringify(connection.status())}`));
    }, timeoutMs);
    const stop = connection.onChange((status) => {
      if (!wanted(status)) return;
      clearTimeout(timer);
      stop();
      resolve(status);
    });
  });
}

async function refusal(work: () => Promise<unknown>): Promise<VaultError> {
  const error = await work().then(
    () => null,
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

const fileHash = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

describe('team vault local copy', () => {
  it('holds every row of the server, pages and all, and the stores read both alike', async () => {
    const { entry, admin } = await teamVault();
    try {
      // More rows than one page in entries and entry_certificates (keyset paging across pages).
      await addEntries(admin.db, 'a', 650);
      await addHistory(admin);
      const dataDir = home();
      const connection = await connect(entry, dataDir);
      const status = connection.status();
      expect(status).toMatchObject({ online: true, server: `127.0.0.1:${cluster.port}`, offlineSince: null });
      expect(status.snapshotAt).not.toBeNull();

      const file = snapshotFile(dataDir, entry.teamId);
      if (process.platform !== 'win32') expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      expect(fs.readdirSync(dataDir).filter((name) => name.endsWith('.tmp'))).toEqual([]);

      const { openReadOnlySnapshot } = await import('../../../main/core/team/offline/read-only-vault-db');
      const copy = openReadOnlySnapshot(file, () => connection.offlineError());
      try {
        const [server, local] = [await tableRows(connection.current()), await tableRows(copy)];
        expect(local.entries).toHaveLength(650);
        expect(local.entry_certificates).toHaveLength(1300);
        expect(local).toEqual(server);
        const listed = (vault: VaultDb) => new HistoryStore(vault).list();
        expect(await listed(copy)).toEqual(await listed(connection.current()));
        // The trigram index SQLite needs was rebuilt from the copied rows.
        const found = await copy.db.selectFrom('entries').select('name').where(searchTextContains('sqlite', 'a-host-0421')).execute();
        expect(found).toEqual([{ name: 'a-host-0421.example.com' }]);
      } finally {
        await copy.close();
      }
    } finally {
      await admin.close();
    }
  }, 120_000);

  it('a one-shot connection (a CLI command) takes no copy of its own', async () => {
    const { entry, admin } = await teamVault();
    try {
      await addEntries(admin.db, 'a', 3);
      const dataDir = home();
      const connection = await connect(entry, dataDir, false);
      expect(connection.status()).toMatchObject({ online: true, snapshotAt: null });
      expect(await connection.current().db.selectFrom('entries').select('id').execute()).toHaveLength(3);
      expect(fs.existsSync(snapshotFile(dataDir, entry.teamId))).toBe(false);
    } finally {
      await admin.close();
    }
  }, 60_000);

  it('refreshes after a change, whole or not at all', async () => {
    const { entry, admin } = await teamVault();
    try {
      await addEntries(admin.db, 'a', 5);
      const dataDir = home();
      const connection = await connect(entry, dataDir);
      const first = connection.status().snapshotAt!;
      await addEntries(admin.db, 'b', 7);
      await connection.refreshSnapshot();
      expect(connection.status().snapshotAt! >= first).toBe(true);
      const { openReadOnlySnapshot } = await import('../../../main/core/team/offline/read-only-vault-db');
      const copy = openReadOnlySnapshot(snapshotFile(dataDir, entry.teamId), () => connection.offlineError());
      try {
        expect((await tableRows(copy)).entries).toHaveLength(12);
      } finally {
        await copy.close();
      }
    } finally {
      await admin.close();
    }
  }, 60_000);
});

describe('team vault local copy, interrupted', () => {
  it('closing in the middle of a copy leaves the previous copy whole and no temp file', async () => {
    const { entry, admin } = await teamVault();
    try {
      await addEntries(admin.db, 'a', 10);
      const dataDir = home();
      const connection = await openTeamVaultConnection({ entry, password: cluster.password, dataDir, now: () => new Date(), timing: FAST });
      const file = snapshotFile(dataDir, entry.teamId);
      const before = fileHash(file);
      await addEntries(admin.db, 'b', 600);
      const refreshing = connection.refreshSnapshot();
      await connection.close();
      await refreshing;
      expect(fs.readdirSync(dataDir).filter((name) => name.includes('.tmp'))).toEqual([]);
      // Stopped between two pages: the copy on disk is still the one from before.
      expect(fileHash(file)).toBe(before);
    } finally {
      await admin.close();
    }
  }, 60_000);
});

describe('team vault offline and back', () => {
  it('reads the copy read-only while the server is down, refuses every write, and comes back by itself', async () => {
    const { entry, admin } = await teamVault();
    await addEntries(admin.db, 'a', 20);
    await addHistory(admin);
    await admin.close();
    const dataDir = home();
    const connection = await connect(entry, dataDir);
    const before = await tableRows(connection.current());
    const events: TeamConnectionStatus[] = [];
    connection.onChange((status) => events.push(status));

    await cluster.halt();
    try {
      // Either the live-update connection noticed first (the query then reads the copy), or the
      // query is the first to find the server gone, says so, and is not sent again.
      const first = await connection.current().db.selectFrom('entries').select('id').execute().catch((error: unknown) => error);
      if (!Array.isArray(first)) expect(['team.connection_lost', 'team.unreachable']).toContain((first as VaultError).code);
      const offline = await whenStatus(connection, (status) => !status.online);
      expect(offline.offlineSince).not.toBeNull();
      expect(offline.snapshotAt).not.toBeNull();

      const vault = connection.current();
      expect(vault.engine).toBe('sqlite');
      expect(await tableRows(vault)).toEqual(before);
      const file = snapshotFile(dataDir, entry.teamId);
      const hashBefore = fileHash(file);

      const writes: [string, () => Promise<unknown>][] = [
        ['insert', () => vault.db.insertInto('alert_webhooks').values({ id: 'w', name: 'w', kind: 'json', created_at: 'now' }).execute()],
        ['update', () => vault.db.updateTable('entries').set({ notes: 'changed' }).execute()],
        ['delete', () => vault.db.deleteFrom('entries').execute()],
        ['raw SQL', () => sql`DELETE FROM sealed_keys`.execute(vault.db)],
        ['DDL', () => vault.db.schema.createTable('intruder').addColumn('id', 'text').execute()],
        ['store', () => new HistoryStore(vault).begin({ jobId: 'j', certificateId: null, fingerprintSha256: hex('x'), fingerprintSha1: null, commonName: null, dnsNames: [], notAfter: null, accountId: 'acc-1', accountName: 'prod', cloud: 'tencent' })],
        [
          'transaction that reads, then writes',
          () =>
            vault.db.transaction().execute(async (trx) => {
              await trx.selectFrom('entries').select('id').execute();
              await trx.deleteFrom('entry_names').execute();
            }),
        ],
      ];
      for (const [, write] of writes) {
        const error = await refusal(write);
        expect(error.code).toBe('team.offline');
        expect(error.message).toContain(entry.name);
        expect(error.message).toContain(`127.0.0.1:${cluster.port}`);
        expect(error.message).toContain('Nothing was changed');
      }
      // The second wall: the file itself is open read-only.
      expect(() => new Database(vault.sqliteFile!, { readonly: true }).prepare('DELETE FROM entries').run()).toThrow(/readonly/);
      expect(await tableRows(vault)).toEqual(before);
      expect(fileHash(file)).toBe(hashBefore);

      // Opened while the server is down (as a CLI command does, keeping no copy of its own): the
      // app's copy, offline at once; without a copy, nothing to show.
      const second = await connect(entry, dataDir, false);
      expect(second.status().online).toBe(false);
      expect((await tableRows(second.current())).entries).toHaveLength(20);
      const unreachable = await refusal(() => connect(entry, home()));
      expect(unreachable.code).toBe('team.unreachable');
      expect(unreachable.message).toContain(`127.0.0.1:${cluster.port}`);
    } finally {
      await cluster.start();
    }
    const online = await whenStatus(connection, (status) => status.online);
    expect(online.offlineSince).toBeNull();
    expect(events.map((status) => status.online).slice(0, 2)).toEqual([false, true]);
    const back = connection.current();
    expect(back.engine).toBe('postgres');
    await addEntries(back.db, 'after', 3);
    expect((await tableRows(back)).entries).toHaveLength(23);
  }, 120_000);

  it('keeps every batch whole or absent when PostgreSQL restarts in the middle of one, and reconnects', async () => {
    const { entry, admin } = await teamVault();
    await admin.close();
    const connection = await connect(entry, home());
    const outcomes: { batch: string; ok: boolean; code?: string }[] = [];
    for (let b = 0; b < 8; b++) {
      const batch = `batch-${b}`;
      // Batch 3 is cut half-way: its transaction has written 20 of its 40 entries when the server
      // restarts (fast shutdown: its session is terminated), and goes on writing afterwards.
      const midway = b === 3 ? () => cluster.restart() : undefined;
      try {
        await whenStatus(connection, (status) => status.online);
        await addEntries(connection.current().db, batch, 40, midway);
        outcomes.push({ batch, ok: true });
      } catch (error) {
        outcomes.push({ batch, ok: false, code: error instanceof VaultError ? error.code : String(error) });
      }
    }
    const failed = outcomes.filter((outcome) => !outcome.ok);
    expect(failed.map((outcome) => outcome.batch)).toEqual(['batch-3']);
    expect(['team.connection_lost', 'team.unreachable']).toContain(failed[0]!.code);

    await whenStatus(connection, (status) => status.online);
    const vault = connection.current();
    const perBatch = await vault.db.selectFrom('entries').select(['source_file', (eb) => eb.fn.countAll<number>().as('entries')]).groupBy('source_file').orderBy('source_file').execute();
    expect(perBatch.map((row) => [row.source_file, Number(row.entries)])).toEqual(outcomes.filter((o) => o.ok).map((o) => [o.batch, 40]));
    const orphans = await sql<{ n: number }>`
      SELECT (SELECT count(*) FROM entry_certificates WHERE entry_id NOT IN (SELECT id FROM entries))
           + (SELECT count(*) FROM sealed_keys WHERE entry_id NOT IN (SELECT id FROM entries))
           + (SELECT count(*) FROM entries e WHERE (SELECT count(*) FROM entry_certificates c WHERE c.entry_id = e.id) <> 2
                OR NOT EXISTS (SELECT 1 FROM sealed_keys k WHERE k.entry_id = e.id)) AS n`.execute(vault.db);
    expect(Number(orphans.rows[0]!.n)).toBe(0);
  }, 120_000);
});

/** A window on a new team vault `ops` in `database`, its data folder a fresh home. */
const openWindow = (database: string) => openTeamWindow(cluster, database, home());

describe('the window hears it', () => {
  it('team.status answers for the vault in use, and team.status events follow it offline and back', async () => {
    const { switcher, statusEvents } = await openWindow('window_status');
    try {
      const status = await dispatch(switcher.current, 'team.status', { vault: 'ops' });
      expect(status).toMatchObject({ ok: true, value: { online: true, server: `127.0.0.1:${cluster.port}`, offlineSince: null } });
      expect(await dispatch(switcher.current, 'team.status', { vault: 'elsewhere' })).toMatchObject({ ok: false, error: { code: 'team.not_in_use', params: { name: 'elsewhere' } } });

      await cluster.halt();
      try {
        await expect.poll(() => statusEvents().some((item) => item.vault === 'ops' && !item.status.online), { timeout: 20_000 }).toBe(true);
        const offline = await dispatch(switcher.current, 'team.status', { vault: 'ops' });
        expect(offline).toMatchObject({ ok: true, value: { online: false, offlineSince: expect.any(String), snapshotAt: expect.any(String) } });
        // What the CLI prints once at the end of a command run on it.
        expect(switcher.current.team?.().offline()?.code).toBe('team.offline');
      } finally {
        await cluster.start();
      }
      await expect.poll(() => statusEvents().at(-1)?.status.online, { timeout: 30_000 }).toBe(true);
      expect(switcher.current.team?.().offline()).toBeNull();

      // Switching to the local vault closes the team vault's connection: no more events from it.
      expect(await dispatch(switcher.current, 'team.use', { name: 'local' })).toMatchObject({ ok: true });
      const heard = statusEvents().length;
      await cluster.halt();
      try {
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(statusEvents()).toHaveLength(heard);
      } finally {
        await cluster.start();
      }
    } finally {
      await switcher.close();
    }
  }, 120_000);
});

describe('a team vault in use as the vault, offline', () => {
  it('lists from the copy, refuses an import with team.offline and changes nothing, and imports again once back', async () => {
    const { switcher, statusEvents } = await openWindow('window_vault');
    const pem = async (commonName: string) => {
      const leaf = await makeLeaf(await makeCa(`${commonName} CA`), { commonName });
      return { files: [{ name: `${commonName}.pem`, data: new TextEncoder().encode(leaf.certPem + leaf.keyPem) }] };
    };
    const names = async () => {
      const listed = await dispatch(switcher.current, 'library.list', {});
      if (!listed.ok) throw new Error(JSON.stringify(listed.error));
      return (listed.value as Response<'library.list'>).entries.map((item) => item.name).sort();
    };
    try {
      const before = await dispatch(switcher.current, 'library.importContent', await pem('before.example'));
      if (!before.ok) throw new Error(JSON.stringify(before.error));
      const id = (before.value as Response<'library.importContent'>).imported[0]!.id;
      const out = (file: string) => path.join(switcher.current.dataDir, file);
      expect(await names()).toEqual(['before.example']);
      // The copy is refreshed after the change it heard of (debounced): the status says when it was taken.
      const imported = new Date().toISOString();
      await expect.poll(() => (statusEvents().at(-1)?.status.snapshotAt ?? '') >= imported, { timeout: 20_000 }).toBe(true);
      const offlineImport = await pem('offline.example');

      await cluster.halt();
      try {
        await expect.poll(() => statusEvents().some((item) => !item.status.online), { timeout: 20_000 }).toBe(true);
        expect(await names()).toEqual(['before.example']);
        const refused = await dispatch(switcher.current, 'library.importContent', offlineImport);
        expect(refused).toMatchObject({ ok: false, error: { code: 'team.offline' } });
        expect(await names()).toEqual(['before.example']);
        // A certificate is exported from the copy; a private key is not (its audit row could not be written).
        expect(await dispatch(switcher.current, 'library.export', { id, format: 'pem', path: out('before.pem') })).toMatchObject({ ok: true });
        expect(await dispatch(switcher.current, 'library.export', { id, format: 'key', path: out('before.key') })).toMatchObject({ ok: false, error: { code: 'team.offline' } });
        expect(fs.existsSync(out('before.key'))).toBe(false);
      } finally {
        await cluster.start();
      }
      await expect.poll(() => statusEvents().at(-1)?.status.online, { timeout: 30_000 }).toBe(true);
      expect(await names()).toEqual(['before.example']);
      expect(await dispatch(switcher.current, 'library.importContent', offlineImport)).toMatchObject({ ok: true });
      expect(await names()).toEqual(['before.example', 'offline.example']);
      expect(await dispatch(switcher.current, 'library.export', { id, format: 'key', path: out('before.key') })).toMatchObject({ ok: true });
    } finally {
      await switcher.close();
    }
  }, 120_000);
});
