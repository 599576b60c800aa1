import Database from 'better-sqlite3';
import type { CloudId } from '../../../../shared/model';
import type { CloudAccount } from '../../../../shared/uploads';
import type { CloudProvider } from '../../../../main/clouds/provider';
import type { HttpClient } from '../../../../main/clouds/http';
import { AccountStore } from '../../../../main/core/accounts/account-store';
import { migrate } from '../../../../main/core/db/open';
import { migrations } from '../../../../main/core/db/migrations';
import { sqliteVaultDb, type VaultDb } from '../../../../main/core/db/vault-db';
import type { SecretStore } from '../../../../main/core/keychain';
import { HistoryStore } from '../../../../main/core/uploads/history-store';
import type { OrchestratorDeps } from '../../../../main/core/uploads/orchestrator';
import { Semaphore } from '../../../../main/core/uploads/semaphore';
import { AccountPacer } from '../../../../main/core/uploads/pacing';
import type { FakeClock } from './fake-clock';

// An in-memory vault database with the real migrations, an in-memory keychain, and the
// orchestrator's dependencies wired to a fake clock and fake clouds.

export class MemorySecrets implements SecretStore {
  readonly entries = new Map<string, string>();
  async get(account: string) {
    return this.entries.get(account) ?? null;
  }
  async set(account: string, secret: string) {
    this.entries.set(account, secret);
  }
  async delete(account: string) {
    return this.entries.delete(account);
  }
}

export const noHttp: HttpClient = {
  send: () => Promise.reject(new Error('fake providers never send HTTP')),
};

export function memoryDatabase(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db, migrations);
  return db;
}

export interface TestVault {
  /** The connection under `vault`, for a test to arrange or inspect rows directly (never inside a store's transaction). */
  readonly db: Database.Database;
  readonly vault: VaultDb;
  readonly secrets: MemorySecrets;
  readonly accounts: AccountStore;
  readonly history: HistoryStore;
  readonly deps: OrchestratorDeps;
  addAccount(name: string, cloud?: CloudId): Promise<CloudAccount>;
}

export function testVault(clock: FakeClock, providers: readonly CloudProvider[], concurrency = 8): TestVault {
  const db = memoryDatabase();
  const vault = sqliteVaultDb(db, { owned: true });
  const secrets = new MemorySecrets();
  const lookup = (cloud: CloudId): CloudProvider => {
    const provider = providers.find((p) => p.id === cloud);
    if (!provider) throw new Error(`no fake provider for ${cloud}`);
    return provider;
  };
  const now = () => new Date(clock.now());
  const accounts = new AccountStore(vault, secrets, lookup, now);
  const history = new HistoryStore(vault, now);
  const deps: OrchestratorDeps = {
    providers: lookup,
    credentials: (account) => accounts.credentials(account),
    history,
    http: noHttp,
    clock,
    limiter: new AccountPacer(clock),
    concurrency: new Semaphore(concurrency),
    random: () => 0.5,
    nonce: () => 'nonce',
  };
  return {
    db,
    vault,
    secrets,
    accounts,
    history,
    deps,
    // The access key id is the account name, so the fake cloud keeps one copy list per account.
    addAccount: (name, cloud = providers[0]!.id) =>
      accounts.save({ cloud, name }, { accessKeyId: name, accessKeySecret: `secret-of-${name}` }),
  };
}
