import { sql, type Kysely, type Transaction } from 'kysely';
import { VaultError } from '../../../../shared/errors';
import { applyPostgresVaultMigrations, requirePostgresVaultSchema } from '../../db/pg/migrations';
import { hostPort, type TeamDbAddress } from './connection-url';
import type { TeamDatabase } from './schema';

// The team engine's own migrations, numbered 1, 2, ... independently of the SQLite vault's. They
// run only on an explicit admin action (`team create`, `team migrate`), as a role that may create
// tables; the everyday app role (docs/team-vault.md) may not, and an app that finds an older
// schema says so instead of changing it.

type Migration = (tx: Transaction<TeamDatabase>) => Promise<void>;

const migrations: readonly Migration[] = [
  // 1: team, members, join requests, wrapped team keys, the append-only audit log.
  async (tx) => {
    await sql`
      CREATE TABLE team (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        created_at timestamptz NOT NULL,
        key_version integer NOT NULL CHECK (key_version >= 1),
        -- one team per database: the team key and its members belong to exactly one team
        singleton boolean NOT NULL DEFAULT true UNIQUE CHECK (singleton)
      );
      CREATE TABLE members (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        machine text NOT NULL,
        public_key bytea NOT NULL CHECK (length(public_key) = 32),
        role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
        status text NOT NULL CHECK (status IN ('active', 'removed')),
        added_by uuid REFERENCES members (id),
        added_at timestamptz NOT NULL
      );
      CREATE TABLE join_requests (
        id uuid PRIMARY KEY,
        name text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
        machine text NOT NULL,
        public_key bytea NOT NULL CHECK (length(public_key) = 32),
        created_at timestamptz NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'approved', 'rejected')),
        decided_by uuid REFERENCES members (id)
      );
      CREATE TABLE team_key_wraps (
        member_id uuid NOT NULL REFERENCES members (id),
        key_version integer NOT NULL,
        wrapped bytea NOT NULL,
        PRIMARY KEY (member_id, key_version)
      );
      -- seq is assigned by the app as last + 1 under the append lock (audit.ts), not by a sequence:
      -- a rolled-back transaction would leave a gap a verifier cannot tell from a deleted row.
      CREATE TABLE audit_log (
        seq bigint PRIMARY KEY CHECK (seq >= 1),
        at timestamptz NOT NULL,
        member_id uuid,
        member_name text NOT NULL,
        machine text NOT NULL,
        action text NOT NULL,
        subject text,
        detail jsonb NOT NULL,
        prev_hash bytea NOT NULL,
        hash bytea NOT NULL UNIQUE
      );
      -- Privileges keep the app role from changing history; this trigger also stops the owner
      -- (and anyone granted too much) short of disabling it, which the hash chain then exposes.
      CREATE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP USING ERRCODE = 'insufficient_privilege';
      END
      $$;
      CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
        FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
      CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log
        FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
      REVOKE ALL ON team, members, join_requests, team_key_wraps, audit_log FROM PUBLIC;
    `.execute(tx);
  },
];

/** The schema version this build reads and writes. */
export const TEAM_SCHEMA_VERSION = migrations.length;

// Two admins running `team migrate` at once: the second waits, then finds nothing left to do.
const MIGRATION_LOCK = 0x63767465616d; // "cvteam"

/** The schema version in the database; 0 when it holds no team vault tables. */
export async function readSchemaVersion(db: Kysely<TeamDatabase>): Promise<number> {
  const exists = await sql<{ found: string | null }>`SELECT to_regclass('schema_version')::text AS found`.execute(db);
  if (!exists.rows[0]?.found) return 0;
  const row = await db.selectFrom('schema_version').select((eb) => eb.fn.max('version').as('version')).executeTakeFirst();
  return Number(row?.version ?? 0);
}

/** Applies every pending migration in one transaction; returns the versions applied. The admin action behind `team create` / `team migrate`. */
export async function migrateTeamSchema(db: Kysely<TeamDatabase>): Promise<number[]> {
  return db.transaction().execute(async (tx) => {
    await sql`SELECT pg_advisory_xact_lock(${MIGRATION_LOCK})`.execute(tx);
    const exists = await sql<{ found: string | null }>`SELECT to_regclass('schema_version')::text AS found`.execute(tx);
    if (!exists.rows[0]?.found) {
      await sql`CREATE TABLE schema_version (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`.execute(tx);
    }
    const current = Number((await tx.selectFrom('schema_version').select((eb) => eb.fn.max('version').as('version')).executeTakeFirst())?.version ?? 0);
    if (current > TEAM_SCHEMA_VERSION) throw new VaultError('team.schema_too_new', { found: current, needed: TEAM_SCHEMA_VERSION });
    const applied: number[] = [];
    for (let version = current + 1; version <= TEAM_SCHEMA_VERSION; version++) {
      await migrations[version - 1]!(tx);
      await tx.insertInto('schema_version').values({ version }).execute();
      applied.push(version);
    }
    // The vault tables (library, history, ...) beside the team's, numbered on their own, in the
    // same transaction: a team database never has one half (main/core/db/pg/migrations.ts).
    await applyPostgresVaultMigrations(tx);
    return applied;
  });
}

/** Refuses to go on unless the database holds exactly this build's schema; never migrates. */
export async function requireCurrentSchema(db: Kysely<TeamDatabase>, address: TeamDbAddress): Promise<void> {
  const found = await readSchemaVersion(db);
  if (found === 0) throw new VaultError('team.schema_missing', { address: hostPort(address) });
  if (found < TEAM_SCHEMA_VERSION) throw new VaultError('team.schema_outdated', { found, needed: TEAM_SCHEMA_VERSION });
  if (found > TEAM_SCHEMA_VERSION) throw new VaultError('team.schema_too_new', { found, needed: TEAM_SCHEMA_VERSION });
  await requirePostgresVaultSchema(db);
}
