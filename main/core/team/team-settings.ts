import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { VaultError } from '../../../shared/errors';
import { log } from '../log';
import { writeJsonAtomic } from '../settings-store';
import { sslModes } from './db/connection-url';

// Which vaults this computer knows and which one is in use, in `team-vaults.json` beside
// settings.json. It holds addresses and ids only: the database password is in the keychain
// (`team-db:<name>`), the member key too (`team-member:<teamId>:<memberId>`).

export const TEAM_SETTINGS_FILE = 'team-vaults.json';
export const LOCAL_VAULT = 'local';

const teamEntry = z.object({
  name: z.string().min(1).max(100),
  url: z.string().min(1).max(2000),
  sslmode: z.enum(sslModes),
  caFile: z.string().optional(),
  teamId: z.string().uuid(),
  /** The member id; while the join request is pending it is the request's id, which approval keeps. */
  memberId: z.string().uuid(),
  /**
   * The newest audit row this computer verified. The chain alone cannot show that its newest rows
   * were dropped; a later verify that no longer finds this row, unchanged, can.
   */
  auditHead: z.object({ seq: z.number().int().positive(), hash: z.string().regex(/^[0-9a-f]{64}$/) }).optional(),
});
const teamSettings = z.object({ current: z.string().min(1), teams: z.array(teamEntry) });

export type TeamEntry = z.infer<typeof teamEntry>;
export type TeamSettings = z.infer<typeof teamSettings>;

const empty: TeamSettings = { current: LOCAL_VAULT, teams: [] };

/** A vault name `team use` can tell apart from `local` and from options. */
export function checkVaultName(name: string): string {
  const trimmed = name.trim();
  if (!/^[\p{L}\p{N}][\p{L}\p{N}._-]{0,99}$/u.test(trimmed) || trimmed.toLowerCase() === LOCAL_VAULT) {
    throw new VaultError('ipc.bad_request', { field: 'name', problem: 'must be 1-100 letters, digits, ".", "_" or "-", not "local"' });
  }
  return trimmed;
}

export class TeamSettingsStore {
  private readonly file: string;

  constructor(dataDir: string) {
    this.file = path.join(dataDir, TEAM_SETTINGS_FILE);
  }

  read(): TeamSettings {
    let text: string;
    try {
      text = fs.readFileSync(this.file, 'utf8');
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) log.warn('team_settings_unreadable', { file: this.file, error });
      return empty;
    }
    const parsed = teamSettings.safeParse(safeJson(text));
    if (parsed.success) return parsed.data;
    log.warn('team_settings_invalid', { file: this.file });
    return empty;
  }

  find(name: string): TeamEntry {
    const entry = this.read().teams.find((team) => team.name === name);
    if (!entry) throw new VaultError('team.not_found', { name });
    return entry;
  }

  add(entry: TeamEntry): void {
    const settings = this.read();
    if (settings.teams.some((team) => team.name === entry.name)) throw new VaultError('team.name_taken', { name: entry.name });
    this.write({ ...settings, teams: [...settings.teams, entry] });
  }

  /** Replaces fields of the entry named `name`. */
  update(name: string, patch: Partial<Omit<TeamEntry, 'name'>>): void {
    const settings = this.read();
    if (!settings.teams.some((team) => team.name === name)) throw new VaultError('team.not_found', { name });
    this.write({ ...settings, teams: settings.teams.map((team) => (team.name === name ? { ...team, ...patch } : team)) });
  }

  /** `local` or a known team vault's name. */
  use(name: string): void {
    if (name !== LOCAL_VAULT) this.find(name);
    this.write({ ...this.read(), current: name });
  }

  private write(settings: TeamSettings): void {
    writeJsonAtomic(this.file, settings);
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
