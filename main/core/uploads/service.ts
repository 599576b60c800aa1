import { randomUUID } from 'node:crypto';
import { VaultError } from '../../../shared/errors';
import type { CloudId } from '../../../shared/model';
import type { CloudAccount, ConnectionTest, HistoryCheck, UploadPlan, UploadProgress } from '../../../shared/uploads';
import type { HttpClient } from '../../clouds/http';
import type { CloudCredentials, UploadMaterial } from '../../clouds/provider';
import { systemClock, type Clock } from './clock';
import type { RetryPolicy } from '../../clouds/retry';
import { accountIdentity, type AccountIdentity } from '../accounts/account-confirmation';
import { AccountStore, accountConfig, type ProviderLookup } from '../accounts/account-store';
import type { AccountTeam } from '../accounts/team-secret';
import { testConnection } from '../accounts/connection-test';
import { ownerOf } from '../db/row-owner';
import type { VaultDb } from '../db/vault-db';
import type { Actor } from '../ipc/actor';
import type { SecretStore } from '../keychain';
import { log } from '../log';
import { AccountPacer, type Pacer } from './pacing';
import { checkUnknown } from './check';
import { HistoryStore } from './history-store';
import { UploadJobs } from './jobs';
import type { OrchestratorDeps, UploadTarget } from './orchestrator';
import { isBlocked, planTarget } from './plan';
import { Semaphore } from './semaphore';

// Accounts, uploads and history over one vault database, as the IPC handlers and the CLI use
// them. One per process: the rate limits and the concurrency cap are shared by all its jobs.

/** Requests in flight at once across every job; well under what a desktop uplink handles. */
export const DEFAULT_CONCURRENCY = 16;

export interface UploadServiceOptions {
  /** The context's one vault database (vaultDbOf), shared with every other store of the process. */
  readonly vault: VaultDb;
  readonly secrets: SecretStore;
  readonly providers: ProviderLookup;
  readonly http: HttpClient;
  readonly emit: (progress: UploadProgress) => void;
  readonly clock?: Clock;
  readonly concurrency?: number;
  readonly policy?: RetryPolicy;
  readonly random?: () => number;
  /** Where accounts with `secretSource: 'environment'` read their secret; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Who runs the uploads (recorded on each history row, named to whoever finds one pending); default this computer's user. */
  readonly actor?: Actor;
  /** The team vault `vault` is, for shared and personal accounts (accounts/team-secret.ts); absent on the local vault. */
  readonly team?: AccountTeam;
}

export interface TargetRequest {
  readonly accountId: string;
  /** Changes to the prefilled options. */
  readonly options?: Readonly<Record<string, unknown>>;
}

/**
 * Whether private keys may go to this account, asked when its identity is not the confirmed one:
 * the window answers with a main-process dialog, the CLI with yes (its user typed the command).
 */
export type ConfirmAccount = (account: CloudAccount, identity: AccountIdentity) => Promise<boolean>;

export class UploadService {
  readonly accounts: AccountStore;
  readonly history: HistoryStore;
  readonly jobs: UploadJobs;
  /** Per-account pacing, shared with every other user of an account's rate (the inventory's sync). */
  readonly pacer: Pacer;
  private readonly deps: OrchestratorDeps;
  private readonly providers: ProviderLookup;
  private readonly clock: Clock;

  constructor(options: UploadServiceOptions) {
    this.clock = options.clock ?? systemClock;
    const now = () => new Date(this.clock.now());
    this.providers = options.providers;
    this.accounts = new AccountStore(options.vault, options.secrets, options.providers, now, options.env, options.team);
    this.history = new HistoryStore(options.vault, now, ownerOf(options.actor));
    this.pacer = new AccountPacer(this.clock);
    this.deps = {
      providers: options.providers,
      // Read as each target sends, so a secret or endpoint changed while a job runs (or before a
      // retry) stops it there.
      credentials: (account) => this.confirmedCredentials(account),
      history: this.history,
      http: options.http,
      clock: this.clock,
      limiter: this.pacer,
      concurrency: new Semaphore(options.concurrency ?? DEFAULT_CONCURRENCY),
      random: options.random ?? Math.random,
      nonce: () => randomUUID(),
      policy: options.policy,
    };
    this.jobs = new UploadJobs(this.deps, options.emit);
    // Not awaited here: the history store's other calls wait for it (HistoryStore.sweepAbandoned).
    this.history.sweepAbandoned().then(
      (abandoned) => {
        if (abandoned > 0) log.warn('upload_history_abandoned', { count: abandoned });
      },
      (error: unknown) => log.error('upload_history_sweep_failed', { error }),
    );
  }

  provider(cloud: CloudId) {
    return this.providers(cloud);
  }

  async testAccount(idOrName: string): Promise<ConnectionTest> {
    const account = await this.accounts.get(idOrName);
    const provider = this.providers(account.cloud);
    await this.deps.limiter.acquire(account.id, provider.requestsPerSecond);
    return testConnection(provider, {
      account: accountConfig(account),
      credentials: await this.accounts.credentials(account),
      http: this.deps.http,
      now: () => new Date(this.clock.now()),
      nonce: this.deps.nonce,
    });
  }

  async plan(certificateId: string, material: UploadMaterial, targets: readonly TargetRequest[]): Promise<UploadPlan> {
    const now = new Date(this.clock.now());
    const planned = [];
    for (const { accountId, options } of targets) {
      const account = await this.accounts.get(accountId);
      planned.push(await planTarget(this.providers(account.cloud), account, material, this.history, now, options));
    }
    return { certificateId, fingerprintSha256: material.leaf.fingerprintSha256, targets: planned };
  }

  /**
   * Resolves each target's options and refuses the whole request when one is blocked by its
   * pre-flight: a one-click upload that silently skipped a target would be worse than none.
   */
  async resolveTargets(material: UploadMaterial, targets: readonly TargetRequest[]): Promise<UploadTarget[]> {
    const now = new Date(this.clock.now());
    const accounts = await this.accountsNamed(targets.map(({ accountId }) => accountId));
    const seen = new Set<string>();
    const resolved: UploadTarget[] = [];
    for (const [index, { options }] of targets.entries()) {
      const account = accounts[index]!;
      if (seen.has(account.id)) throw new VaultError('upload.blocked', { account: account.name, reason: 'the account is chosen twice' });
      seen.add(account.id);
      const plan = await planTarget(this.providers(account.cloud), account, material, this.history, now, options);
      if (isBlocked(plan)) {
        const reasons = plan.issues.filter((issue) => issue.severity === 'error').map((issue) => issue.message.en);
        throw new VaultError('upload.blocked', { account: account.name, reason: reasons.join(' ') });
      }
      resolved.push({ account, options: plan.options });
    }
    return resolved;
  }

  /** Asks `confirm` whether keys may go to this account as it is now, and records a yes. */
  async confirmAccount(idOrName: string, confirm: ConfirmAccount): Promise<CloudAccount> {
    const account = await this.accounts.get(idOrName);
    const identity = accountIdentity(account, await this.accounts.credentials(account));
    if (await confirm(account, identity)) {
      await this.accounts.confirmations.record(account.id, identity);
      log.info('account_confirmed', { accountId: account.id, cloud: account.cloud });
    } else {
      log.info('account_confirmation_declined', { accountId: account.id, cloud: account.cloud });
    }
    return this.accounts.get(account.id);
  }

  /**
   * Refuses, before anything is sent, uploads to an account whose cloud, key id or endpoint is not
   * the one the user confirmed. `confirm`, when given, may confirm it on the spot (the CLI).
   */
  async ensureConfirmed(accounts: readonly CloudAccount[], confirm?: ConfirmAccount): Promise<void> {
    for (const account of accounts) {
      const credentials = await this.accounts.credentials(account).catch((error: unknown) => {
        // Confirming on the spot: a secret that cannot be read fails that target in the job, with its own error.
        if (confirm && error instanceof VaultError) return null;
        throw error;
      });
      if (credentials === null) continue;
      const identity = accountIdentity(account, credentials);
      if (await this.accounts.confirmations.matches(account.id, identity)) continue;
      if (confirm && (await confirm(account, identity))) {
        await this.accounts.confirmations.record(account.id, identity);
        continue;
      }
      throw new VaultError('account.not_confirmed', { name: account.name });
    }
  }

  private async confirmedCredentials(account: CloudAccount): Promise<CloudCredentials> {
    const credentials = await this.accounts.credentials(account);
    if (!(await this.accounts.confirmations.matches(account.id, accountIdentity(account, credentials)))) {
      throw new VaultError('account.not_confirmed', { name: account.name });
    }
    return credentials;
  }

  check(ids?: readonly string[]): Promise<HistoryCheck[]> {
    return checkUnknown({ ...this.deps, accounts: this.accounts }, ids);
  }

  /** Accounts by id or name, in the order given (the CLI's `--to a,b`). */
  async accountsNamed(names: readonly string[]): Promise<CloudAccount[]> {
    const accounts: CloudAccount[] = [];
    for (const name of names) accounts.push(await this.accounts.get(name));
    return accounts;
  }
}
