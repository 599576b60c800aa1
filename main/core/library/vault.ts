import { writeFileAtomic } from '../atomic-write';
import type Database from 'better-sqlite3';
import { VaultError, type ErrorInfo } from '../../../shared/errors';
import {
  keyStateOf,
  type EntryUpdate,
  type ExportFormat,
  type ImportedEntry,
  type ImportProgress,
  type ImportResult,
  type EntryRef,
  type KeychainStatus,
  type KeyState,
  type LibraryEntry,
  type LibraryEntryDetail,
  type LibraryListEntry,
  type LibraryPage,
  type LibraryQuery,
} from '../../../shared/library';
import { openDatabase } from '../db/open';
import type { SecretStore } from '../keychain';
import { log } from '../log';
import { unseal } from '../seal';
import { collectFiles, describe, readAhead } from './collect-files';
import { DataKeys, type ConfirmDataKeyReset } from './data-key';
import { resolveEntryId } from './entry-id';
import { renderExport, type EntryKeys, type RenderedExport } from './export';
import type { CertificateFacts, KeyMaterial, ParsedSource } from './material';
import { parseLocally, type SourceInput, type SourceParser } from './parse-source';
import { inspectEntry } from './inspect-entry';
import { anchorsWith } from '../inspect/trust';
import { planImport, type ImportPlan, type PlannedEntry } from './plan';
import { LibrarySearch } from './search';
import { EntryStore, sealingContext, type DataKeySource, type KeyRole, type NewEntryFields } from './store';

// The vault: one SQLite database in the data folder plus a data key in the OS keychain. Listing,
// searching and reading certificates never touch the keychain, so the library works (read-only
// for keys) when the keychain is locked or gone; only sealing and unsealing keys need it.

export interface VaultOptions {
  readonly dataDir: string;
  readonly secrets: SecretStore;
  readonly now?: () => Date;
}

export interface ImportOptions {
  readonly password?: string;
  /** Name for new entries (default: the certificate's CN). */
  readonly name?: string;
  readonly tags?: readonly string[];
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Where files are parsed; in this thread unless the caller (the IPC handlers) hands in the parse worker. */
  readonly parse?: SourceParser;
}

export interface ExportOptions {
  readonly password?: string;
  readonly legacy?: boolean;
  readonly reminderDays?: number;
}

const DEFAULT_REMINDER_DAYS = 30;
/** Errors that mean "this file is not certificate material": skipped when found by walking a folder. */
const NOT_CERTIFICATE_CODES = new Set(['input.not_certificate', 'input.empty', 'input.nothing_found']);
/** Keychain errors refuse the keys of an import; its certificates are stored all the same. */
const KEY_REFUSAL_CODES = new Set(['keychain.unavailable', 'keychain.data_key_missing']);
/**
 * Entries written per transaction (each in its own savepoint, see EntryStore.writeEach): a few
 * tens of milliseconds of work, so another process waiting for the lock (the app vs the CLI) or
 * this process's event loop never waits long.
 */
const WRITE_BATCH = 100;

/** One write of an import: a planned entry, or a key for an entry already in the library. */
interface ImportWrite {
  readonly file: string;
  /** True when the write would seal a key the library does not hold yet. */
  readonly needsDataKey: () => boolean;
  readonly run: (dataKey: DataKeySource) => ImportedEntry;
  /** The same write without its keys, when the keychain refuses them: the file the key came from and the write. */
  readonly withoutKeys: { readonly keyFile: string; readonly run: () => ImportedEntry } | null;
}

export class Vault {
  readonly id: string;
  private readonly store: EntryStore;
  private readonly search: LibrarySearch;
  private readonly dataKeys: DataKeys;
  private readonly now: () => Date;

  private constructor(
    private readonly db: Database.Database,
    secrets: SecretStore,
    now: () => Date,
  ) {
    this.id = db.prepare("SELECT value FROM vault_meta WHERE key = 'vault_id'").pluck().get() as string;
    this.store = new EntryStore(db);
    this.search = new LibrarySearch(db);
    this.dataKeys = new DataKeys(db, secrets, this.id);
    this.now = now;
  }

  static open({ dataDir, secrets, now }: VaultOptions): Vault {
    return new Vault(openDatabase(dataDir), secrets, now ?? (() => new Date()));
  }

  close(): void {
    this.db.close();
  }

  list(query: LibraryQuery = {}): LibraryPage {
    return this.search.query(query, this.now());
  }

  /** A page of the library with each row's key state: one keychain look-up, none when no row has a key. */
  async listRows(query: LibraryQuery = {}): Promise<LibraryPage<LibraryListEntry>> {
    const page = this.list(query);
    const withKey = page.entries.filter((entry) => entry.hasKey).map((entry) => entry.id);
    const dataKey = withKey.length > 0 ? await this.dataKeyState() : 'ready';
    const retired = this.store.withRetiredKeys(withKey);
    return { ...page, entries: page.entries.map((entry) => ({ ...entry, keyState: keyStateOf(entry.hasKey, dataKey, retired.has(entry.id)) })) };
  }

  /**
   * An entry id from what a user typed: the id, a unique prefix of it or of the fingerprint, or a
   * name only one entry has.
   */
  resolve(typed: string): string {
    return resolveEntryId(this.db, typed);
  }

  /** The entry this one renews (lineage.ts), or null. */
  predecessorOf(typed: string): EntryRef | null {
    return this.store.lineage.predecessorOf(this.resolve(typed));
  }

  /** The entries that renew this one, latest expiry first. */
  successorsOf(typed: string): EntryRef[] {
    return this.store.lineage.successorsOf(this.resolve(typed));
  }

  /** The newest renewal down this entry's lineage (the entry itself when nothing renews it). */
  currentVersionOf(typed: string): EntryRef {
    const id = this.resolve(typed);
    const current = this.store.lineage.currentVersionOf(id);
    if (!current) throw new VaultError('vault.not_found', { id: typed });
    return current;
  }

  entry(typed: string): LibraryEntry {
    const entry = this.store.get(this.resolve(typed));
    if (!entry) throw new VaultError('vault.not_found', { id: typed });
    return entry;
  }

  async detail(typed: string): Promise<LibraryEntryDetail> {
    const entry = this.entry(typed);
    const certs = this.store.certificates(entry.id);
    const keyState = await this.keyState(entry);
    // An unrecoverable key is no key for the inspector: "private key matches" would promise an upload that cannot happen.
    const usableKeys = keyState === 'sealed' ? this.store.keyRoles(entry.id) : new Set<string>();
    const inspection = await inspectEntry(entry, certs, usableKeys, this.now(), anchorsWith(this.store.caCertificates()));
    return { ...entry, keyState, inspection, lineage: this.store.lineage.of(entry.id) };
  }

  /** The library's CA certificates (DER): where an inspected chain missing its root may end. */
  caCertificates(): Buffer[] {
    return this.store.caCertificates();
  }

  /** Whether the keychain holds this vault's data key; never throws. */
  async keychainStatus(): Promise<KeychainStatus> {
    const sealedKeys = this.dataKeys.sealedKeyCount();
    const retiredKeys = this.dataKeys.retiredKeyCount();
    try {
      const status = await this.dataKeys.status();
      return { dataKey: status.state, sealedKeys, retiredKeys };
    } catch {
      return { dataKey: 'unavailable', sealedKeys, retiredKeys };
    }
  }

  /**
   * Starts a new data key after the keychain lost the old one (data-key.ts): the keys sealed
   * with the old one stay in their entries, unrecoverable, and new keys can be stored again.
   * `confirm` is the user's answer, asked only once a reset is due and before anything changes.
   */
  async resetDataKey(confirm: ConfirmDataKeyReset): Promise<KeychainStatus> {
    await this.dataKeys.reset(confirm);
    return this.keychainStatus();
  }

  update(typed: string, patch: EntryUpdate): LibraryEntry {
    return this.store.update(this.resolve(typed), patch, this.now());
  }

  /** Deletes the entry with its certificates and sealed keys; returns what was removed. */
  remove(typed: string): LibraryEntry {
    const entry = this.entry(typed);
    if (!this.store.remove(entry.id)) throw new VaultError('vault.not_found', { id: typed });
    log.info('entry_removed', { id: entry.id });
    return entry;
  }

  async importPaths(paths: readonly string[], options: ImportOptions = {}): Promise<ImportResult> {
    const collected = await collectFiles(paths);
    const failed: Failure[] = collected.failed.map(({ file, error }) => ({ file, error: error.toInfo() }));
    const sources: ParsedSource<CertificateFacts>[] = [];
    const total = collected.files.length;
    let index = 0;
    for await (const read of readAhead(collected.files.map((found) => found.path))) {
      const found = collected.files[index]!;
      try {
        if (!read.ok) throw read.error;
        sources.push(await (options.parse ?? parseLocally)({ name: found.path, data: read.data }, options.password));
      } catch (error) {
        const skip = found.fromFolder && error instanceof VaultError && NOT_CERTIFICATE_CODES.has(error.code);
        if (!skip) failed.push(failure(found.path, error));
      }
      index += 1;
      options.onProgress?.({ done: index, total, file: found.path });
    }
    return this.importSources(sources, failed, options);
  }

  /** Dropped files (their bytes) and pasted text. */
  async importContent(inputs: readonly SourceInput[], options: ImportOptions = {}): Promise<ImportResult> {
    const failed: Failure[] = [];
    const sources: ParsedSource<CertificateFacts>[] = [];
    for (const [index, input] of inputs.entries()) {
      try {
        sources.push(await (options.parse ?? parseLocally)(input, options.password));
      } catch (error) {
        failed.push(failure(input.name, error));
      }
      options.onProgress?.({ done: index + 1, total: inputs.length, file: input.name });
    }
    return this.importSources(sources, failed, options);
  }

  async export(typed: string, format: ExportFormat, options: ExportOptions = {}): Promise<RenderedExport> {
    const entry = this.entry(typed);
    const certs = this.store.certificates(entry.id);
    return renderExport(
      format,
      { entry, leaf: certs.leaf, chain: certs.chain, encryptCertificate: certs.encrypt, unsealKeys: () => this.unsealKeys(entry) },
      { password: options.password, legacy: options.legacy, reminderDays: options.reminderDays ?? DEFAULT_REMINDER_DAYS, now: this.now() },
    );
  }

  /**
   * Exports to a file, replacing it atomically. Files with a private key are created owner-only
   * (0600) from the start, never readable by others even for a moment.
   */
  async exportToFile(typed: string, format: ExportFormat, file: string, options: ExportOptions = {}): Promise<{ file: string; bytes: number }> {
    const rendered = await this.export(typed, format, options);
    try {
      writeFileAtomic(file, rendered.bytes, rendered.secret ? 0o600 : 0o644);
    } catch (error) {
      throw new VaultError('export.write_failed', { file, reason: describe(error) });
    }
    log.info('entry_exported', { id: this.resolve(typed), format, file });
    return { file, bytes: rendered.bytes.length };
  }

  /**
   * Plans and writes what the files held. Takes `sources` over (it is emptied): once planned, each
   * batch of entries can be collected as soon as it is written, which keeps a 10,000-file import
   * within its memory budget (bench/library-import.ts).
   */
  private async importSources(sources: ParsedSource<CertificateFacts>[], failed: Failure[], options: ImportOptions): Promise<ImportResult> {
    const fields = { name: options.name, tags: options.tags ?? [], now: this.now() };
    const pending = this.importWrites(planImport(sources.splice(0)), fields);
    const imported: ImportedEntry[] = [];
    const keysNotStored: KeysNotStored[] = [];
    // The keychain is asked once, and only when a write seals a key: an import that brings no new
    // key works with the keychain locked, and a failed one never creates a data key.
    let sealing: { key: Buffer } | { error: unknown } | null = null;
    const dataKey = (): Buffer => {
      // Checked before the batch; reaching here without it means another process changed the
      // entry in between: the user retries.
      if (!sealing) throw new VaultError('vault.busy');
      if ('error' in sealing) throw sealing.error;
      return sealing.key;
    };
    while (pending.length > 0) {
      const batch = pending.splice(0, WRITE_BATCH);
      if (!sealing && batch.some((write) => write.needsDataKey())) {
        sealing = await this.dataKeys.forSealing().then(
          (key) => ({ key }),
          (error: unknown) => ({ error }),
        );
      }
      const refusal = sealing && 'error' in sealing && keyRefusal(sealing.error);
      const runs = batch.map((write) => (refusal && write.withoutKeys && write.needsDataKey() ? write.withoutKeys : null));
      this.store.writeEach(batch.map((write, i) => runs[i]?.run ?? (() => write.run(dataKey)))).forEach((result, i) => {
        const withoutKeys = runs[i];
        if (!result.ok) failed.push(failure(batch[i]!.file, result.error));
        else {
          imported.push(result.value);
          if (withoutKeys && refusal) keysNotStored.push({ file: withoutKeys.keyFile, id: result.value.id, error: refusal.toInfo() });
        }
      });
      // Lets IPC and rendering through between batches: a large import takes seconds.
      await new Promise((resolve) => setImmediate(resolve));
    }
    log.info('import_finished', { imported: imported.length, failed: failed.length, keysNotStored: keysNotStored.length });
    return { imported: dedupe(imported), failed, keysNotStored };
  }

  private importWrites(plan: ImportPlan<CertificateFacts>, fields: NewEntryFields): ImportWrite[] {
    return [
      ...plan.entries.map((planned) => ({
        file: planned.sourceFile,
        needsDataKey: () => this.needsDataKey(planned),
        run: (dataKey: DataKeySource) => this.store.write(planned, dataKey, fields),
        withoutKeys: {
          keyFile: planned.keyFile ?? planned.sourceFile,
          run: () => this.store.write({ ...planned, leafKey: null, encryptKey: null }, noDataKey, fields),
        },
      })),
      ...plan.strayKeys.map(({ file, key }) => ({
        file,
        needsDataKey: () => this.strayKeyOwner(key)?.needsKey ?? false,
        run: (dataKey: DataKeySource) => this.addStrayKey(file, key, dataKey, fields.now),
        // A key alone has nothing to store without the keychain: it fails with the reason.
        withoutKeys: null,
      })),
    ];
  }

  /** True when the entry brings a key the library does not already hold. */
  private needsDataKey(planned: PlannedEntry<CertificateFacts>): boolean {
    if (!planned.leafKey && !planned.encryptKey) return false;
    const existing = this.store.byFingerprint(planned.leaf.info.fingerprintSha256);
    if (!existing) return true;
    const roles = this.store.keyRoles(existing.id);
    return (planned.leafKey !== null && !roles.has('leaf')) || (planned.encryptKey !== null && !roles.has('sm2-encrypt'));
  }

  /** The entry a key that came without its certificate belongs to, and whether it lacks that key. */
  private strayKeyOwner(key: KeyMaterial): { entryId: string; role: KeyRole; needsKey: boolean } | null {
    const owner = key.spkiSha256 ? this.store.findBySpki(key.spkiSha256) : null;
    return owner && { ...owner, needsKey: !this.store.keyRoles(owner.entryId).has(owner.role) };
  }

  private addStrayKey(file: string, key: KeyMaterial, dataKey: DataKeySource, now: Date): ImportedEntry {
    const owner = this.strayKeyOwner(key);
    if (!owner) throw new VaultError('vault.key_without_certificate', { file, algorithm: key.algorithm });
    const entry = this.store.get(owner.entryId)!;
    if (owner.needsKey) this.store.addKey(owner.entryId, owner.role, key, dataKey, now);
    return { id: entry.id, fingerprintSha256: entry.fingerprintSha256, duplicate: true };
  }

  private async keyState(entry: LibraryEntry): Promise<KeyState> {
    if (!entry.hasKey) return 'none';
    return keyStateOf(true, await this.dataKeyState(), this.store.withRetiredKeys([entry.id]).size > 0);
  }

  /** keychainStatus's state without its counts of every sealed key: what one page or one entry needs. */
  private async dataKeyState(): Promise<KeychainStatus['dataKey']> {
    try {
      return (await this.dataKeys.status()).state;
    } catch {
      return 'unavailable';
    }
  }

  private async unsealKeys(entry: LibraryEntry): Promise<EntryKeys> {
    const status = await this.dataKeys.status();
    if (status.state !== 'ready') throw new VaultError('vault.key_unrecoverable', { name: entry.name });
    const opened = new Map<string, Buffer>();
    for (const sealed of this.store.sealedKeys(entry.id)) {
      const plaintext = unseal(status.key, sealed, sealingContext(entry.id, sealed.role));
      if (!plaintext) throw new VaultError('vault.key_unrecoverable', { name: entry.name });
      opened.set(sealed.role, plaintext);
    }
    const leaf = opened.get('leaf');
    if (!leaf) throw new VaultError('export.no_key', { name: entry.name });
    return { leaf, encrypt: opened.get('sm2-encrypt') ?? null };
  }
}

type Failure = { file: string; error: ErrorInfo };
type KeysNotStored = ImportResult['keysNotStored'][number];

/** A write without keys never asks for the data key. */
const noDataKey: DataKeySource = () => {
  throw new VaultError('internal');
};

function keyRefusal(error: unknown): VaultError | null {
  return error instanceof VaultError && KEY_REFUSAL_CODES.has(error.code) ? error : null;
}

function failure(file: string, error: unknown): Failure {
  if (error instanceof VaultError) return { file, error: error.toInfo() };
  log.error('import_failed', { file, error });
  return { file, error: new VaultError('internal').toInfo() };
}

/** A folder can bring the same entry twice (fullchain.pem and cert.pem): report it once. */
function dedupe(entries: readonly ImportedEntry[]): ImportedEntry[] {
  const seen = new Map<string, ImportedEntry>();
  for (const entry of entries) {
    const previous = seen.get(entry.id);
    if (!previous || (previous.duplicate && !entry.duplicate)) seen.set(entry.id, entry);
  }
  return [...seen.values()];
}

