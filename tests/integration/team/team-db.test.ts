import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { formatMessage } from '../../../shared/i18n/format';
import { zhCN } from '../../../shared/i18n/zh-CN';
import { openTeamDb, teamDbCall } from '../../../main/core/team/db/connect';
import { parseTeamUrl, type TeamDbAddress } from '../../../main/core/team/db/connection-url';
import { TeamListener } from '../../../main/core/team/db/listener';
import { migrateTeamSchema, readSchemaVersion, requireCurrentSchema, TEAM_SCHEMA_VERSION } from '../../../main/core/team/db/migrations';
import type { TeamNotification } from '../../../main/core/team/db/notify';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';

// The PostgreSQL side of the team vault against a real, throwaway server: TLS verification, a
// server that is not there, the documented least-privilege role, the append-only audit log, and
// LISTEN surviving a server restart.

let cluster: PgCluster;
let certs: string;

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { cwd: certs, stdio: 'ignore' });
}

beforeAll(async () => {
  certs = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-pgtls-'));
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Team DB Test CA');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  fs.writeFileSync(path.join(certs, 'san.ext'), 'subjectAltName=DNS:localhost\n');
  openssl('x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'san.ext');
  const read = (name: string) => fs.readFileSync(path.join(certs, name), 'utf8');
  cluster = await startPgCluster({ tls: { certPem: read('server.pem'), keyPem: read('server.key') } });
});

afterAll(async () => {
  await cluster?.stop();
  fs.rmSync(certs, { recursive: true, force: true });
});

function address(url: string): { address: TeamDbAddress; password: string } {
  const parsed = parseTeamUrl(url);
  return { address: parsed.address, password: parsed.password ?? '' };
}

async function serverSsl(url: string): Promise<boolean> {
  const connection = address(url);
  const db = openTeamDb(connection);
  try {
    return await teamDbCall(connection.address, async () => (await sql<{ ssl: boolean }>`SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`.execute(db)).rows[0]!.ssl);
  } finally {
    await db.destroy();
  }
}

async function failure(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('connecting to a team database', () => {
  it('verify-full with the custom CA connects over TLS to the name in the certificate', async () => {
    const url = cluster.url({ query: `sslmode=verify-full&sslrootcert=${encodeURIComponent(path.join(certs, 'ca.pem'))}` }).replace('127.0.0.1', 'localhost');
    expect(await serverSsl(url)).toBe(true);
  });

  it('verify-full refuses a host name the certificate does not name, and a server not issued by the CA', async () => {
    const ca = encodeURIComponent(path.join(certs, 'ca.pem'));
    const wrongName = await failure(serverSsl(cluster.url({ query: `sslmode=verify-full&sslrootcert=${ca}` })));
    expect(wrongName.code).toBe('team.tls_failed');
    expect(wrongName.message).toContain(`127.0.0.1:${cluster.port}`);
    const systemCas = await failure(serverSsl(cluster.url({ query: 'sslmode=verify-full' }).replace('127.0.0.1', 'localhost')));
    expect(systemCas.code).toBe('team.tls_failed');
  });

  it('require encrypts without verifying; disable does not encrypt', async () => {
    expect(await serverSsl(cluster.url({ query: 'sslmode=require' }))).toBe(true);
    expect(await serverSsl(cluster.url({ query: 'sslmode=disable' }))).toBe(false);
  });

  it('a wrong password is team.auth_failed, never the password itself', async () => {
    const error = await failure(serverSsl(cluster.url({ password: 'wrong-secret-123', query: 'sslmode=disable' })));
    expect(error.code).toBe('team.auth_failed');
    expect(error.message).not.toContain('wrong-secret-123');
  });

  it('a server that is not there is team.unreachable naming host:port, in English and Chinese, without a stack', async () => {
    const closed = await startPgCluster();
    const port = closed.port;
    await closed.stop();
    const error = await failure(serverSsl(`postgres://app:pw@127.0.0.1:${port}/certvault?sslmode=disable`));
    expect(error.code).toBe('team.unreachable');
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(error.message).not.toMatch(/\n\s+at /);
    const chinese = formatMessage(zhCN['error.team.unreachable'], error.params);
    expect(chinese).toContain(`127.0.0.1:${port}`);
    expect(chinese).toContain('无法连接团队数据库');
  });

  it('refuses URLs it would misread: unknown sslmode, no database, other parameters', () => {
    expect(() => parseTeamUrl('postgres://u:secret@h/db?sslmode=prefer')).toThrow(/sslmode must be one of/);
    expect(() => parseTeamUrl('postgres://u:secret@h/db?sslmode=prefer')).not.toThrow(/secret/);
    expect(() => parseTeamUrl('postgres://u@h/')).toThrow(/names no database/);
    expect(() => parseTeamUrl('postgres://u@h/db?target_session_attrs=any')).toThrow(/not supported/);
    expect(parseTeamUrl('postgres://u@h/db').address.sslmode).toBe('verify-full');
  });
});

/** The statements of each ```sql block of docs/team-vault.md, in order, as an admin would paste them into psql. */
function documentedSql(): string[][] {
  const doc = fs.readFileSync(path.join(__dirname, '../../../docs/team-vault.md'), 'utf8');
  return [...doc.matchAll(/```sql\n([\s\S]*?)```/g)].map((match) => match[1]!.split(/;\s*\n/).map((statement) => statement.trim()).filter(Boolean));
}

async function runAll(db: ReturnType<typeof openTeamDb>, statements: readonly string[]): Promise<void> {
  for (const statement of statements) await sql.raw(statement).execute(db);
}

describe('schema, least-privilege role and append-only audit log', () => {
  const ownerPassword = 'owner-pw-' + Math.random().toString(36).slice(2);
  const appPassword = 'app-pw-' + Math.random().toString(36).slice(2);
  const owner = () => address(cluster.url({ user: 'certvault_owner', password: ownerPassword, database: 'certvault', query: 'sslmode=disable' }));
  const app = () => address(cluster.url({ user: 'certvault_app', password: appPassword, database: 'certvault', query: 'sslmode=disable' }));

  beforeAll(async () => {
    const [createRoles, grants] = documentedSql();
    const superuser = openTeamDb(address(cluster.url({ query: 'sslmode=disable' })));
    await runAll(superuser, createRoles!.map((statement) => statement.replace('owner-password', ownerPassword).replace('app-password', appPassword)));
    await superuser.destroy();
    const ownerDb = openTeamDb(owner());
    const appDb = openTeamDb(app());
    try {
      // Before `team create`/`team migrate` the app finds no schema and says so; it never creates one.
      await expect(requireCurrentSchema(appDb, app().address)).rejects.toMatchObject({ code: 'team.schema_missing' });
      expect(await migrateTeamSchema(ownerDb)).toEqual([1]);
      expect(await migrateTeamSchema(ownerDb)).toEqual([]);
      await runAll(ownerDb, grants!);
    } finally {
      await ownerDb.destroy();
      await appDb.destroy();
    }
  });

  it('the app role reads the current schema, appends audit rows, and can neither change them nor run DDL', async () => {
    const connection = app();
    const db = openTeamDb(connection);
    try {
      expect(await readSchemaVersion(db)).toBe(TEAM_SCHEMA_VERSION);
      await requireCurrentSchema(db, connection.address);
      await sql`INSERT INTO audit_log (seq, at, member_name, machine, action, detail, prev_hash, hash) VALUES (1, now(), 'ann', 'box', 'test', '{}', '\\x00', '\\x01')`.execute(db);
      const denied = async (statement: string) => {
        const error = await failure(teamDbCall(connection.address, () => sql.raw(statement).execute(db)));
        expect(error.code).toBe('team.database_error');
        return error.message;
      };
      expect(await denied(`UPDATE audit_log SET action = 'forged'`)).toMatch(/permission denied/);
      expect(await denied('DELETE FROM audit_log')).toMatch(/permission denied/);
      expect(await denied('TRUNCATE audit_log')).toMatch(/permission denied/);
      expect(await denied('CREATE TABLE stolen (x int)')).toMatch(/permission denied/);
      expect(await denied('DROP TABLE audit_log')).toMatch(/must be owner/);
      expect(await denied('ALTER TABLE members ADD COLUMN x int')).toMatch(/must be owner/);
    } finally {
      await db.destroy();
    }
  });

  it('an app finds a schema newer than it knows and refuses it, without touching it', async () => {
    const ownerDb = openTeamDb(owner());
    const appDb = openTeamDb(app());
    try {
      await sql`INSERT INTO schema_version (version) VALUES (${TEAM_SCHEMA_VERSION + 1})`.execute(ownerDb);
      await expect(requireCurrentSchema(appDb, app().address)).rejects.toMatchObject({ code: 'team.schema_too_new', params: { found: TEAM_SCHEMA_VERSION + 1 } });
      await expect(migrateTeamSchema(ownerDb)).rejects.toMatchObject({ code: 'team.schema_too_new' });
      await sql`DELETE FROM schema_version WHERE version > ${TEAM_SCHEMA_VERSION}`.execute(ownerDb);
      await requireCurrentSchema(appDb, app().address);
    } finally {
      await ownerDb.destroy();
      await appDb.destroy();
    }
  });

  it('the trigger refuses UPDATE and DELETE on audit rows even for the owner', async () => {
    const connection = owner();
    const db = openTeamDb(connection);
    try {
      const update = await failure(teamDbCall(connection.address, () => sql`UPDATE audit_log SET action = 'forged'`.execute(db)));
      expect(update.message).toMatch(/append-only: UPDATE refused/);
      const remove = await failure(teamDbCall(connection.address, () => sql`DELETE FROM audit_log`.execute(db)));
      expect(remove.message).toMatch(/append-only: DELETE refused/);
    } finally {
      await db.destroy();
    }
  });

  it('LISTEN survives a server restart: a notification sent after it still arrives', async () => {
    const received: TeamNotification[] = [];
    const listening: boolean[] = [];
    let arrived: (() => void) | undefined;
    let relistened: (() => void) | undefined;
    const listener = new TeamListener(app(), {
      onNotification: (notification) => (received.push(notification), arrived?.()),
      onListening: (reconnected) => (listening.push(reconnected), relistened?.()),
    });
    await listener.start();
    const notify = async (seq: string) => {
      const db = openTeamDb(app());
      const got = new Promise<void>((resolve) => (arrived = resolve));
      await sql`SELECT pg_notify('certvault', ${JSON.stringify({ action: 'test', subject: null, seq })})`.execute(db);
      await db.destroy();
      await got;
    };
    try {
      await notify('1');
      const back = new Promise<void>((resolve) => (relistened = resolve));
      await cluster.restart();
      await back;
      await notify('2');
      expect(received.map((notification) => notification.seq)).toEqual(['1', '2']);
      expect(listening).toEqual([false, true]);
    } finally {
      await listener.close();
    }
  });
});
