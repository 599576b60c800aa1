import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { markNotified, notifiedCrossings } from '../../../main/core/alerts';
import type { DueNotification } from '../../../main/core/alerts/decide';
import { WebhookStore } from '../../../main/core/alerts/webhooks/store';
import { searchRowidColumn } from '../../support/search-rowid';
import { POSTGRES_VAULT_SCHEMA_VERSION, readPostgresVaultVersion, requirePostgresVaultSchema } from '../../../main/core/db/pg/migrations';
import { openPostgresVaultDb } from '../../../main/core/db/pg/open';
import { openTeamDb } from '../../../main/core/team/db/connect';
import { parseTeamUrl, teamUrl } from '../../../main/core/team/db/connection-url';
import { snapshotFile } from '../../../main/core/team/offline/snapshot';
import { openTeamVaultConnection } from '../../../main/core/team/vault-connection';
import { migrateTeamSchema, requireCurrentSchema } from '../../../main/core/team/db/migrations';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';
import { MemorySecrets } from '../../unit/uploads/support/vault';

// The vault tables in a team database, as docs/team-vault.md sets it up: the admin action
// (`team create` / `team migrate`, migrateTeamSchema) creates them with the team's as the owner
// role, pg_trgm included without a superuser; the documented grants are enough for the everyday
// app role to use them; and an app never migrates them itself.

let cluster: PgCluster;
const ownerPassword = `owner-${Math.random().toString(36).slice(2)}`;
const appPassword = `app-${Math.random().toString(36).slice(2)}`;

function connection(user: string, password: string) {
  const parsed = parseTeamUrl(cluster.url({ user, password, database: 'certvault', query: 'sslmode=disable' }));
  return { address: parsed.address, password: parsed.password ?? '' };
}
const owner = () => connection('certvault_owner', ownerPassword);
const app = () => connection('certvault_app', appPassword);

/** The statements of each ```sql block of docs/team-vault.md, as an admin pastes them into psql. */
function documentedSql(): string[][] {
  const doc = fs.readFileSync(path.join(__dirname, '../../../docs/team-vault.md'), 'utf8');
  return [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1]!.split(/;\s*\n/).map((statement) => statement.trim()).filter(Boolean));
}

beforeAll(async () => {
  cluster = await startPgCluster();
  const [createRoles, grants] = documentedSql();
  // The roles and the database, as the superuser on the cluster's maintenance database.
  const superuser = openTeamDb({ address: parseTeamUrl(cluster.url({ query: 'sslmode=disable' })).address, password: cluster.password });
  try {
    for (const statement of createRoles!) await sql.raw(statement.replace('owner-password', ownerPassword).replace('app-password', appPassword)).execute(superuser);
  } finally {
    await superuser.destroy();
  }
  const ownerDb = openTeamDb(owner());
  try {
    await migrateTeamSchema(ownerDb);
    for (const statement of grants!) await sql.raw(statement).execute(ownerDb);
  } finally {
    await ownerDb.destroy();
  }
}, 120_000);

afterAll(() => cluster?.stop());

describe('vault tables in a team database', () => {
  it('are created by the admin action as the database owner, pg_trgm included, once', async () => {
    const ownerDb = openTeamDb(owner());
    try {
      expect(await readPostgresVaultVersion(ownerDb)).toBe(POSTGRES_VAULT_SCHEMA_VERSION);
      const extension = await sql<{ extname: string }>`SELECT extname FROM pg_extension WHERE extname = 'pg_trgm'`.execute(ownerDb);
      expect(extension.rows).toEqual([{ extname: 'pg_trgm' }]);
      expect(await migrateTeamSchema(ownerDb)).toEqual([]);
      const versions = await sql<{ n: string }>`SELECT count(*) AS n FROM vault_schema_version`.execute(ownerDb);
      expect(Number(versions.rows[0]!.n)).toBe(POSTGRES_VAULT_SCHEMA_VERSION);
    } finally {
      await ownerDb.destroy();
    }
  });

  it('are usable by the app role with the documented grants: stores, search rowids, the library_cas trigger', async () => {
    const vault = openPostgresVaultDb(app());
    try {
      await requirePostgresVaultSchema(vault.db);
      const secrets = new MemorySecrets();
      const webhooks = new WebhookStore(vault, secrets, () => new Date('2026-03-01T00:00:00.000Z'));
      await webhooks.add('ops', 'slack', { url: 'https://hooks.slack.test/a' });
      expect((await webhooks.list()).map((webhook) => webhook.name)).toEqual(['ops']);
      await webhooks.remove('ops');
      const due = [{ subject: 'library:a', threshold: 7, certificate: { notAfter: '2026-03-05T00:00:00.000Z' } } as DueNotification];
      await markNotified(vault, due, new Date('2026-03-01T00:00:00.000Z'), 'webhooks');
      expect((await notifiedCrossings(vault, 'webhooks')).size).toBe(1);

      const rowid = await searchRowidColumn(vault.engine, vault.db, 'ca.example');
      await vault.db
        .insertInto('entries')
        .values({
          id: 'ca', fingerprint_sha256: 'fp-ca', name: 'ca', common_name: 'CA', dns_names: '[]', subject: 'CN=CA', issuer: 'CN=CA',
          issuer_common_name: 'CA', serial_number: '01', not_before: '2026-01-01T00:00:00.000Z', not_after: '2036-01-01T00:00:00.000Z',
          key_algorithm: 'EC', key_size: null, curve: 'P-256', is_ca: 1, tags: '[]', notes: '', source_file: null,
          imported_at: '2026-01-01T00:00:00.000Z', updated_at: '2026-01-01T00:00:00.000Z', has_key: 0, sm2_dual: 0,
          cert_terms: 'ca.example', search_text: 'ca.example', ...rowid,
        })
        .execute();
      await vault.db.insertInto('entry_certificates').values({ entry_id: 'ca', position: 0, role: 'leaf', fingerprint_sha256: 'fp-ca', spki_sha256: 's', der: Buffer.from([1]) }).execute();
      expect(await vault.db.selectFrom('library_cas').select('fingerprint_sha256').execute()).toEqual([{ fingerprint_sha256: 'fp-ca' }]);
      await vault.db.deleteFrom('entries').where('id', '=', 'ca').execute();
      expect(await vault.db.selectFrom('library_cas').select('fingerprint_sha256').execute()).toEqual([]);
    } finally {
      await vault.close();
    }
  });

  it('are enough for the app role to keep the offline copy (one read-only transaction) and hear live updates', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-app-role-copy-'));
    const { address, password } = app();
    const entry = { name: 'ops', url: teamUrl(address), sslmode: 'disable' as const, teamId: randomUUID(), memberId: randomUUID() };
    const connection = await openTeamVaultConnection({ entry, password, dataDir, now: () => new Date() });
    try {
      expect(connection.status()).toMatchObject({ online: true, snapshotAt: expect.any(String) });
      expect(fs.existsSync(snapshotFile(dataDir, entry.teamId))).toBe(true);
    } finally {
      await connection.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('an app finds vault tables older than it knows and refuses them, without migrating', async () => {
    const ownerDb = openTeamDb(owner());
    const appDb = openTeamDb(app());
    try {
      await sql`DELETE FROM vault_schema_version WHERE version = ${POSTGRES_VAULT_SCHEMA_VERSION}`.execute(ownerDb);
      await expect(requireCurrentSchema(appDb, app().address)).rejects.toMatchObject({ code: 'team.schema_outdated', params: { found: POSTGRES_VAULT_SCHEMA_VERSION - 1 } });
      await sql`INSERT INTO vault_schema_version (version) VALUES (${POSTGRES_VAULT_SCHEMA_VERSION + 1})`.execute(ownerDb);
      await expect(requireCurrentSchema(appDb, app().address)).rejects.toMatchObject({ code: 'team.schema_too_new' });
      await sql`DELETE FROM vault_schema_version WHERE version > ${POSTGRES_VAULT_SCHEMA_VERSION}`.execute(ownerDb);
      await sql`INSERT INTO vault_schema_version (version) VALUES (${POSTGRES_VAULT_SCHEMA_VERSION})`.execute(ownerDb);
      await requireCurrentSchema(appDb, app().address);
    } finally {
      await ownerDb.destroy();
      await appDb.destroy();
    }
  });
});
