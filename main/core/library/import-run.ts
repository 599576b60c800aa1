import type Database from 'better-sqlite3';
import type { ErrorInfo } from '../../../shared/errors';
import type { ImportedEntry, ImportResult } from '../../../shared/library';
import type { CertificateFacts, CertificateMaterial, ParsedSource } from './material';
import type { StrayKey } from './plan';
import type { NewEntryFields } from './store';

// What one import keeps from chunk to chunk (vault.ts importPaths): the outcome so far, and the
// little that pairs certificates and keys across chunks. Nothing here grows with the leaves read
// except the outcome's entry list (ids) and the leaves stored before their CA, which are rows of
// a TEMP table, not memory.

export type Failure = { file: string; error: ErrorInfo };
type KeysNotStored = ImportResult['keysNotStored'][number];

let runs = 0;

export class ImportRun {
  readonly failed: Failure[];
  readonly imported: ImportedEntry[] = [];
  readonly keysNotStored: KeysNotStored[] = [];
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
  private readonly table = `import_unchained_${(runs += 1)}`;
  private tableMade = false;
  private cachedFields: NewEntryFields | null = null;

  constructor(
    private readonly db: Database.Database,
    failed: Failure[],
  ) {
    this.failed = failed;
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

  unchainedFiles(subjects: readonly string[]): string[] {
    if (!this.tableMade || subjects.length === 0) return [];
    return this.db
      .prepare(`SELECT DISTINCT file FROM temp.${this.table} WHERE issuer IN (SELECT value FROM json_each(?)) ORDER BY file`)
      .pluck()
      .all(JSON.stringify(subjects)) as string[];
  }

  close(): void {
    if (this.tableMade) this.db.exec(`DROP TABLE temp.${this.table}`);
    this.tableMade = false;
  }

  result(): ImportResult {
    return { imported: dedupe(this.imported), failed: this.failed, keysNotStored: this.keysNotStored };
  }
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
