import type Database from 'better-sqlite3';
import type { ErrorInfo } from '../../../shared/errors';
import { libraryLimits, type ImportedEntry, type ImportResult } from '../../../shared/library';
import type { CertificateFacts, CertificateMaterial, ParsedSource } from './material';
import type { StrayKey } from './plan';
import type { NewEntryFields } from './store';

// What one import keeps from chunk to chunk (vault.ts importPaths): the outcome so far, and the
// little that pairs certificates and keys across chunks. Nothing here grows with the files read:
// the outcome is counted, with only the first few of each kind listed; the entries already
// reported and the leaves stored before their CA are rows of TEMP tables, not memory.

export type Failure = { file: string; error: ErrorInfo };
type KeysNotStored = ImportResult['keysNotStored'][number];

let runs = 0;

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
  private report: Database.Statement | null = null;
  private cachedFields: NewEntryFields | null = null;

  constructor(private readonly db: Database.Database) {}

  fail(failure: Failure): void {
    this.counts.failed += 1;
    if (this.failures.length < libraryLimits.importListed) this.failures.push(failure);
  }

  /**
   * An entry written. A folder can bring the same entry twice (fullchain.pem and cert.pem): it is
   * reported once, as the first write saw it (created by this import, or already in the library).
   */
  imported(entry: ImportedEntry): void {
    if (!this.reportedMade) {
      this.db.exec(`CREATE TEMP TABLE ${this.reportedTable} (id TEXT PRIMARY KEY) WITHOUT ROWID`);
      this.report = this.db.prepare(`INSERT OR IGNORE INTO temp.${this.reportedTable} (id) VALUES (?)`);
      this.reportedMade = true;
    }
    if (this.report!.run(entry.id).changes === 0) return;
    if (entry.duplicate) this.counts.merged += 1;
    else this.counts.new += 1;
    if (this.listed.length < libraryLimits.importListed) this.listed.push(entry);
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
  noteUnchained(leaves: readonly { readonly file: string; readonly issuer: string }[]): void {
    if (leaves.length === 0) return;
    if (!this.tableMade) {
      this.db.exec(`CREATE TEMP TABLE ${this.table} (file TEXT NOT NULL, issuer TEXT NOT NULL)`);
      this.tableMade = true;
    }
    const insert = this.db.prepare(`INSERT INTO temp.${this.table} (file, issuer) VALUES (?, ?)`);
    this.db.transaction(() => leaves.forEach((leaf) => insert.run(leaf.file, leaf.issuer)))();
  }

  /** The files of those leaves whose issuer is among `subjects`, in name order after `after`, `limit` at most. */
  unchainedFiles(subjects: readonly string[], after: string, limit: number): string[] {
    if (!this.tableMade || subjects.length === 0) return [];
    return this.db
      .prepare(`SELECT DISTINCT file FROM temp.${this.table} WHERE issuer IN (SELECT value FROM json_each(?)) AND file > ? ORDER BY file LIMIT ?`)
      .pluck()
      .all(JSON.stringify(subjects), after, limit) as string[];
  }

  close(): void {
    if (this.tableMade) this.db.exec(`DROP TABLE temp.${this.table}`);
    if (this.reportedMade) this.db.exec(`DROP TABLE temp.${this.reportedTable}`);
    this.tableMade = false;
    this.reportedMade = false;
  }

  result(): ImportResult {
    return { imported: [...this.listed], failed: [...this.failures], keysNotStored: [...this.refusedKeys], counts: { ...this.counts } };
  }
}
