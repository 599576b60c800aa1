import os from 'node:os';
import type { Kysely, Transaction } from 'kysely';
import { VaultError } from '../../../shared/errors';
import type { SecretStore } from '../keychain';
import { openTeamDb, teamDbCall } from './db/connect';
import { parseTeamUrl, type TeamDbAddress } from './db/connection-url';
import { requireCurrentSchema } from './db/migrations';
import { resolveDbPassword, saveDbPassword, type PasswordSources } from './db/password';
import type { Member, TeamDatabase } from './db/schema';
import { TeamSettingsStore, type TeamEntry } from './team-settings';

// What every team action needs: this computer's settings and keychain, and an open, schema-checked
// connection to one team vault with the member this computer is in it.

export interface TeamEnvironment {
  readonly dataDir: string;
  readonly secrets: SecretStore;
  readonly now: () => Date;
  /** The machine name written into audit rows and member records (default: the host name). */
  readonly machine?: string;
}

export function machineName(env: TeamEnvironment): string {
  return env.machine ?? os.hostname();
}

export interface TeamSession {
  readonly entry: TeamEntry;
  readonly address: TeamDbAddress;
  readonly db: Kysely<TeamDatabase>;
  /** Runs `work` against the database; pg errors become team.* VaultErrors naming the server. */
  call<T>(work: (db: Kysely<TeamDatabase>) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/** Opens the team vault named `name` in this computer's settings; refuses a schema this build does not match. */
export async function openTeamSession(env: TeamEnvironment, name: string, sources: PasswordSources = {}): Promise<TeamSession> {
  const entry = new TeamSettingsStore(env.dataDir).find(name);
  const { address } = parseTeamUrl(entry.url);
  const { password, given } = await resolveDbPassword(env.secrets, name, sources);
  const session = connectSession(entry, address, password);
  try {
    await session.call((db) => requireCurrentSchema(db, address));
  } catch (error) {
    await session.close();
    throw error;
  }
  // Only a password that worked replaces the kept one.
  if (given) await saveDbPassword(env.secrets, name, password);
  return session;
}

export function connectSession(entry: TeamEntry, address: TeamDbAddress, password: string): TeamSession {
  const db = openTeamDb({ address, password });
  return {
    entry,
    address,
    db,
    call: (work) => teamDbCall(address, () => work(db)),
    close: () => db.destroy(),
  };
}

/** This computer's member record, active; else `team.not_member`. */
export async function currentMember(db: Kysely<TeamDatabase> | Transaction<TeamDatabase>, entry: TeamEntry): Promise<Member> {
  const member = await db.selectFrom('members').selectAll().where('id', '=', entry.memberId).executeTakeFirst();
  if (!member || member.status !== 'active') throw new VaultError('team.not_member', { name: entry.name });
  return member;
}

export async function requireAdmin(db: Transaction<TeamDatabase>, entry: TeamEntry): Promise<Member> {
  const member = await currentMember(db, entry);
  if (member.role !== 'admin') throw new VaultError('team.not_admin', { role: member.role });
  return member;
}

/** Opens the named vault for `work` and closes it afterwards, whatever happens. */
export async function withSession<T>(env: TeamEnvironment, name: string, sources: PasswordSources | undefined, work: (session: TeamSession) => Promise<T>): Promise<T> {
  const session = await openTeamSession(env, name, sources);
  try {
    return await work(session);
  } finally {
    await session.close();
  }
}
