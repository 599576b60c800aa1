import { writeFileAtomic } from '../atomic-write';
import { VaultError } from '../../../shared/errors';
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
import { sql } from 'kysely';
import { beginBulkWrite, BULK_WAL_AUTOCHECKPOINT, DEFAULT_WAL_AUTOCHECKPOINT, endBulkWrite } from '../db/bulk-write';
import { openSqliteVaultDb, withOneConnection, type VaultDb } from '../db/vault-db';
import type { SecretStore } from '../keychain';
import { log } from '../log';
import { seal, unseal, type Sealed } from '../seal';
import { countFiles, describe, walkFiles, type FoundFile } from './collect-files';
import { ahead } from './ahead';
import { ImportRun, type Failure } from './import-run';
import { LocalDataKeys, retiredKeyCount, sealedKeyCount, type ConfirmDataKeyReset, type DataKeyProvider } from './data-key';
import { resolveEntryId } from './entry-id';
import { renderExport, type EntryKeys, type RenderedExport } from './export';
import type { CertificateFacts, KeyMaterial, ParsedSource } from './material';
import { parseAllLocally, readAndParseLocally, type FileBatchParser, type ParseOutcome, type SourceBatchParser, type SourceInput } from './parse-source';
import { inspectEntry } from './inspect-entry';
import { anchorsWith } from '../inspect/trust';
import { planImport, type ImportPlan, type PlannedEntry } from './plan';
import { LibrarySearch } from './search';
import { EntryStore, sealingContext, type BatchAudit, type DataKeySource, type Db, type KeyRole, type NewEntryFields, type PlannedWrite } from './store';

// The vault: the library's tables in the vault database (SQLite in the data folder, or a team's
// PostgreSQL, docs/data-layer.md) plus a data key (the OS keychain's, or the team's). Listing,
// searching and reading certificates never touch the key, so the library works (read-only for
// keys) when the keychain is locked or gone; only sealing and unsealing keys need it.

export interface VaultOptions {
  readonly dataDir: string;
  readonly secrets: SecretStore;
  readonly now?: () => Date;
  /** Files per import chunk (IMPORT_CHUNK): tests make it small to cross chunk boundaries. */
  readonly importChunkFiles?: number;
  /** Files from which an import is a bulk write (BULK_IMPORT_FILES): tests make it small. */
  readonly bulkImportFiles?: number;
}

export interface VaultOverOptions {
  /** The context's vault database, shared with every other store (context-db.ts); the vault never closes it. */
  readonly vaultDb: VaultDb;
  readonly dataKeys: DataKeyProvider;
  readonly now?: () => Date;
  readonly importChunkFiles?: number;
  readonly bulkImportFiles?: number;
}

export interface ImportOptions {
  readonly password?: string;
  /** Name for new entries (default: the certificate's CN). */
  readonly name?: string;
  readonly tags?: readonly string[];
  readonly onProgress?: (progress: ImportProgress) => void;
  /** Where dropped and pasted content is parsed; in this thread unless the caller (the IPC handlers) hands in the parse worker. */
  readonly parse?: SourceBatchParser;
  /** Where a folder's files are read and parsed; likewise. */
  readonly parseFiles?: FileBatchParser;
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
 * Files read, parsed, planned and written together: what an import holds in memory at once, besides
 * the CA certificates it keeps (ImportRun). 500 rather than 1,000: the shipped CLI's peak RSS at
 * 100,000 entries is about 10 MB lower (283-286 MB against 285-296), at the same rate.
 */
const IMPORT_CHUNK = 500;
/**
 * Files parsed per call of the parser (one trip to the parse worker): a few hundred KB of input.
 * Trips of 256 files were as fast, but the worker's heap grew from 24 to 55 MB (bench/library-import.ts).
 */
const PARSE_BATCH = 64;
/**
 * Entries written per transaction (each in its own savepoint, see EntryStore.writeEach): a few
 * tens of milliseconds of work, so another process waiting for the lock (the app vs the CLI) or
 * this process's event loop never waits long.
 */
const WRITE_BATCH = 100;
/**
 * From this many files, an import into the local vault is a bulk write (db/bulk-write.ts): the
 * list's indexes and the search's trigram rows are built at its end rather than kept entry by
 * entry, when the import is large beside the library too (BULK_SHARE). Building them costs about
 * 80 µs per entry of the library, keeping them about 0.5 ms per entry imported (at 100,000).
 */
const BULK_IMPORT_FILES = 5000;
/** An import is a bulk write only if it brings at least a quarter of the library's size in files. */
const BULK_SHARE = 4;

/**
 * A team vault's audit row for one batch of an import, in the batch's transaction: what the row
 * says is exactly what that commit stored, and a batch whose row cannot be written stores
 * nothing. The subject is the entry when the batch wrote one (an import from a cloud's copy).
 */
const importAudit: BatchAudit<ImportedEntry> = (written) => {
  if (written.length === 0) return null;
  const created = written.filter((entry) => !entry.duplicate).length;
  return { action: 'vault.import', subject: written.length === 1 ? written[0]!.id : null, detail: { files: written.length, new: created, merged: written.length - created } };
};

/** One write of an import: a planned entry, or a key for an entry already in the library. */
interface ImportWrite {
  readonly file: string;
  /** True when the write would seal a key the library does not hold yet. */
  readonly needsDataKey: () => Promise<boolean>;
  readonly run: (trx: Db, dataKey: DataKeySource) => Promise<ImportedEntry>;
  /** The same write without its keys, when the keychain refuses them: the file the key came from and the write. */
  readonly withoutKeys: { readonly keyFile: string; readonly run: (trx: Db) => Promise<ImportedEntry> } | null;
  /** The planned entry `run` writes, for the batch's writes stored together (EntryStore.writeMany); null for a key alone. */
  readonly entry: PlannedWrite | null;
}

/** How an import is cut up (tests make both small). */
interface ImportSizes {
  readonly chunkFiles: number;
  readonly bulkFiles: number;
}

function importSizes({ importChunkFiles, bulkImportFiles }: Pick<VaultOptions, 'importChunkFiles' | 'bulkImportFiles'>): ImportSizes {
  return { chunkFiles: importChunkFiles ?? IMPORT_CHUNK, bulkFiles: bulkImportFiles ?? BULK_IMPORT_FILES };
}

export class Vault {
  private readonly store: EntryStore;
  private readonly search: LibrarySearch;

  private constructor(
    private readonly vault: VaultDb,
    private readonly dataKeys: DataKeyProvider,
    private readonly now: () => Date,
    private readonly sizes: ImportSizes,
    /** Whether closing the vault closes its database (a vault opened on its own, not a context's). */
    private readonly owned: boolean,
  ) {
    this.store = new EntryStore(vault);
    this.search = new LibrarySearch(vault);
  }

  /** The vault over a context's database (`vaultOf`), which it shares and does not close. */
  static over({ vaultDb, dataKeys, now, ...sizes }: VaultOverOptions): Vault {
    return new Vault(vaultDb, dataKeys, now ?? (() => new Date()), importSizes(sizes), false);
  }

  /** The local vault in `dataDir` on a connection of its own, with the keychain's data key (tools, benches, tests). */
  static open({ dataDir, secrets, now, ...sizes }: VaultOptions): Vault {
    const vaultDb = openSqliteVaultDb(dataDir);
    return new Vault(vaultDb, new LocalDataKeys(vaultDb, secrets), now ?? (() => new Date()), importSizes(sizes), true);
  }

  /** The vault's id: what its keychain entries are named after. */
  async vaultId(): Promise<string> {
    const row = await this.vault.db.selectFrom('vault_meta').select('value').where('key', '=', 'vault_id').executeTakeFirstOrThrow();
    return row.value;
  }

  async close(): Promise<void> {
    if (this.owned) await this.vault.close();
  }

  list(query: LibraryQuery = {}): Promise<LibraryPage> {
    return this.search.query(query, this.now());
  }

  /** A page of the library with each row's key state: one keychain look-up, none when no row has a key. */
  async listRows(query: LibraryQuery = {}): Promise<LibraryPage<LibraryListEntry>> {
    const page = await this.list(query);
    const withKey = page.entries.filter((entry) => entry.hasKey).map((entry) => entry.id);
    const dataKey = withKey.length > 0 ? await this.dataKeyState() : 'ready';
    const retired = await this.store.withRetiredKeys(withKey);
    return { ...page, entries: page.entries.map((entry) => ({ ...entry, keyState: keyStateOf(entry.hasKey, dataKey, retired.has(entry.id)) })) };
  }

  /**
   * An entry id from what a user typed: the id, a unique prefix of it or of the fingerprint, or a
   * name only one entry has.
   */
  resolve(typed: string): Promise<string> {
    return resolveEntryId(this.vault, typed);
  }

  /** The entry this one renews (lineage.ts), or null. */
  async predecessorOf(typed: string): Promise<EntryRef | null> {
    return this.store.lineage.predecessorOf(await this.resolve(typed));
  }

  /** The entries that renew this one, latest expiry first. */
  async successorsOf(typed: string): Promise<EntryRef[]> {
    return this.store.lineage.successorsOf(await this.resolve(typed));
  }

  /** The newest renewal down this entry's lineage (the entry itself when nothing renews it). */
  async currentVersionOf(typed: string): Promise<EntryRef> {
    const id = await this.resolve(typed);
    const current = await this.store.lineage.currentVersionOf(id);
    if (!current) throw new VaultError('vault.not_found', { id: typed });
    return current;
  }

  async entry(typed: string): Promise<LibraryEntry> {
    const entry = await this.store.get(await this.resolve(typed));
    if (!entry) throw new VaultError('vault.not_found', { id: typed });
    return entry;
  }

  async detail(typed: string): Promise<LibraryEntryDetail> {
    const entry = await this.entry(typed);
    const certs = await this.store.certificates(entry.id);
    const keyState = await this.keyState(entry);
    // An unrecoverable key is no key for the inspector: "private key matches" would promise an upload that cannot happen.
    const usableKeys = keyState === 'sealed' ? await this.store.keyRoles(entry.id) : new Set<string>();
    const inspection = await inspectEntry(entry, certs, usableKeys, this.now(), anchorsWith(await this.store.caCertificates()));
    return { ...entry, keyState, inspection, lineage: await this.store.lineage.of(entry.id) };
  }

  /** The entry whose leaf has this SHA-256 fingerprint (lower-case hex), or null. */
  byFingerprint(fingerprintSha256: string): Promise<LibraryEntry | null> {
    return this.store.byFingerprint(fingerprintSha256);
  }

  /** The library's CA certificates (DER): where an inspected chain missing its root may end. */
  caCertificates(): Promise<Buffer[]> {
    return this.store.caCertificates();
  }

  /** Whether the keychain holds this vault's data key; never throws. */
  async keychainStatus(): Promise<KeychainStatus> {
    const sealedKeys = await sealedKeyCount(this.vault.db);
    const retiredKeys = await retiredKeyCount(this.vault.db);
    try {
      const status = await this.dataKeys.status();
      return { dataKey: status.state, sealedKeys, retiredKeys };
    } catch {
      return { dataKey: 'unavailable', sealedKeys, retiredKeys };
    }
  }

  /**
   * Seals bytes kept beside the library with the vault's data key, bound to `context`: an
   * in-place deployment keeps the replaced certificate's material this way for its rollback.
   */
  async sealAside(plaintext: Buffer, context: string): Promise<Sealed> {
    return seal(await this.dataKeys.forSealing(), plaintext, context);
  }

  /** What `sealAside` sealed; null when the data key is gone or the bytes or context differ. */
  async unsealAside(sealed: Sealed, context: string): Promise<Buffer | null> {
    const status = await this.dataKeys.status();
    return status.state === 'ready' ? unseal(status.key, sealed, context) : null;
  }

  /**
   * Starts a new data key after the keychain lost the old one (data-key.ts): the keys sealed
   * with the old one stay in their entries, unrecoverable, and new keys can be stored again.
   * `confirm` is the user's answer, asked only once a reset is due and before anything changes.
   */
  async resetDataKey(confirm: ConfirmDataKeyReset): Promise<KeychainStatus> {
    // A provider without a key of its own to lose (a team's) has nothing to reset.
    if (!this.dataKeys.reset) throw new VaultError('keychain.reset_not_needed');
    await this.dataKeys.reset(confirm);
    return this.keychainStatus();
  }

  /** `baseUpdatedAt`: the entry's `updatedAt` the edit was made from; a newer one is `library.edit_conflict`. */
  async update(typed: string, patch: EntryUpdate, baseUpdatedAt: string): Promise<LibraryEntry> {
    return this.store.update(await this.resolve(typed), patch, baseUpdatedAt, this.now());
  }

  /** Deletes the entry with its certificates and sealed keys; returns what was removed. */
  async remove(typed: string): Promise<LibraryEntry> {
    const entry = await this.entry(typed);
    if (!(await this.store.remove(entry.id))) throw new VaultError('vault.not_found', { id: typed });
    log.info('entry_removed', { id: entry.id });
    return entry;
  }

  /**
   * Imports files and folders in chunks of IMPORT_CHUNK files: each chunk is read, parsed,
   * planned and written before the next is read, so memory stays bounded whatever the folder's
   * size (bench/library-import.ts at 100,000). What pairs across chunks goes through the database
   * or the small state of `ImportRun`: a key whose certificate an earlier chunk stored finds it in
   * the library; a key before its certificate waits for the end; CA certificates are kept for the
   * chunks after them (as chain) and become entries at the end only if they issued nothing.
   */
  async importPaths(paths: readonly string[], options: ImportOptions = {}): Promise<ImportResult> {
    // Counted first: the progress total, and a mistaken `import /` refused before anything is stored.
    const total = await countFiles(paths);
    return this.withRun((run) => this.asBulkWrite(total, () => this.importFound(paths, total, options, run)));
  }

  private async importFound(paths: readonly string[], total: number, options: ImportOptions, run: ImportRun): Promise<void> {
    let chunk: ParsedSource<CertificateFacts>[] = [];
    let done = 0;
    const walk = walkFiles(paths, ({ file, error }) => run.fail({ file, error: error.toInfo() }));
    // Up to a chunk parsed ahead: the parse worker reads the next files while this thread writes.
    for await (const { found, source } of ahead(this.parseAll(walk, options, run), this.sizes.chunkFiles)) {
      if (source) chunk.push(source);
      done += 1;
      options.onProgress?.({ done, total: Math.max(total, done), file: found.path });
      if (done % this.sizes.chunkFiles === 0) {
        await this.importChunk(chunk, run, options);
        chunk = [];
      }
    }
    await this.importChunk(chunk, run, options);
    await this.finishImport(run, options);
  }

  /**
   * Runs an import of `files` files as a bulk write (db/bulk-write.ts) when it is large, on its own
   * and beside the library, and the vault is the local one; otherwise as it is.
   */
  private async asBulkWrite(files: number, work: () => Promise<void>): Promise<void> {
    const file = this.vault.sqliteFile;
    const large = file !== null && files >= this.sizes.bulkFiles && files * BULK_SHARE >= (await this.countEntries());
    if (!large || !beginBulkWrite(file)) return work();
    await sql`PRAGMA wal_autocheckpoint = ${sql.lit(BULK_WAL_AUTOCHECKPOINT)}`.execute(this.vault.db);
    this.store.searchIndexDeferred = true;
    let stopped: { error: unknown } | null = null;
    try {
      await work();
    } catch (error) {
      stopped = { error };
    }
    this.store.searchIndexDeferred = false;
    try {
      await sql`PRAGMA wal_autocheckpoint = ${sql.lit(DEFAULT_WAL_AUTOCHECKPOINT)}`.execute(this.vault.db);
      await endBulkWrite(file);
    } catch (error) {
      // The error that stopped the import is the one to tell; the bulk write is finished by the
      // first open of the vault once this process has ended (bulk-write.ts repairBulkWrite).
      if (!stopped) throw error;
      log.warn('bulk_write_unfinished', { reason: error instanceof Error ? error.message : String(error) });
    }
    if (stopped) throw stopped.error;
  }

  private async countEntries(): Promise<number> {
    const { n } = await this.vault.db.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(n);
  }

  /** Dropped files (their bytes) and pasted text: one chunk. */
  async importContent(inputs: readonly SourceInput[], options: ImportOptions = {}): Promise<ImportResult> {
    return this.withRun(async (run) => {
      // One chunk, and no file to read again: everything pairs now, as in the last pass of importPaths.
      run.final = true;
      const sources: ParsedSource<CertificateFacts>[] = [];
      for (let at = 0; at < inputs.length; at += PARSE_BATCH) {
        const batch = inputs.slice(at, at + PARSE_BATCH);
        (await (options.parse ?? parseAllLocally)(batch, options.password)).forEach((outcome, i) => {
          if (outcome.ok) sources.push(outcome.value);
          else run.fail(failure(batch[i]!.name, outcome.error));
          options.onProgress?.({ done: at + i + 1, total: inputs.length, file: batch[i]!.name });
        });
      }
      await this.importChunk(sources, run, options);
      await this.finishImport(run, options);
    });
  }

  /** An import's run, on the connection its TEMP tables live on; they are dropped however it ends. */
  private withRun(work: (run: ImportRun) => Promise<void>): Promise<ImportResult> {
    return withOneConnection(this.vault, async (session) => {
      const run = new ImportRun(session, this.vault.engine);
      try {
        await work(run);
      } catch (error) {
        // A connection cut under the run took its TEMP tables with it: the error that stopped the run is the one to tell.
        await run.close().catch(() => undefined);
        throw error;
      }
      await run.close();
      const { counts } = run.result();
      log.info('import_finished', { imported: counts.new + counts.merged, failed: counts.failed, keysNotStored: counts.keysNotStored });
      return run.result();
    });
  }

  /** Each file read and parsed, PARSE_BATCH at a time; the source is null for a file that failed or was skipped. */
  private async *parseAll(
    files: AsyncIterable<FoundFile> | Iterable<FoundFile>,
    options: ImportOptions,
    run: ImportRun,
  ): AsyncGenerator<{ found: FoundFile; source: ParsedSource<CertificateFacts> | null }> {
    let batch: FoundFile[] = [];
    for await (const found of files) {
      if (batch.push(found) < PARSE_BATCH) continue;
      yield* this.parseBatch(batch, options, run);
      batch = [];
    }
    yield* this.parseBatch(batch, options, run);
  }

  /** A batch of files through the parser, as many calls as it takes: each answers some (FileBatchParser). */
  private async *parseBatch(batch: readonly FoundFile[], options: ImportOptions, run: ImportRun): AsyncGenerator<{ found: FoundFile; source: ParsedSource<CertificateFacts> | null }> {
    const parse = options.parseFiles ?? readAndParseLocally;
    for (let at = 0; at < batch.length; ) {
      const asked = batch.slice(at);
      const outcomes = await parse(asked.map((found) => found.path), options.password);
      if (outcomes.length === 0) throw new Error('the file parser answered no file of its batch');
      for (const [i, outcome] of outcomes.entries()) yield { found: asked[i]!, source: this.sourceOf(asked[i]!, outcome, run) };
      at += outcomes.length;
    }
  }

  /** The file's source, or null when it failed (noted in the run) or was skipped. */
  private sourceOf(found: FoundFile, outcome: ParseOutcome, run: ImportRun): ParsedSource<CertificateFacts> | null {
    if (outcome.ok) return outcome.value;
    const skip = found.fromFolder && outcome.error instanceof VaultError && NOT_CERTIFICATE_CODES.has(outcome.error.code);
    if (!skip) run.fail(failure(found.path, outcome.error));
    return null;
  }

  /** The rendered export for this process's own use (an upload's material); what a person receives goes through exportOut. */
  async export(typed: string, format: ExportFormat, options: ExportOptions = {}): Promise<RenderedExport> {
    const entry = await this.entry(typed);
    const certs = await this.store.certificates(entry.id);
    return renderExport(
      format,
      { entry, leaf: certs.leaf, chain: certs.chain, encryptCertificate: certs.encrypt, unsealKeys: () => this.unsealKeys(entry) },
      { password: options.password, legacy: options.legacy, reminderDays: options.reminderDays ?? DEFAULT_REMINDER_DAYS, now: this.now() },
    );
  }

  /**
   * The export a person receives (a file, standard output), as opposed to the material an upload
   * sends. On a team vault a private key in it leaves only once its audit row is written: after
   * the key was opened (a refused export leaves no row), before it is written or printed.
   */
  async exportOut(typed: string, format: ExportFormat, options: ExportOptions = {}): Promise<RenderedExport> {
    const rendered = await this.export(typed, format, options);
    const audit = this.vault.audit;
    if (rendered.secret && audit) {
      const subject = await this.resolve(typed);
      await this.vault.db.transaction().execute((trx) => audit(trx, { action: 'vault.export_key', subject, detail: { format } }));
    }
    return rendered;
  }

  /**
   * Exports to a file, replacing it atomically. Files with a private key are created owner-only
   * (0600) from the start, never readable by others even for a moment.
   */
  async exportToFile(typed: string, format: ExportFormat, file: string, options: ExportOptions = {}): Promise<{ file: string; bytes: number }> {
    const rendered = await this.exportOut(typed, format, options);
    try {
      writeFileAtomic(file, rendered.bytes, rendered.secret ? 0o600 : 0o644);
    } catch (error) {
      throw new VaultError('export.write_failed', { file, reason: describe(error) });
    }
    log.info('entry_exported', { id: await this.resolve(typed), format, file });
    return { file, bytes: rendered.bytes.length };
  }

  /**
   * Plans one chunk with the CA certificates of the chunks before it, and writes it. A CA
   * certificate without its key waits for the end (finishImport): it is an entry only if it
   * issued nothing in the whole import.
   */
  private async importChunk(sources: readonly ParsedSource<CertificateFacts>[], run: ImportRun, options: ImportOptions): Promise<void> {
    if (sources.length === 0) return;
    const plan = planImport([...sources, ...run.caSources()]);
    for (const source of sources) run.keepCas(source);
    // A CA certificate without its key (of this chunk or kept from one before) waits for the end.
    const entries = plan.entries.filter((planned) => {
      planned.chain.forEach((cert) => run.issuers.add(cert.info.fingerprintSha256));
      return !(planned.leaf.info.isCA && !planned.leafKey && !planned.encryptKey);
    });
    entries.forEach((planned) => planned.leaf.info.isCA && run.written.add(planned.leaf.info.fingerprintSha256));
    if (!run.final) {
      await run.noteUnchained(
        entries
          .filter((planned) => planned.chain.length === 0 && !planned.leaf.info.selfSigned)
          .map((planned) => ({ file: planned.sourceFile, issuer: planned.leaf.info.issuer })),
      );
    }
    // A key whose certificate is in no chunk read yet and not in the library: retried at the end.
    const strayKeys = [];
    for (const stray of plan.strayKeys) {
      if (run.final || (await this.strayKeyOwner(stray.key))) strayKeys.push(stray);
      else run.waitingKeys.push(stray);
    }
    await this.writeAll(this.importWrites({ entries, strayKeys }, run.fields(options, this.now())), run);
  }

  /**
   * The end of an import: leaves stored before their CA certificate was read get their chain (their
   * files are read again: only those); the CA certificates that issued nothing become entries; the
   * keys read before their certificate are paired.
   */
  private async finishImport(run: ImportRun, options: ImportOptions): Promise<void> {
    const subjects = run.caSubjects();
    run.final = true;
    // A chunk of names at a time: as many leaves as the folder holds may wait for a CA read last.
    for (let rereads = await run.unchainedFiles(subjects, '', this.sizes.chunkFiles); rereads.length > 0; rereads = await run.unchainedFiles(subjects, rereads.at(-1)!, this.sizes.chunkFiles)) {
      const sources: ParsedSource<CertificateFacts>[] = [];
      for await (const { source } of this.parseAll(rereads.map((file) => ({ path: file, fromFolder: true })), options, run)) {
        if (source) sources.push(source);
      }
      await this.importChunk(sources, run, options);
    }
    const cas = planImport(run.caSources()).entries.filter((planned) => {
      const fp = planned.leaf.info.fingerprintSha256;
      return !run.issuers.has(fp) && !run.written.has(fp);
    });
    const strays = run.waitingKeys.splice(0);
    await this.writeAll(this.importWrites({ entries: cas, strayKeys: strays }, run.fields(options, this.now())), run);
  }

  /** Writes in batches of WRITE_BATCH, one transaction each. */
  private async writeAll(pending: ImportWrite[], run: ImportRun): Promise<void> {
    // The keychain is asked once, and only when a write seals a key: an import that brings no new
    // key works with the keychain locked, and a failed one never creates a data key.
    const dataKey = (): Buffer => {
      // Checked before the batch; reaching here without it means another process changed the
      // entry in between: the user retries.
      if (!run.sealing) throw new VaultError('vault.busy');
      if ('error' in run.sealing) throw run.sealing.error;
      return run.sealing.key;
    };
    while (pending.length > 0) {
      const batch = pending.splice(0, WRITE_BATCH);
      if (!run.sealing && (await someAsync(batch, (write) => write.needsDataKey()))) {
        run.sealing = await this.dataKeys.forSealing().then(
          (key) => ({ key }),
          (error: unknown) => ({ error }),
        );
      }
      const refusal = run.sealing && 'error' in run.sealing && keyRefusal(run.sealing.error);
      const runs: (ImportWrite['withoutKeys'] | null)[] = [];
      for (const write of batch) runs.push(refusal && write.withoutKeys && (await write.needsDataKey()) ? write.withoutKeys : null);
      const together = runs.every((withoutKeys) => withoutKeys === null) ? (trx: Db) => this.writeTogether(trx, batch, dataKey) : undefined;
      const results = await this.store.writeEach(batch.map((write, i) => runs[i]?.run ?? ((trx: Db) => write.run(trx, dataKey))), importAudit, together);
      const imported: ImportedEntry[] = [];
      results.forEach((result, i) => {
        const withoutKeys = runs[i];
        if (!result.ok) run.fail(failure(batch[i]!.file, result.error));
        else {
          imported.push(result.value);
          if (withoutKeys && refusal) run.keyNotStored({ file: withoutKeys.keyFile, id: result.value.id, error: refusal.toInfo() });
        }
      });
      await run.imported(imported);
      // Lets IPC and rendering through between batches: a large import takes seconds.
      await new Promise((resolve) => setImmediate(resolve));
    }
  }

  /** A batch's writes in one go: its planned entries together, then each key alone (they come after the entries, importWrites). */
  private async writeTogether(trx: Db, batch: readonly ImportWrite[], dataKey: DataKeySource): Promise<ImportedEntry[]> {
    const entries = batch.flatMap((write) => (write.entry ? [write.entry] : []));
    const written = await this.store.writeMany(trx, entries, dataKey);
    let next = 0;
    const results: ImportedEntry[] = [];
    for (const write of batch) results.push(write.entry ? written[next++]! : await write.run(trx, dataKey));
    return results;
  }

  private importWrites(plan: Pick<ImportPlan<CertificateFacts>, 'entries' | 'strayKeys'>, fields: NewEntryFields): ImportWrite[] {
    return [
      ...plan.entries.map((planned) => ({
        file: planned.sourceFile,
        needsDataKey: () => this.needsDataKey(planned),
        run: (trx: Db, dataKey: DataKeySource) => this.store.write(trx, planned, dataKey, fields),
        withoutKeys: {
          keyFile: planned.keyFile ?? planned.sourceFile,
          run: (trx: Db) => this.store.write(trx, { ...planned, leafKey: null, encryptKey: null }, noDataKey, fields),
        },
        entry: { planned, fields },
      })),
      ...plan.strayKeys.map(({ file, key }) => ({
        file,
        needsDataKey: async () => (await this.strayKeyOwner(key))?.needsKey ?? false,
        run: (trx: Db, dataKey: DataKeySource) => this.addStrayKey(trx, file, key, dataKey, fields.now),
        // A key alone has nothing to store without the keychain: it fails with the reason.
        withoutKeys: null,
        entry: null,
      })),
    ];
  }

  /** True when the entry brings a key the library does not already hold. */
  private async needsDataKey(planned: PlannedEntry<CertificateFacts>): Promise<boolean> {
    if (!planned.leafKey && !planned.encryptKey) return false;
    const existing = await this.store.byFingerprint(planned.leaf.info.fingerprintSha256);
    if (!existing) return true;
    const roles = await this.store.keyRoles(existing.id);
    return (planned.leafKey !== null && !roles.has('leaf')) || (planned.encryptKey !== null && !roles.has('sm2-encrypt'));
  }

  /** The entry a key that came without its certificate belongs to, and whether it lacks that key. */
  private async strayKeyOwner(key: KeyMaterial, db?: Db): Promise<{ entryId: string; role: KeyRole; needsKey: boolean } | null> {
    const owner = key.spkiSha256 ? await this.store.findBySpki(key.spkiSha256, db) : null;
    return owner && { ...owner, needsKey: !(await this.store.keyRoles(owner.entryId, db)).has(owner.role) };
  }

  private async addStrayKey(trx: Db, file: string, key: KeyMaterial, dataKey: DataKeySource, now: Date): Promise<ImportedEntry> {
    const owner = await this.strayKeyOwner(key, trx);
    if (!owner) throw new VaultError('vault.key_without_certificate', { file, algorithm: key.algorithm });
    const entry = (await this.store.get(owner.entryId, trx))!;
    if (owner.needsKey) await this.store.addKey(trx, owner.entryId, owner.role, key, dataKey, now);
    return { id: entry.id, fingerprintSha256: entry.fingerprintSha256, duplicate: true };
  }

  private async keyState(entry: LibraryEntry): Promise<KeyState> {
    if (!entry.hasKey) return 'none';
    return keyStateOf(true, await this.dataKeyState(), (await this.store.withRetiredKeys([entry.id])).size > 0);
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
    if (status.state !== 'ready') throw (await this.dataKeys.missingKeyError?.()) ?? new VaultError('vault.key_unrecoverable', { name: entry.name });
    const opened = new Map<string, Buffer>();
    for (const sealed of await this.store.sealedKeys(entry.id)) {
      const plaintext = unseal(status.key, sealed, sealingContext(entry.id, sealed.role));
      if (!plaintext) throw new VaultError('vault.key_unrecoverable', { name: entry.name });
      opened.set(sealed.role, plaintext);
    }
    const leaf = opened.get('leaf');
    if (!leaf) throw new VaultError('export.no_key', { name: entry.name });
    return { leaf, encrypt: opened.get('sm2-encrypt') ?? null };
  }
}


/** A write without keys never asks for the data key. */
const noDataKey: DataKeySource = () => {
  throw new VaultError('internal');
};

/** Whether any item passes the check, asked one at a time and stopping at the first yes. */
async function someAsync<T>(items: readonly T[], check: (item: T) => Promise<boolean>): Promise<boolean> {
  for (const item of items) if (await check(item)) return true;
  return false;
}

function keyRefusal(error: unknown): VaultError | null {
  return error instanceof VaultError && KEY_REFUSAL_CODES.has(error.code) ? error : null;
}

function failure(file: string, error: unknown): Failure {
  if (error instanceof VaultError) return { file, error: error.toInfo() };
  log.error('import_failed', { file, error });
  return { file, error: new VaultError('internal').toInfo() };
}
