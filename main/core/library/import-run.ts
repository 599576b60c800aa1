import { sql, type Kysely } from 'kysely';
import type { ErrorInfo } from '../../../shared/errors';
import { libraryLimits, type ImportedEntry, type ImportResult } from '../../../shared/library';
import type { CertificateFacts, CertificateMaterial, ParsedSource } from './material';
import type { StrayKey } from './plan';
import type { NewEntryFields } from './store';
import { createTempTable } from '../db/dialect-sql';
import type { VaultTables } from '../db/tables';
import type { VaultEngine } from '../db/vault-db';

// What one import keeps from chunk to chunk (vault.ts importPaths): the outcome so far, and the
// little that pairs certificates and keys across chunks. Nothing here grows with the files read:
// the outcome is counted, with only the first few of each kind listed; the entries already
// reported and the leaves stored before their CA are rows of TEMP tables, not memory. A TEMP table
// lives on one connection: the run is given one (`withOneConnection`, vault-db.ts), which on
// PostgreSQL is a pool connection held for the run while the entries are written on others.

export type Failure = { file: string; error: ErrorInfo };
type KeysNotStored = ImportResult['keysNotStored'][number];

let runs = 0;
/** Rows per INSERT into a TEMP table: a few statement texts, each kept prepared. */
const ROWS_PER_INSERT = 100;

export class ImportRun {
  private readonly failures: Failure[] = [];
  private readonly listed: ImportedEntry[] = [];
  private readonly refusedKeys: KeysNotStored[] = [];
  private readonly counts = { new: 0, merged: 0, failed: 0, keysNotStored: 0 };
  /** The data key for sealing, asked once per import (and only when a key needs it). */
  sealing: { key: Buffer } | { error: unknown } | null = null;
  /** Fingerprints of the certificates some planned entry has in its chain. */
  readonly issuers = new Set<string>();
  /** Fingerprints of the CA certificates already written as entries (they came with their key). */
  readonly written = new Set<string>();
  /** Keys whose certificate was neither in their chunk nor in the library: tried again at the end. */
  readonly waitingKeys: StrayKey[] = [];
  /** The last pass: keys without a certificate fail now, and no leaf is noted to be read again. */
  final = false;
  private readonly cas = new Map<string, { cert: CertificateMaterial<CertificateFacts>; file: string }>();
  private readonly run = (runs += 1);
  private readonly table = `import_unchained_${this.run}`;
  private tableMade = false;
  private readonly reportedTable = `import_reported_${this.run}`;
  private reportedMade = false;
  private cachedFields: NewEntryFields | null = null;

  constructor(
    private readonly db: Kysely<VaultTables>,
    private readonly engine: VaultEngine,
  ) {}

  fail(failure: Failure): void {
    this.counts.failed += 1;
    if (this.failures.length < libraryLimits.importListed) this.failures.push(failure);
  }

  /**
   * Entries written, in order. A folder can bring the same entry twice (fullchain.pem and
   * cert.pem): it is reported once, as the first write saw it (created by this import, or already
   * in the library).
   */
  async imported(entries: readonly ImportedEntry[]): Promise<void> {
    const byId = new Map<string, ImportedEntry>();
    for (const entry of entries) if (!byId.has(entry.id)) byId.set(entry.id, entry);
    const firsts = [...byId.values()];
    if (firsts.length === 0) return;
    if (!this.reportedMade) {
      await createTempTable(this.engine, this.db, this.reportedTable, sql`id TEXT PRIMARY KEY`, { keyed: true });
      this.reportedMade = true;
    }
    const inserted = await sql<{ id: string }>`INSERT INTO ${sql.table(this.reportedTable)} (id) VALUES ${sql.join(firsts.map((entry) => sql`(${entry.id})`))}
      ON CONFLICT DO NOTHING RETURNING id`.execute(this.db);
    const fresh = new Set(inserted.rows.map((row) => row.id));
    for (const entry of firsts) {
      if (!fresh.has(entry.id)) continue;
      if (entry.duplicate) this.counts.merged += 1;
      else this.counts.new += 1;
      if (this.listed.length < libraryLimits.importListed) this.listed.push(entry);
    }
  }

  keyNotStored(refused: KeysNotStored): void {
    this.counts.keysNotStored += 1;
    if (this.refusedKeys.length < libraryLimits.importListed) this.refusedKeys.push(refused);
  }

  /** Entries reported so far (new and merged). */
  get entries(): number {
    return this.counts.new + this.counts.merged;
  }

  fields(options: { readonly name?: string; readonly tags?: readonly string[] }, now: Date): NewEntryFields {
    this.cachedFields ??= { name: options.name, tags: options.tags ?? [], now };
    return this.cachedFields;
  }

  /** CA certificates are few: kept whole, to be the chain of leaves in later chunks. */
  keepCas(source: ParsedSource<CertificateFacts>): void {
    for (const cert of source.certificates) {
      if (cert.info.isCA && !this.cas.has(cert.info.fingerprintSha256)) this.cas.set(cert.info.fingerprintSha256, { cert, file: source.file });
    }
  }

  caSources(): ParsedSource<CertificateFacts>[] {
    return [...this.cas.values()].map(({ cert, file }) => ({ file, certificates: [cert], keys: [] }));
  }

  caSubjects(): string[] {
    return [...new Set([...this.cas.values()].map(({ cert }) => cert.info.subject))];
  }

  /** Leaves stored without a chain: if their issuer turns up later, their files are read again. */
  async noteUnchained(leaves: readonly { readonly file: string; readonly issuer: string }[]): Promise<void> {
    if (leaves.length === 0) return;
    if (!this.tableMade) {
      await createTempTable(this.engine, this.db, this.table, sql`file TEXT NOT NULL, issuer TEXT NOT NULL`, { keyed: false });
      this.tableMade = true;
    }
    for (let at = 0; at < leaves.length; at += ROWS_PER_INSERT) {
      const rows = leaves.slice(at, at + ROWS_PER_INSERT).map((leaf) => sql`(${leaf.file}, ${leaf.issuer})`);
      await sql`INSERT INTO ${sql.table(this.table)} (file, issuer) VALUES ${sql.join(rows)}`.execute(this.db);
    }
  }

  /** The files of those leaves whose issuer is among `subjects`, in name order after `after`, `limit` at most. */
  async unchainedFiles(subjects: readonly string[], after: string, limit: number): Promise<string[]> {
    if (!this.tableMade || subjects.length === 0) return [];
    const result = await sql<{ file: string }>`SELECT DISTINCT file FROM ${sql.table(this.table)}
      WHERE issuer IN (${sql.join([...subjects])}) AND file > ${after} ORDER BY file LIMIT ${limit}`.execute(this.db);
    return result.rows.map((row) => row.file);
  }

  async close(): Promise<void> {
    if (this.tableMade) await sql`DROP TABLE ${sql.table(this.table)}`.execute(this.db);
    if (this.reportedMade) await sql`DROP TABLE ${sql.table(this.reportedTable)}`.execute(this.db);
    this.tableMade = false;
    this.reportedMade = false;
  }

  result(): ImportResult {
    return { imported: [...this.listed], failed: [...this.failures], keysNotStored: [...this.refusedKeys], counts: { ...this.counts } };
  }
}
