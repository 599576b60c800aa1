import type { Events, EventName, Settings } from '../../../shared/ipc';
import type { Locale } from '../../../shared/i18n';
import type { CloudId } from '../../../shared/model';
import type { AccountIdentity } from '../accounts/account-confirmation';
import type { Vault } from '../library/vault';
import type { UploadService } from '../uploads/service';
import type { DeployerLookup } from '../deploy/service';
import type { TlsResolver } from '../tls/read-served';
import type { VaultDb } from '../db/vault-db';
import type { SecretStore } from '../keychain';
import type { Actor } from './actor';

// What every handler receives. The Electron front door, the CLI and the Playwright bridge each
// build one; handlers never know which.

/** Dialogs need Electron; the front door supplies them (tests supply a scripted one). */
export interface Dialogs {
  chooseFiles(purpose: 'inspect' | 'import' | 'restore' | 'teamCa', folders: boolean): Promise<string[]>;
  /** The save dialog for an export or a backup; null when cancelled. */
  chooseSave(purpose: 'export' | 'backup', defaultName: string): Promise<string | null>;
  /** Whether uploads of this account, private keys included, may go to a new endpoint override. */
  confirmEndpoint(account: { readonly name: string; readonly cloud: CloudId }, endpoint: string): Promise<boolean>;
  /** Whether private keys may go to this account: its cloud, access key id and endpoint (uploads/service.ts). */
  confirmAccount(account: { readonly name: string }, identity: AccountIdentity): Promise<boolean>;
  /** Whether to start a new data key, leaving `sealedKeys` keys sealed with the lost one unrecoverable for good. */
  confirmDataKeyReset(sealedKeys: number): Promise<boolean>;
}

export interface EventSink {
  emit<E extends EventName>(event: E, payload: Events[E]): void;
}

export interface SettingsStore {
  get(): Settings;
  update(patch: Partial<Settings>): Settings;
}

export interface HandlerContext {
  readonly dataDir: string;
  readonly appVersion: string;
  readonly platform: string;
  readonly systemLocale: Locale;
  readonly dialogs: Dialogs;
  readonly events: EventSink;
  readonly settings: SettingsStore;
  readonly now: () => Date;
  /**
   * The library. Optional: without it, `vaultOf(ctx)` (main/core/library) opens the vault in
   * `dataDir` with the OS keychain on first use; tests inject one over an in-memory keychain.
   */
  readonly vault?: () => Vault;
  /**
   * The vault database every converted store shares (docs/data-layer.md). Optional: without it,
   * `vaultDbOf(ctx)` (main/core/db/context-db.ts) opens the SQLite vault in `dataDir` once.
   */
  readonly vaultDb?: () => VaultDb;
  /**
   * Cloud accounts, uploads and their history. Optional like `vault`: without it `uploadsOf(ctx)`
   * (main/core/uploads) opens them over the vault database and the OS keychain on first use.
   */
  readonly uploads?: () => UploadService;
  /** Each cloud's deployer; tests bring scripted ones. Without it, each cloud's own (main/clouds/<cloud>/deploy.ts). */
  readonly deployers?: DeployerLookup;
  /**
   * Where TLS probes connect for a name (default: the system's DNS). Only the process that builds
   * the context sets it: tests point every name at a loopback server; no request can.
   */
  readonly tlsResolver?: TlsResolver;
  /** The keychain team vault handlers keep database passwords and member keys in (default: the OS keychain); tests bring their own. */
  readonly secrets?: () => SecretStore;
  /**
   * Who this context acts as (`actorOf(ctx)`, main/core/ipc/actor.ts). Optional: without it, this
   * computer's OS user on its host name; a team vault's context names the member.
   */
  readonly actor?: () => Actor;
  /** Wall-clock budget of one inspection or one imported file in the parse worker (default DEFAULT_PARSE_BUDGET_MS). */
  readonly parseBudgetMs?: number;
}
