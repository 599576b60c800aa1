import { VaultError } from '../../../../shared/errors';
import type { SecretStore } from '../../../../main/core/keychain';

/** An in-memory keychain; `unavailable` makes every call fail the way a missing Secret Service does. */
export class MemorySecretStore implements SecretStore {
  readonly secrets = new Map<string, string>();
  unavailable = false;

  async get(account: string): Promise<string | null> {
    this.check();
    return this.secrets.get(account) ?? null;
  }

  async set(account: string, secret: string): Promise<void> {
    this.check();
    this.secrets.set(account, secret);
  }

  async delete(account: string): Promise<boolean> {
    this.check();
    return this.secrets.delete(account);
  }

  private check(): void {
    if (this.unavailable) throw new VaultError('keychain.unavailable', { reason: 'test: no Secret Service' });
  }
}
