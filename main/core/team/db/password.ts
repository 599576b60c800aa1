import { VaultError } from '../../../../shared/errors';
import type { SecretStore } from '../../keychain';

// The team database password lives in the OS keychain under `team-db:<vault name>`, never in
// team-vaults.json or a log. Where it comes from the first time: the URL, PGPASSWORD, or stdin.

export function dbPasswordAccount(vaultName: string): string {
  return `team-db:${vaultName}`;
}

export interface PasswordSources {
  readonly fromUrl?: string | undefined;
  readonly fromEnv?: string | undefined;
  readonly fromStdin?: string | undefined;
}

/** A password given now (stdin, then URL, then PGPASSWORD), else the one kept in the keychain. */
export async function resolveDbPassword(secrets: SecretStore, vaultName: string, sources: PasswordSources): Promise<{ password: string; given: boolean }> {
  const given = sources.fromStdin ?? sources.fromUrl ?? (sources.fromEnv ? sources.fromEnv : undefined);
  if (given !== undefined) return { password: given, given: true };
  const kept = await secrets.get(dbPasswordAccount(vaultName));
  if (kept === null) throw new VaultError('team.password_missing', { name: vaultName });
  return { password: kept, given: false };
}

export async function saveDbPassword(secrets: SecretStore, vaultName: string, password: string): Promise<void> {
  await secrets.set(dbPasswordAccount(vaultName), password);
}
