import { AsyncEntry, type EntryOptions } from '@napi-rs/keyring';
import { VaultError } from '../../shared/errors';

// The OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux) behind a
// three-method interface, so the vault can be tested with an in-memory store and the real
// keychain stays a thin adapter.
//
// Why `AsyncEntry` and not the `@napi-rs/keyring/keytar` module: keytar's functions are
// `new AsyncEntry(service, account).getPassword()` with no options, and on Linux that default
// silently falls back to the kernel keyring (keyutils) when no Secret Service is reachable. The
// kernel keyring forgets everything at logout or reboot, which would lose the vault's data key
// and make every sealed private key unrecoverable. Pinning the Secret Service turns "no keychain"
// into an error the user can act on instead of a silent, non-persistent fallback.

export const KEYCHAIN_SERVICE = 'Cert Vault';

/** A secret per account name, all under one service. */
export interface SecretStore {
  /** The secret, or null when there is none. */
  get(account: string): Promise<string | null>;
  set(account: string, secret: string): Promise<void>;
  /** True when a secret was deleted, false when there was none. */
  delete(account: string): Promise<boolean>;
}

const ENTRY_OPTIONS: EntryOptions = { linux: { store: 'secret-service' } };

/** The real OS keychain; every failure becomes `keychain.unavailable` with the cause. */
export function osKeychain(service: string = KEYCHAIN_SERVICE): SecretStore {
  const entry = (account: string): AsyncEntry => {
    try {
      return new AsyncEntry(service, account, ENTRY_OPTIONS);
    } catch (error) {
      throw unavailable(error);
    }
  };
  const call = async <T>(work: () => Promise<T>): Promise<T> => {
    try {
      return await work();
    } catch (error) {
      throw error instanceof VaultError ? error : unavailable(error);
    }
  };
  return {
    get: (account) => call(() => entry(account).getPassword()),
    set: (account, secret) => call(() => entry(account).setPassword(secret)),
    delete: (account) => call(() => entry(account).deletePassword()),
  };
}

/**
 * The library's own message names the cause ("Failed to connect to socket ...", "unlock prompt
 * was dismissed"); the catalog text around it says what to install or unlock. The message never
 * holds the secret.
 */
function unavailable(error: unknown): VaultError {
  const detail = error instanceof Error ? error.message.split('\n')[0]?.trim() : '';
  return new VaultError('keychain.unavailable', { reason: detail ? detail.slice(0, 200) : 'unknown cause' });
}
