import type { Kysely } from 'kysely';
import { teamDbCall } from './db/connect';
import { parseTeamUrl, type TeamDbAddress } from './db/connection-url';
import { requireCurrentSchema } from './db/migrations';
import { resolveDbPassword } from './db/password';
import type { Member, TeamDatabase } from './db/schema';
import { currentMember, type TeamEnvironment } from './session';
import type { TeamEntry } from './team-settings';
import { openTeamVaultConnection, type TeamVaultConnection } from './vault-connection';

// The one place a team vault's data is opened for every command and screen: the password from the
// keychain, the entry's sslmode and CA, an active member, a schema this build matches, through
// its connection (vault-connection.ts: the server, or its local copy read-only while the server
// is out of reach). Whatever fails, nothing stays open.

export interface OpenedTeamVault {
  readonly vault: TeamVaultConnection;
  /**
   * The team tables (members, key wraps, audit) over the server's pool. They are not in the local
   * copy: while offline this throws the offline error.
   */
  readonly teamDb: () => Kysely<TeamDatabase>;
  readonly address: TeamDbAddress;
  /** This computer's member record as it was when the vault was opened; null when it opened offline. */
  readonly member: Member | null;
}

export interface OpenTeamVaultOptions {
  /** The window keeps the local copy fresh; a one-shot process (a CLI run) reads the app's (vault-connection.ts). */
  readonly keepCopy: boolean;
  /** Changes other apps announce on it (vault-connection.ts), heard with `keepCopy` only. */
  readonly announce?: (action: string) => void;
}

export async function openTeamVaultDb(env: TeamEnvironment, entry: TeamEntry, { keepCopy, announce }: OpenTeamVaultOptions): Promise<OpenedTeamVault> {
  const { address } = parseTeamUrl(entry.url);
  const { password } = await resolveDbPassword(env.secrets, entry.name, {});
  let member: Member | null = null;
  const vault = await openTeamVaultConnection({
    entry,
    password,
    dataDir: env.dataDir,
    now: env.now,
    keepCopy,
    announce,
    // Before the first copy: a removed member's app is told so and copies nothing.
    admit: async (server) => {
      // Same database and schema: one pool serves both table sets (only the types differ).
      const teamDb = server.db as unknown as Kysely<TeamDatabase>;
      member = await teamDbCall(address, async () => {
        await requireCurrentSchema(teamDb, address);
        return currentMember(teamDb, entry);
      });
    },
  });
  const teamDb = () => vault.serverDb().db as unknown as Kysely<TeamDatabase>;
  return { vault, teamDb, address, member };
}
