import type { Kysely } from 'kysely';
import { openPostgresVaultDb } from '../db/pg/open';
import type { VaultDb } from '../db/vault-db';
import { teamDbCall, type TeamConnection } from './db/connect';
import { parseTeamUrl, type TeamDbAddress } from './db/connection-url';
import { requireCurrentSchema } from './db/migrations';
import { resolveDbPassword } from './db/password';
import type { Member, TeamDatabase } from './db/schema';
import { currentMember, type TeamEnvironment } from './session';
import type { TeamEntry } from './team-settings';

// The one place a team vault's data is opened for every command and screen: the password from the
// keychain, the entry's sslmode and CA, an active member, a schema this build matches. Whatever
// fails, nothing stays open.

export interface OpenedTeamVault {
  readonly vaultDb: VaultDb;
  /** The team tables (members, key wraps, audit) over the same pool as the vault tables. */
  readonly teamDb: Kysely<TeamDatabase>;
  readonly address: TeamDbAddress;
  /** Where and as whom it connects (a LISTEN connection of the window uses the same). */
  readonly connection: TeamConnection;
  /** This computer's member record as it was when the vault was opened. */
  readonly member: Member;
}

export async function openTeamVaultDb(env: TeamEnvironment, entry: TeamEntry): Promise<OpenedTeamVault> {
  const { address } = parseTeamUrl(entry.url);
  const { password } = await resolveDbPassword(env.secrets, entry.name, {});
  const connection: TeamConnection = { address, password };
  const vaultDb = openPostgresVaultDb(connection);
  // Same database and schema: one pool serves both table sets (only the types differ).
  const teamDb = vaultDb.db as unknown as Kysely<TeamDatabase>;
  try {
    const member = await teamDbCall(address, async () => {
      await requireCurrentSchema(teamDb, address);
      return currentMember(teamDb, entry);
    });
    return { vaultDb, teamDb, address, connection, member };
  } catch (error) {
    await vaultDb.close();
    throw error;
  }
}
