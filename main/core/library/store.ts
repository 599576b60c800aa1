import { setImmediate } from 'node:timers/promises';
import { sql, type Insertable, type Kysely } from 'kysely';
import { VaultError } from '../../../shared/errors';
import type { EntryUpdate, ImportedEntry, LibraryEntry } from '../../../shared/library';
import type { KeyAlgorithm } from '../../../shared/model';
import { seal, type Sealed } from '../seal';
import { isUniqueViolation, reindexSearchText, searchRowidColumns } from '../db/dialect-sql';
import { prepared, preparedRows } from '../db/prepared';
import type { EntriesTable, VaultTables } from '../db/tables';
import { isVaultOutOfReach, type AuditEntry, type VaultDb } from '../db/vault-db';
import { currentGeneration } from './data-key';
import { newEntryId, randomEntryId } from './entry-id';
import { Lineage } from './lineage';
import { ENTRY_COLUMN_NAMES, searchText, toEntry } from './entry-row';
import type { CertificateFacts, CertificateMaterial, KeyMaterial } from './material';
import type { PlannedEntry } from './plan';

// Reads and writes entries, on either engine (docs/data-layer.md). Every write of an entry is one
// transaction, or part of one batch of them (`writeEach`), so an entry is stored whole or not at
// all, whatever happens to the process mid-import. A write takes the executor it runs on (`Db`:
// the vault's Kysely or a transaction of it) and awaits only the database: whatever else it needs
// (the data key, the parsed material) is ready before the transaction opens.

export type KeyRole = 'leaf' | 'sm2-encrypt';

export interface StoredCertificates {
  readonly leaf: Buffer;
  readonly chain: readonly Buffer[];
  readonly encrypt: Buffer | null;
}

export interface SealedKeyRow extends Sealed {
  readonly role: KeyRole;
  readonly keyAlgorithm: KeyAlgorithm;
}

/** A certificate row: the DER and the two hashes the lookups use. */
interface CertificateRow {
  readonly der: Buffer;
  readonly fingerprintSha256: string;
  readonly spkiSha256: string;
}

/** The vault's data key, fetched only when a write actually seals a key. */
export type DataKeySource = () => Buffer;

/** Where a query runs: the vault's Kysely, or a transaction of it. */
export type Db = Kysely<VaultTables>;

/** One write of a batch, run inside the batch's transaction. */
export type Write<T> = (trx: Db) => Promise<T>;

/** Which fields an edit set ("name,tags"), for its audit row. */
function changedFields(patch: EntryUpdate): string {
  return Object.entries(patch)
    .filter(([, value]) => value !== undefined)
    .map(([field]) => field)
    .sort()
    .join(',');
}

/** The audit row of a batch, from what its writes returned; null when it changed nothing worth one. */
export type BatchAudit<T> = (written: readonly T[]) => AuditEntry | null;

export type WriteResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface NewEntryFields {
  readonly name?: string;
  readonly tags: readonly string[];
  readonly now: Date;
}

/** A planned entry to write, with the fields the import gives every new entry. */
export interface PlannedWrite {
  readonly planned: PlannedEntry<CertificateFacts>;
  readonly fields: NewEntryFields;
}

/** The associated data of a sealed key: its entry, and its role within an SM2 dual entry. */
export function sealingContext(entryId: string, role: KeyRole): string {
  return role === 'leaf' ? entryId : `${entryId}#${role}`;
}

// The statements an import runs for every entry, compiled once (db/prepared.ts).
const ENTRY_BY_ID = prepared((db, p: { id: string }) => db.selectFrom('entries').select(ENTRY_COLUMN_NAMES).where('id', '=', p.id));
const ENTRY_BY_FINGERPRINT = prepared((db, p: { fingerprint: string }) =>
  db.selectFrom('entries').select(ENTRY_COLUMN_NAMES).where('fingerprint_sha256', '=', p.fingerprint),
);
/** The entry with this fingerprint, and the one holding this id, if any: both checks before an insert in one round trip. */
const ENTRY_BY_FINGERPRINT_OR_ID = prepared((db, p: { fingerprint: string; id: string }) =>
  db
    .selectFrom('entries')
    .select(ENTRY_COLUMN_NAMES)
    .where((eb) => eb.or([eb('fingerprint_sha256', '=', p.fingerprint), eb('id', '=', p.id)])),
);
/**
 * The roles of an entry's keys sealed under the current data key. The generation is compared as
 * `+ 0` so that SQLite seeks the primary key (entry_id): given a bare column it seeks
 * sealed_keys_generation instead, which holds every key of the library under one value.
 */
export function keyRolesQuery(db: Kysely<VaultTables>, entryId: string) {
  return db
    .selectFrom('sealed_keys')
    .select('role')
    .where('entry_id', '=', entryId)
    .where((eb) => eb(eb('data_key_generation', '+', 0), '=', currentGeneration()));
}

const KEY_ROLES = prepared((db, p: { entryId: string }) => keyRolesQuery(db, p.entryId));
const CERTIFICATE_ROWS = prepared((db, p: { entryId: string }) =>
  db
    .selectFrom('entry_certificates')
    .select(['role', 'der', 'fingerprint_sha256 as fingerprintSha256', 'spki_sha256 as spkiSha256'])
    .where('entry_id', '=', p.entryId)
    .orderBy('position'),
);
type CertificateInsert = {
  readonly entry_id: string;
  readonly position: number;
  readonly role: 'leaf' | 'chain' | 'sm2-encrypt';
  readonly fingerprint_sha256: string;
  readonly spki_sha256: string;
  readonly der: Buffer;
};

function certificateInsert(entryId: string, cert: CertificateRow, position: number, role: CertificateInsert['role']): CertificateInsert {
  return { entry_id: entryId, position, role, fingerprint_sha256: cert.fingerprintSha256, spki_sha256: cert.spkiSha256, der: cert.der };
}

/**
 * An entry's certificate rows: the leaf at position 0 (unless `from` is 1: the leaf is already
 * stored), the chain after it in order, then the SM2 encryption certificate.
 */
function certificateInserts(id: string, certs: readonly CertificateRow[], encrypt: CertificateRow | null, from: 0 | 1 = 0): CertificateInsert[] {
  const rows: CertificateInsert[] = certs.map((cert, i) => certificateInsert(id, cert, i + from, i + from === 0 ? 'leaf' : 'chain'));
  if (encrypt) rows.push(certificateInsert(id, encrypt, certs.length + from, 'sm2-encrypt'));
  return rows;
}

type EntryInsert = Insertable<EntriesTable> & { readonly search_text: string; readonly id: string };
type SealedKeyInsert = { readonly entry_id: string; readonly role: KeyRole; readonly key_algorithm: string; readonly nonce: Buffer; readonly ciphertext: Buffer };

const ENTRY_INSERT_COLUMNS = [
  'id', 'fingerprint_sha256', 'name', 'common_name', 'dns_names', 'subject', 'issuer', 'issuer_common_name', 'serial_number', 'not_before', 'not_after',
  'key_algorithm', 'key_size', 'curve', 'is_ca', 'tags', 'notes', 'source_file', 'imported_at', 'updated_at', 'has_key', 'sm2_dual', 'cert_terms',
  'search_text', 'renews_id', 'search_rowid',
] as const satisfies readonly (keyof EntryInsert)[];

/**
 * A batch's new entries, each table's rows in one statement (db/prepared.ts preparedRows).
 * PostgreSQL numbers search_rowid itself (an identity column): the column is left out there.
 */
const INSERT_ENTRIES = preparedRows(ENTRY_INSERT_COLUMNS, (db, rows: EntryInsert[], engine) =>
  db.insertInto('entries').values(engine === 'postgres' ? rows.map(({ search_rowid: _, ...row }) => row) : rows),
);
const INSERT_CERTIFICATES = preparedRows(['entry_id', 'position', 'role', 'fingerprint_sha256', 'spki_sha256', 'der'], (db, rows: CertificateInsert[]) =>
  db.insertInto('entry_certificates').values(rows),
);
const INSERT_KEYS = preparedRows(['entry_id', 'role', 'key_algorithm', 'nonce', 'ciphertext'], (db, rows: SealedKeyInsert[]) =>
  db.insertInto('sealed_keys').values(rows.map((row) => ({ ...row, data_key_generation: currentGeneration() }))),
);
/** Which of a batch's fingerprints are in the library already, and which of its new ids are taken. */
const ENTRIES_BY_FINGERPRINTS_OR_IDS = preparedRows(['fingerprint', 'id'], (db, rows: { fingerprint: string; id: string }[]) =>
  db
    .selectFrom('entries')
    .select(['id', 'fingerprint_sha256'])
    .where((eb) => eb.or([eb('fingerprint_sha256', 'in', rows.map((row) => row.fingerprint)), eb('id', 'in', rows.map((row) => row.id))])),
);

const UPSERT_KEY = prepared((db, row: { entry_id: string; role: KeyRole; key_algorithm: string; nonce: Buffer; ciphertext: Buffer }) =>
  db
    .insertInto('sealed_keys')
    .values({ ...row, data_key_generation: currentGeneration() })
    .onConflict((c) =>
      c.columns(['entry_id', 'role']).doUpdateSet((eb) => ({
        key_algorithm: eb.ref('excluded.key_algorithm'),
        nonce: eb.ref('excluded.nonce'),
        ciphertext: eb.ref('excluded.ciphertext'),
        data_key_generation: eb.ref('excluded.data_key_generation'),
      })),
    ),
);
const MARK_HAS_KEY = prepared((db, p: { id: string }) => db.updateTable('entries').set({ has_key: 1 }).where('id', '=', p.id).where('has_key', '=', 0));

export class EntryStore {
  readonly lineage: Lineage;
  /**
   * While this process runs a bulk write (db/bulk-write.ts), new entries get no row in the trigram
   * index: its end writes every row it lacks from the bulk write's first search_rowid on, whichever
   * write of this process (the import's or another) inserted the entry meanwhile.
   */
  searchIndexDeferred = false;

  constructor(private readonly vault: VaultDb) {
    this.lineage = new Lineage(vault);
  }

  async get(id: string, db: Db = this.vault.db): Promise<LibraryEntry | null> {
    const [row] = (await ENTRY_BY_ID(db, this.vault.engine, { id })).rows;
    return row ? toEntry(row) : null;
  }

  async byFingerprint(fingerprintSha256: string, db: Db = this.vault.db): Promise<LibraryEntry | null> {
    const [row] = (await ENTRY_BY_FINGERPRINT(db, this.vault.engine, { fingerprint: fingerprintSha256 })).rows;
    return row ? toEntry(row) : null;
  }

  /**
   * Which key roles an entry holds under the current data key (none when the entry does not
   * exist). A key retired by a data key reset is not held: importing it again replaces it.
   */
  async keyRoles(entryId: string, db: Db = this.vault.db): Promise<Set<KeyRole>> {
    const { rows } = await KEY_ROLES(db, this.vault.engine, { entryId });
    return new Set(rows.map((row) => row.role));
  }

  /** Which of these entries hold a key sealed under a data key that a reset retired. */
  async withRetiredKeys(entryIds: readonly string[]): Promise<Set<string>> {
    if (entryIds.length === 0) return new Set();
    const rows = await this.vault.db
      .selectFrom('sealed_keys')
      .select('entry_id')
      .distinct()
      .where('entry_id', 'in', [...entryIds])
      .where('data_key_generation', '<', currentGeneration())
      .execute();
    return new Set(rows.map((row) => row.entry_id));
  }

  /** The entry (and role) holding the certificate whose public key has this SPKI hash. */
  async findBySpki(spkiSha256: string, db: Db = this.vault.db): Promise<{ entryId: string; role: KeyRole } | null> {
    const row = await db
      .selectFrom('entry_certificates')
      .select(['entry_id', 'role'])
      .where('spki_sha256', '=', spkiSha256)
      .where('role', '!=', 'chain')
      .limit(1)
      .executeTakeFirst();
    return row ? { entryId: row.entry_id, role: row.role as KeyRole } : null;
  }

  async certificates(entryId: string): Promise<StoredCertificates> {
    const rows = await this.certificateRows(entryId, this.vault.db);
    const leaf = rows.find((r) => r.role === 'leaf');
    if (!leaf) throw new VaultError('vault.not_found', { id: entryId });
    return {
      leaf: leaf.der,
      chain: rows.filter((r) => r.role === 'chain').map((r) => r.der),
      encrypt: rows.find((r) => r.role === 'sm2-encrypt')?.der ?? null,
    };
  }

  private async certificateRows(entryId: string, db: Db): Promise<(CertificateRow & { readonly role: string })[]> {
    return (await CERTIFICATE_ROWS(db, this.vault.engine, { entryId })).rows;
  }

  async sealedKeys(entryId: string): Promise<SealedKeyRow[]> {
    const rows = await this.vault.db.selectFrom('sealed_keys').select(['role', 'key_algorithm', 'nonce', 'ciphertext']).where('entry_id', '=', entryId).execute();
    return rows.map((r) => ({ role: r.role, keyAlgorithm: r.key_algorithm as KeyAlgorithm, nonce: r.nonce, ciphertext: r.ciphertext }));
  }

  /** Every CA certificate the library holds, once each: chain certificates and CA entries. */
  async caCertificates(): Promise<Buffer[]> {
    // Kept once each by triggers (db/migrations.ts version 9, pg/migrations.ts): as many rows as CAs, not entries.
    const rows = await this.vault.db.selectFrom('library_cas').select('der').orderBy('fingerprint_sha256').execute();
    return rows.map((row) => row.der);
  }

  /**
   * Runs the writes in one transaction. One commit for a batch instead of one per entry is most
   * of an import's speed (bench/library-import.ts): each commit appends every page it touched to
   * the WAL and flushes a segment of the trigram index. No savepoint per write: FTS5 flushes a
   * segment at each one too. So when a write throws, the batch is rolled back whole, the writes
   * before it are run again, it is reported, and the batch goes on after it: each write is stored
   * whole or not at all. A write that lost a race on a unique key (another member stored the same
   * certificate meanwhile, PostgreSQL) is run once more on its own, where it finds and merges into
   * the other's entry. If the transaction itself fails (another process holds the lock, the disk
   * is full), every write of the batch fails with that error; if the server of a team vault went
   * out of reach, that error is thrown.
   *
   * The event loop gets a turn before each write. On SQLite every statement is synchronous and its
   * promise settles at once, so without it a batch never leaves the microtask queue: the parse
   * worker's answers and the file reads of the import (vault.ts importPaths) waited for the whole
   * chunk, and the two threads took turns instead of working at once (docs/performance.md, import
   * at 100,000, third session). Nothing else can use the connection meanwhile: Kysely holds it for
   * the transaction, and no code runs its own on it (vault-db.ts).
   *
   * `together`, when given, writes the whole batch in one go first (an import's writeMany: one
   * statement per table for the batch); only when it throws are the writes run one at a time.
   */
  async writeEach<T>(writes: readonly Write<T>[], audit?: BatchAudit<T>, together?: Write<T[]>): Promise<WriteResult<T>[]> {
    if (writes.length === 0) return [];
    if (together) {
      const values = await this.writtenTogether(together, audit);
      if (values) return values.map((value) => ({ ok: true, value }));
    }
    let failedAt = -1;
    try {
      const values = await this.vault.db.transaction().execute(async (trx) => {
        const done: T[] = [];
        for (const [i, write] of writes.entries()) {
          try {
            await setImmediate();
            done.push(await write(trx));
          } catch (error) {
            failedAt = i;
            throw error;
          }
        }
        await this.audited(trx, audit?.(done));
        return done;
      });
      return values.map((value) => ({ ok: true, value }));
    } catch (error) {
      // The server went away (team vault): every write after this one would fail the same way, and
      // one cut at its COMMIT may have landed, so the caller stops and says so instead of going on.
      // A refused audit row stops it too: every later batch would be written and rolled back alike.
      if (isVaultOutOfReach(error) || isAuditRefusal(error)) throw error;
      if (failedAt === -1) return writes.map(() => ({ ok: false, error }));
      const failed: WriteResult<T> = isUniqueViolation(error) ? await this.retried(writes[failedAt]!, audit) : { ok: false, error };
      return [...(await this.writeEach(writes.slice(0, failedAt), audit)), failed, ...(await this.writeEach(writes.slice(failedAt + 1), audit))];
    }
  }

  /**
   * All the writes of a batch by one function (`writeMany`: one statement per table for the whole
   * batch), in one transaction; null when it threw, the batch rolled back whole: its writes are
   * then run one at a time (writeEach), so the one that fails is told apart from the others.
   */
  private async writtenTogether<T>(together: Write<T[]>, audit: BatchAudit<T> | undefined): Promise<T[] | null> {
    try {
      return await this.vault.db.transaction().execute(async (trx) => {
        const done = await together(trx);
        await this.audited(trx, audit?.(done));
        return done;
      });
    } catch (error) {
      if (isVaultOutOfReach(error) || isAuditRefusal(error)) throw error;
      return null;
    }
  }

  private async retried<T>(write: Write<T>, audit: BatchAudit<T> | undefined): Promise<WriteResult<T>> {
    try {
      const value = await this.vault.db.transaction().execute(async (trx) => {
        const written = await write(trx);
        await this.audited(trx, audit?.([written]));
        return written;
      });
      return { ok: true, value };
    } catch (error) {
      return { ok: false, error };
    }
  }

  /** A team vault's audit row for what this transaction wrote, as its last statement. */
  private async audited(trx: Db, entry: AuditEntry | null | undefined): Promise<void> {
    if (entry) await this.vault.audit?.(trx, entry);
  }

  /**
   * Stores a planned entry, or merges it into the entry with the same leaf fingerprint: a key the
   * existing entry lacks is added, and a longer chain replaces a shorter one. `dataKey` is called
   * only when the entry brings a key the library does not hold yet.
   */
  async write(trx: Db, planned: PlannedEntry<CertificateFacts>, dataKey: DataKeySource, fields: NewEntryFields): Promise<ImportedEntry> {
    const fingerprintSha256 = planned.leaf.info.fingerprintSha256;
    const candidate = randomEntryId();
    const { rows } = await ENTRY_BY_FINGERPRINT_OR_ID(trx, this.vault.engine, { fingerprint: fingerprintSha256, id: candidate });
    const existing = rows.find((row) => row.fingerprint_sha256 === fingerprintSha256);
    if (existing) {
      await this.merge(trx, toEntry(existing), planned, dataKey, fields);
      return { id: existing.id, fingerprintSha256, duplicate: true };
    }
    // The random id is taken only when another entry came back with it (one in billions).
    const id = rows.length === 0 ? candidate : await newEntryId(trx, this.vault.engine);
    await this.insert(trx, id, planned, dataKey, fields);
    return { id, fingerprintSha256, duplicate: false };
  }

  /**
   * `write` for the planned entries of a batch, in order. The new ones are stored together
   * (insertMany): one lookup of the batch's fingerprints, one statement per table. Those already in
   * the library, and a certificate the batch brings twice after its first, are merged one by one as
   * `write` merges them, once the new ones are stored.
   */
  async writeMany(trx: Db, entries: readonly PlannedWrite[], dataKey: DataKeySource): Promise<ImportedEntry[]> {
    const fingerprint = ({ planned }: PlannedWrite) => planned.leaf.info.fingerprintSha256;
    const candidates = entries.map(() => randomEntryId());
    const found = await ENTRIES_BY_FINGERPRINTS_OR_IDS(trx, this.vault.engine, entries.map((entry, i) => ({ fingerprint: fingerprint(entry), id: candidates[i]! })));
    const stored = new Set(found.map((row) => row.fingerprint_sha256));
    const unavailable = new Set(found.map((row) => row.id));
    const fresh = new Map<PlannedWrite, string>();
    const seen = new Set<string>();
    for (const [i, entry] of entries.entries()) {
      if (stored.has(fingerprint(entry)) || seen.has(fingerprint(entry))) continue;
      seen.add(fingerprint(entry));
      let id = candidates[i]!;
      // Taken only when another entry came back with it, or the batch drew it twice (one in billions each).
      while (unavailable.has(id)) id = await newEntryId(trx, this.vault.engine);
      unavailable.add(id);
      fresh.set(entry, id);
    }
    await this.insertMany(trx, [...fresh].map(([{ planned, fields }, id]) => ({ id, planned, fields })), dataKey);
    const written: ImportedEntry[] = [];
    for (const entry of entries) {
      const id = fresh.get(entry);
      if (id) written.push({ id, fingerprintSha256: fingerprint(entry), duplicate: false });
      else {
        await setImmediate();
        written.push(await this.write(trx, entry.planned, dataKey, entry.fields));
      }
    }
    return written;
  }

  /** Adds a key imported on its own to the entry whose certificate it belongs to. */
  async addKey(trx: Db, entryId: string, role: KeyRole, key: KeyMaterial, dataKey: DataKeySource, now: Date): Promise<boolean> {
    if ((await this.keyRoles(entryId, trx)).has(role)) return false;
    await this.insertKey(trx, entryId, role, key, dataKey());
    await this.touch(trx, entryId, now);
    return true;
  }

  /**
   * Applies the edit only when the entry is still as the editor read it (`baseUpdatedAt`): two
   * members editing the same entry must not have the later save silently drop the earlier one.
   */
  update(entryId: string, patch: EntryUpdate, baseUpdatedAt: string, now: Date): Promise<LibraryEntry> {
    return this.vault.db.transaction().execute(async (trx): Promise<LibraryEntry> => {
      const current = await this.get(entryId, trx);
      if (!current) throw new VaultError('vault.not_found', { id: entryId });
      if (current.updatedAt !== baseUpdatedAt) throw editConflict(current);
      const name = patch.name ?? current.name;
      const tags = patch.tags ? normaliseTags(patch.tags) : current.tags;
      const notes = patch.notes ?? current.notes;
      const search = searchText(await this.certTerms(trx, entryId), name, tags, notes);
      const result = await trx
        .updateTable('entries')
        .set({ name, tags: JSON.stringify(tags), notes, search_text: search, updated_at: nextRevision(baseUpdatedAt, now) })
        .where('id', '=', entryId)
        .where('updated_at', '=', baseUpdatedAt)
        .executeTakeFirst();
      // The read above is not a lock on every engine: a writer that committed in between leaves no row.
      if (result.numUpdatedRows !== 1n) throw editConflict((await this.get(entryId, trx)) ?? current);
      await reindexSearchText(this.vault.engine, trx, entryId, search);
      await this.audited(trx, { action: 'vault.edit', subject: entryId, detail: { fields: changedFields(patch) } });
      return (await this.get(entryId, trx))!;
    });
  }

  /**
   * Deletes the entry; its certificates and sealed keys go with it (ON DELETE CASCADE), and what
   * renewed it is relinked to the entry before it.
   */
  remove(entryId: string): Promise<boolean> {
    return this.vault.db.transaction().execute(async (trx) => {
      await this.lineage.unlinkForRemoval(trx, entryId);
      const result = await trx.deleteFrom('entries').where('id', '=', entryId).executeTakeFirst();
      const removed = Number(result.numDeletedRows) === 1;
      if (removed) await this.audited(trx, { action: 'vault.remove', subject: entryId, detail: {} });
      return removed;
    });
  }

  private async certTerms(db: Db, entryId: string): Promise<string> {
    const row = await db.selectFrom('entries').select('cert_terms').where('id', '=', entryId).executeTakeFirstOrThrow();
    return row.cert_terms;
  }

  private async insert(trx: Db, id: string, planned: PlannedEntry<CertificateFacts>, dataKey: DataKeySource, fields: NewEntryFields): Promise<void> {
    await this.insertMany(trx, [{ id, planned, fields }], dataKey);
  }

  /**
   * Stores new entries, each table's rows in one statement (prepared.ts `preparedRows`) rather
   * than one per entry: a batch of an import runs a handful of statements per table instead of a
   * dozen per entry (docs/performance.md, import CPU per entry). The ids must be free.
   */
  private async insertMany(trx: Db, entries: readonly (PlannedWrite & { readonly id: string })[], dataKey: DataKeySource): Promise<void> {
    const rows: ReturnType<typeof newEntryRow>[] = [];
    const certificates: CertificateInsert[] = [];
    const keys: SealedKeyInsert[] = [];
    for (const { id, planned, fields } of entries) {
      // The event loop turns before each entry, as before each write of writeEach.
      await setImmediate();
      rows.push(newEntryRow(id, planned, fields));
      certificates.push(...certificateInserts(id, [certificateRow(planned.leaf), ...planned.chain.map(certificateRow)], planned.encrypt && certificateRow(planned.encrypt)));
      // has_key is already 1 in the rows.
      if (planned.leafKey) keys.push(sealedKeyInsert(id, 'leaf', planned.leafKey, dataKey()));
      if (planned.encryptKey) keys.push(sealedKeyInsert(id, 'sm2-encrypt', planned.encryptKey, dataKey()));
    }
    const search = await searchRowidColumns(this.vault.engine, trx, rows.map((row) => row.search_text));
    await INSERT_ENTRIES(trx, this.vault.engine, rows.map((row, i) => ({ ...row, ...search.columns[i] })));
    await INSERT_CERTIFICATES(trx, this.vault.engine, certificates);
    await INSERT_KEYS(trx, this.vault.engine, keys);
    await this.lineage.linkNewMany(trx, rows);
    if (!this.searchIndexDeferred) await search.indexTexts();
  }

  private async merge(trx: Db, existing: LibraryEntry, planned: PlannedEntry<CertificateFacts>, dataKey: DataKeySource, fields: NewEntryFields): Promise<void> {
    let changed = false;
    const stored = await this.certificateRows(existing.id, trx);
    const storedChain = stored.filter((r) => r.role === 'chain');
    const storedEncrypt = stored.find((r) => r.role === 'sm2-encrypt') ?? null;
    const encryptMissing = planned.encrypt !== null && storedEncrypt === null;
    if (planned.chain.length > storedChain.length || encryptMissing) {
      await trx.deleteFrom('entry_certificates').where('entry_id', '=', existing.id).where('role', '!=', 'leaf').execute();
      const chain = planned.chain.length > storedChain.length ? planned.chain.map(certificateRow) : storedChain;
      const encrypt = planned.encrypt ? certificateRow(planned.encrypt) : storedEncrypt;
      await INSERT_CERTIFICATES(trx, this.vault.engine, certificateInserts(existing.id, chain, encrypt, 1));
      if (encryptMissing) await trx.updateTable('entries').set({ sm2_dual: 1 }).where('id', '=', existing.id).execute();
      changed = true;
    }
    const roles = await this.keyRoles(existing.id, trx);
    if (planned.leafKey && !roles.has('leaf')) {
      await this.insertKey(trx, existing.id, 'leaf', planned.leafKey, dataKey());
      changed = true;
    }
    if (planned.encryptKey && !roles.has('sm2-encrypt')) {
      await this.insertKey(trx, existing.id, 'sm2-encrypt', planned.encryptKey, dataKey());
      changed = true;
    }
    const tags = normaliseTags([...existing.tags, ...fields.tags]);
    if (tags.length !== existing.tags.length) {
      const search = searchText(await this.certTerms(trx, existing.id), existing.name, tags, existing.notes);
      await trx.updateTable('entries').set({ tags: JSON.stringify(tags), search_text: search }).where('id', '=', existing.id).execute();
      await reindexSearchText(this.vault.engine, trx, existing.id, search);
      changed = true;
    }
    if (changed) await this.touch(trx, existing.id, fields.now);
  }

  private async sealKey(trx: Db, entryId: string, role: KeyRole, key: KeyMaterial, dataKey: Buffer): Promise<void> {
    // A retired key of the same role (keyRoles does not count it) is replaced: the key is back.
    await UPSERT_KEY(trx, this.vault.engine, sealedKeyInsert(entryId, role, key, dataKey));
  }

  /** has_key counts retired keys too: an unrecoverable key is shown as such, never hidden. */
  private async touch(trx: Db, entryId: string, now: Date): Promise<void> {
    await trx
      .updateTable('entries')
      .set({
        updated_at: now.toISOString(),
        has_key: sql<0 | 1>`CASE WHEN EXISTS (SELECT 1 FROM sealed_keys WHERE entry_id = ${entryId}) THEN 1 ELSE 0 END`,
      })
      .where('id', '=', entryId)
      .execute();
  }

  private async insertKey(trx: Db, entryId: string, role: KeyRole, key: KeyMaterial, dataKey: Buffer): Promise<void> {
    await this.sealKey(trx, entryId, role, key, dataKey);
    // Only when it changes: has_key is in every list index (db/migrations.ts), and an UPDATE
    // rewrites the index entries even when the value stays the same.
    await MARK_HAS_KEY(trx, this.vault.engine, { id: entryId });
  }
}

export function defaultName(info: CertificateFacts): string {
  return info.commonName ?? info.dnsNames[0] ?? info.subject ?? info.fingerprintSha256.slice(0, 16);
}

export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))];
}

/** An entry's row as an import creates it (search_rowid comes from its search text's insert, dialect-sql.ts). */
function newEntryRow(id: string, planned: PlannedEntry<CertificateFacts>, fields: NewEntryFields) {
  const info = planned.leaf.info;
  const name = fields.name?.trim() || defaultName(info);
  const tags = normaliseTags(fields.tags);
  const certTerms = certificateTerms([planned.leaf, ...(planned.encrypt ? [planned.encrypt] : [])]);
  const now = fields.now.toISOString();
  return {
    id,
    fingerprint_sha256: info.fingerprintSha256,
    name,
    common_name: info.commonName,
    dns_names: JSON.stringify(info.dnsNames),
    subject: info.subject,
    issuer: info.issuer,
    issuer_common_name: info.issuerCommonName,
    serial_number: info.serialNumber,
    not_before: info.notBefore,
    not_after: info.notAfter,
    key_algorithm: info.keyAlgorithm,
    key_size: info.keySize,
    curve: info.curve,
    is_ca: info.isCA ? 1 : 0,
    tags: JSON.stringify(tags),
    notes: '',
    source_file: planned.sourceFile,
    imported_at: now,
    updated_at: now,
    has_key: planned.leafKey || planned.encryptKey ? 1 : 0,
    sm2_dual: planned.encrypt ? 1 : 0,
    cert_terms: certTerms,
    search_text: searchText(certTerms, name, tags, ''),
    renews_id: null,
  } satisfies Insertable<EntriesTable>;
}

function sealedKeyInsert(entryId: string, role: KeyRole, key: KeyMaterial, dataKey: Buffer): SealedKeyInsert {
  const sealed = seal(dataKey, key.pkcs8, sealingContext(entryId, role));
  return { entry_id: entryId, role, key_algorithm: key.algorithm, nonce: sealed.nonce, ciphertext: sealed.ciphertext };
}

function certificateTerms(certs: readonly CertificateMaterial<CertificateFacts>[]): string {
  return certs
    .flatMap(({ info }) => [
      info.commonName ?? '',
      ...info.dnsNames,
      ...info.ipAddresses,
      ...info.emailAddresses,
      info.subject,
      info.issuer,
      info.serialNumber,
      info.serialDecimal,
      info.fingerprintSha256,
      info.fingerprintSha1,
    ])
    .filter((t) => t !== '')
    .join('\n')
    .toLowerCase();
}

function certificateRow({ der, info, spkiSha256 }: CertificateMaterial<CertificateFacts>): CertificateRow {
  return { der, fingerprintSha256: info.fingerprintSha256, spkiSha256 };
}

/**
 * `updated_at` is the entry's revision: it must move on every edit, even when two land in the
 * same millisecond or the clock steps back, or a stale base would still match.
 */
function nextRevision(base: string, now: Date): string {
  const after = Date.parse(base) + 1;
  return new Date(Number.isNaN(after) || now.getTime() >= after ? now.getTime() : after).toISOString();
}

function editConflict(current: LibraryEntry): VaultError {
  return new VaultError('library.edit_conflict', {
    id: current.id,
    updatedAt: current.updatedAt,
    name: current.name,
    tags: JSON.stringify(current.tags),
    notes: current.notes,
  });
}

function isAuditRefusal(error: unknown): boolean {
  return error instanceof VaultError && error.code === 'team.audit_failed';
}
