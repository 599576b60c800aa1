import { parseTeamUrl } from './db/connection-url';
import { migrateTeamSchema } from './db/migrations';
import { resolveDbPassword, saveDbPassword, type PasswordSources } from './db/password';
import { connectSession, type TeamEnvironment } from './session';
import { TeamSettingsStore, type TeamSettings } from './team-settings';

// Which vault this computer works on, and the explicit admin action that upgrades a team schema.

export function listVaults(env: TeamEnvironment): TeamSettings {
  return new TeamSettingsStore(env.dataDir).read();
}

/** `team use NAME|local`. */
export function useVault(env: TeamEnvironment, name: string): void {
  new TeamSettingsStore(env.dataDir).use(name);
}

/** `team migrate NAME`: applies pending team schema migrations; the only way besides `team create` they run. */
export async function migrateVault(env: TeamEnvironment, name: string, sources: PasswordSources = {}): Promise<number[]> {
  const entry = new TeamSettingsStore(env.dataDir).find(name);
  const { address } = parseTeamUrl(entry.url);
  const { password, given } = await resolveDbPassword(env.secrets, name, sources);
  const session = connectSession(entry, address, password);
  try {
    const applied = await session.call((db) => migrateTeamSchema(db));
    if (given) await saveDbPassword(env.secrets, name, password);
    return applied;
  } finally {
    await session.close();
  }
}
