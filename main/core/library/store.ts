import type Database from 'better-sqlite3';
import { VaultError } from '../../../shared/errors';
import type { EntryUpdate, ImportedEntry, LibraryEntry } from '../../../shared/library';
import type { KeyAlgorithm } from '../../../shared/model';
import { seal, type Sealed } from '../seal';
import { wrapBusy } from '../db/open';
import { StatementCache } from '../db/statements';
import { CURRENT_GENERATION_SQL } from './data-key';
import { newEntryId } from './entry-id';
import { Lineage } from './lineage';
import { ENTRY_COLUMNS, searchText, toEntry, type EntryRow } from './entry-row';
import type { CertificateFacts, CertificateMaterial, KeyMaterial } from './material';
import type { PlannedEntry } from './plan';

// Reads and writes entries. Every write of an entry is one synchronous transaction, or part of
// one batch of them (`writeEach`), so an entry is stored whole or not at all, whatever happens to
// the process mid-import.

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

export type WriteResult<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

export interface NewEntryFields {
  readonly name?: string;
  readonly tags: readonly string[];
  readonly now: Date;
}

/** The associated data of a sealed key: its entry, and its role within an SM2 dual entry. */
export function sealingContext(entryId: string, role: KeyRole): string {
  return role === 'leaf' ? entryId : `${entryId}#${role}`;
}

export class EntryStore {
  private readonly sql: StatementCache;
  readonly lineage: Lineage;

  constructor(private readonly db: Database.Database) {
    this.sql = new StatementCache(db);
    this.lineage = new Lineage(db);
  }

  get(id: string): LibraryEntry | null {
    const row = this.sql.get(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE id = ?`).get(id) as EntryRow | undefined;
    return row ? toEntry(row) : null;
  }

  byFingerprint(fingerprintSha256: string): LibraryEntry | null {
    const row = this.sql.get(`SELECT ${ENTRY_COLUMNS} FROM entries WHERE fingerprint_sha256 = ?`).get(fingerprintSha256) as
      | EntryRow
      | undefined;
    return row ? toEntry(row) : null;
  }

  /**
   * Which key roles an entry holds under the current data key (none when the entry does not
   * exist). A key retired by a data key reset is not held: importing it again replaces it.
   */
  keyRoles(entryId: string): Set<KeyRole> {
    const roles = this.sql
      .get(`SELECT role FROM sealed_keys WHERE entry_id = ? AND data_key_generation = ${CURRENT_GENERATION_SQL}`)
      .pluck()
      .all(entryId) as KeyRole[];
    return new Set(roles);
  }

  /** Which of these entries hold a key sealed under a data key that a reset retired. */
  withRetiredKeys(entryIds: readonly string[]): Set<string> {
    const ids = this.sql
      .get(
        `SELECT DISTINCT entry_id FROM sealed_keys
         WHERE entry_id IN (SELECT value FROM json_each(?)) AND data_key_generation < ${CURRENT_GENERATION_SQL}`,
      )
      .pluck()
      .all(JSON.stringify(entryIds)) as string[];
    return new Set(ids);
  }

  /** The entry (and role) holding the certificate whose public key has this SPKI hash. */
  findBySpki(spkiSha256: string): { entryId: string; role: KeyRole } | null {
    const row = this.sql
      .get("SELECT entry_id, role FROM entry_certificates WHERE spki_sha256 = ? AND role != 'chain' LIMIT 1")
      .get(spkiSha256) as { entry_id: string; role: 'leaf' | 'sm2-encrypt' } | undefined;
    return row ? { entryId: row.entry_id, role: row.role } : null;
  }

  certificates(entryId: string): StoredCertificates {
    const rows = this.certificateRows(entryId);
    const leaf = rows.find((r) => r.role === 'leaf');
    if (!leaf) throw new VaultError('vault.not_found', { id: entryId });
    return {
      leaf: leaf.der,
      chain: rows.filter((r) => r.role === 'chain').map((r) => r.der),
      encrypt: rows.find((r) => r.role === 'sm2-encrypt')?.der ?? null,
    };
  }

  private certificateRows(entryId: string): (CertificateRow & { readonly role: string })[] {
    return this.sql
      .get(
        `SELECT role, der, fingerprint_sha256 AS fingerprintSha256, spki_sha256 AS spkiSha256
         FROM entry_certificates WHERE entry_id = ? ORDER BY position`,
      )
      .all(entryId) as (CertificateRow & { role: string })[];
  }

  sealedKeys(entryId: string): SealedKeyRow[] {
    const rows = this.sql
      .get('SELECT role, key_algorithm, nonce, ciphertext FROM sealed_keys WHERE entry_id = ?')
      .all(entryId) as { role: KeyRole; key_algorithm: string; nonce: Buffer; ciphertext: Buffer }[];
    return rows.map((r) => ({ role: r.role, keyAlgorithm: r.key_algorithm as KeyAlgorithm, nonce: r.nonce, ciphertext: r.ciphertext }));
  }

  /** Every CA certificate the library holds, once each: chain certificates and CA entries. */
  caCertificates(): Buffer[] {
    // Kept once each by triggers (db/migrations.ts, version 9): as many rows as CAs, not entries.
    return this.sql.get('SELECT der FROM library_cas ORDER BY fingerprint_sha256').pluck().all() as Buffer[];
  }

  /**
   * Runs the writes in one IMMEDIATE transaction. One commit for a batch instead of one per entry
   * is most of an import's speed (bench/library-import.ts): each commit appends every page it
   * touched to the WAL and flushes a segment of the trigram index. No savepoint per write: FTS5
   * flushes a segment at each one too. So when a write throws, the batch is rolled back whole, the
   * writes before it are run again, it is reported, and the batch goes on after it: each write is
   * stored whole or not at all. If the transaction itself fails (another process holds the lock,
   * the disk is full), every write of the batch fails with that error.
   */
  writeEach<T>(writes: readonly (() => T)[]): WriteResult<T>[] {
    if (writes.length === 0) return [];
    let failedAt = -1;
    const run = this.db.transaction(() =>
      writes.map((write, i) => {
        try {
          return write();
        } catch (error) {
          failedAt = i;
          throw error;
        }
      }),
    );
    try {
      return wrapBusy(() => run.immediate()).map((value) => ({ ok: true, value }));
    } catch (error) {
      if (failedAt === -1) return writes.map(() => ({ ok: false, error }));
      return [...this.writeEach(writes.slice(0, failedAt)), { ok: false, error }, ...this.writeEach(writes.slice(failedAt + 1))];
    }
  }

  /**
   * Stores a planned entry, or merges it into the entry with the same leaf fingerprint: a key the
   * existing entry lacks is added, and a longer chain replaces a shorter one. `dataKey` is called
   * only when the entry brings a key the library does not hold yet.
   */
  write(planned: PlannedEntry<CertificateFacts>, dataKey: DataKeySource, fields: NewEntryFields): ImportedEntry {
    const fingerprintSha256 = planned.leaf.info.fingerprintSha256;
    return this.atomically((): ImportedEntry => {
      const existing = this.byFingerprint(fingerprintSha256);
      if (existing) {
        this.merge(existing, planned, dataKey, fields);
        return { id: existing.id, fingerprintSha256, duplicate: true };
      }
      const id = newEntryId(this.sql);
      this.insert(id, planned, dataKey, fields);
      return { id, fingerprintSha256, duplicate: false };
    });
  }

  /** Adds a key imported on its own to the entry whose certificate it belongs to. */
  addKey(entryId: string, role: KeyRole, key: KeyMaterial, dataKey: DataKeySource, now: Date): boolean {
    return this.atomically((): boolean => {
      if (this.keyRoles(entryId).has(role)) return false;
      this.insertKey(entryId, role, key, dataKey());
      this.touch(entryId, now);
      return true;
    });
  }

  /** `work` in an IMMEDIATE transaction of its own, or as part of writeEach's batch. */
  private atomically<T>(work: () => T): T {
    if (this.db.inTransaction) return work();
    return wrapBusy(() => this.db.transaction(work).immediate());
  }

  update(entryId: string, patch: EntryUpdate, now: Date): LibraryEntry {
    const run = this.db.transaction((): LibraryEntry => {
      const current = this.get(entryId);
      if (!current) throw new VaultError('vault.not_found', { id: entryId });
      const name = patch.name ?? current.name;
      const tags = patch.tags ? normaliseTags(patch.tags) : current.tags;
      const notes = patch.notes ?? current.notes;
      const certTerms = this.sql.get('SELECT cert_terms FROM entries WHERE id = ?').pluck().get(entryId) as string;
      const search = searchText(certTerms, name, tags, notes);
      this.sql
        .get('UPDATE entries SET name = ?, tags = ?, notes = ?, search_text = ?, updated_at = ? WHERE id = ?')
        .run(name, JSON.stringify(tags), notes, search, now.toISOString(), entryId);
      this.reindexSearch(entryId, search);
      return this.get(entryId)!;
    });
    return wrapBusy(() => run.immediate());
  }

  /**
   * Deletes the entry; its certificates and sealed keys go with it (ON DELETE CASCADE), and what
   * renewed it is relinked to the entry before it.
   */
  remove(entryId: string): boolean {
    return this.atomically(() => {
      this.lineage.unlinkForRemoval(entryId);
      return this.sql.get('DELETE FROM entries WHERE id = ?').run(entryId).changes === 1;
    });
  }

  private insert(id: string, planned: PlannedEntry<CertificateFacts>, dataKey: DataKeySource, fields: NewEntryFields): void {
    const info = planned.leaf.info;
    const name = fields.name?.trim() || defaultName(info);
    const tags = normaliseTags(fields.tags);
    const certTerms = certificateTerms([planned.leaf, ...(planned.encrypt ? [planned.encrypt] : [])]);
    const search = searchText(certTerms, name, tags, '');
    const now = fields.now.toISOString();
    this.sql
      .get(
        `INSERT INTO entries (id, fingerprint_sha256, name, common_name, dns_names, subject, issuer, issuer_common_name,
           serial_number, not_before, not_after, key_algorithm, key_size, curve, is_ca, tags, notes, source_file,
           imported_at, updated_at, has_key, sm2_dual, cert_terms, search_text, search_rowid)
         VALUES (@id, @fp, @name, @cn, @dns, @subject, @issuer, @issuerCn, @serial, @notBefore, @notAfter, @alg, @size,
           @curve, @isCa, @tags, '', @source, @now, @now, @hasKey, @dual, @certTerms, @search, @searchRowid)`,
      )
      .run({
        id,
        fp: info.fingerprintSha256,
        name,
        cn: info.commonName,
        dns: JSON.stringify(info.dnsNames),
        subject: info.subject,
        issuer: info.issuer,
        issuerCn: info.issuerCommonName,
        serial: info.serialNumber,
        notBefore: info.notBefore,
        notAfter: info.notAfter,
        alg: info.keyAlgorithm,
        size: info.keySize,
        curve: info.curve,
        isCa: info.isCA ? 1 : 0,
        tags: JSON.stringify(tags),
        source: planned.sourceFile,
        now,
        hasKey: planned.leafKey || planned.encryptKey ? 1 : 0,
        dual: planned.encrypt ? 1 : 0,
        certTerms,
        search,
        searchRowid: this.indexSearch(search),
      });
    this.insertCertificateRows(id, [certificateRow(planned.leaf), ...planned.chain.map(certificateRow)], planned.encrypt && certificateRow(planned.encrypt));
    if (planned.leafKey) this.insertKey(id, 'leaf', planned.leafKey, dataKey());
    if (planned.encryptKey) this.insertKey(id, 'sm2-encrypt', planned.encryptKey, dataKey());
    this.lineage.linkNew(id);
  }

  private merge(existing: LibraryEntry, planned: PlannedEntry<CertificateFacts>, dataKey: DataKeySource, fields: NewEntryFields): void {
    let changed = false;
    const stored = this.certificateRows(existing.id);
    const storedChain = stored.filter((r) => r.role === 'chain');
    const storedEncrypt = stored.find((r) => r.role === 'sm2-encrypt') ?? null;
    const encryptMissing = planned.encrypt !== null && storedEncrypt === null;
    if (planned.chain.length > storedChain.length || encryptMissing) {
      this.sql.get("DELETE FROM entry_certificates WHERE entry_id = ? AND role != 'leaf'").run(existing.id);
      const chain = planned.chain.length > storedChain.length ? planned.chain.map(certificateRow) : storedChain;
      const encrypt = planned.encrypt ? certificateRow(planned.encrypt) : storedEncrypt;
      this.insertCertificateRows(existing.id, chain, encrypt, 1);
      if (encryptMissing) this.sql.get('UPDATE entries SET sm2_dual = 1 WHERE id = ?').run(existing.id);
      changed = true;
    }
    const roles = this.keyRoles(existing.id);
    if (planned.leafKey && !roles.has('leaf')) {
      this.insertKey(existing.id, 'leaf', planned.leafKey, dataKey());
      changed = true;
    }
    if (planned.encryptKey && !roles.has('sm2-encrypt')) {
      this.insertKey(existing.id, 'sm2-encrypt', planned.encryptKey, dataKey());
      changed = true;
    }
    const tags = normaliseTags([...existing.tags, ...fields.tags]);
    if (tags.length !== existing.tags.length) {
      const certTerms = this.sql.get('SELECT cert_terms FROM entries WHERE id = ?').pluck().get(existing.id) as string;
      const search = searchText(certTerms, existing.name, tags, existing.notes);
      this.sql.get('UPDATE entries SET tags = ?, search_text = ? WHERE id = ?').run(JSON.stringify(tags), search, existing.id);
      this.reindexSearch(existing.id, search);
      changed = true;
    }
    if (changed) this.touch(existing.id, fields.now);
  }

  /** Adds the text to the trigram index; its rowid links the entry (deletes follow by trigger). */
  private indexSearch(text: string): number {
    return Number(this.sql.get('INSERT INTO entries_search (text) VALUES (?)').run(text).lastInsertRowid);
  }

  private reindexSearch(entryId: string, text: string): void {
    this.sql
      .get('UPDATE entries_search SET text = ? WHERE rowid = (SELECT search_rowid FROM entries WHERE id = ?)')
      .run(text, entryId);
  }

  /** has_key counts retired keys too: an unrecoverable key is shown as such, never hidden. */
  private touch(entryId: string, now: Date): void {
    this.sql
      .get('UPDATE entries SET updated_at = ?, has_key = EXISTS (SELECT 1 FROM sealed_keys WHERE entry_id = ?) WHERE id = ?')
      .run(now.toISOString(), entryId, entryId);
  }

  /**
   * The leaf at position 0 (unless `from` is 1: the leaf is already stored), the chain after it in
   * order, then the SM2 encryption certificate.
   */
  private insertCertificateRows(id: string, certs: readonly CertificateRow[], encrypt: CertificateRow | null, from: 0 | 1 = 0): void {
    const insert = this.sql.get(
      'INSERT INTO entry_certificates (entry_id, position, role, fingerprint_sha256, spki_sha256, der) VALUES (?, ?, ?, ?, ?, ?)',
    );
    const row = (cert: CertificateRow, position: number, role: 'leaf' | 'chain' | 'sm2-encrypt') =>
      insert.run(id, position, role, cert.fingerprintSha256, cert.spkiSha256, cert.der);
    certs.forEach((cert, i) => row(cert, i + from, i + from === 0 ? 'leaf' : 'chain'));
    if (encrypt) row(encrypt, certs.length + from, 'sm2-encrypt');
  }

  private insertKey(entryId: string, role: KeyRole, key: KeyMaterial, dataKey: Buffer): void {
    const sealed = seal(dataKey, key.pkcs8, sealingContext(entryId, role));
    // A retired key of the same role (keyRoles does not count it) is replaced: the key is back.
    this.sql
      .get(
        `INSERT INTO sealed_keys (entry_id, role, key_algorithm, nonce, ciphertext, data_key_generation)
         VALUES (?, ?, ?, ?, ?, ${CURRENT_GENERATION_SQL})
         ON CONFLICT (entry_id, role) DO UPDATE SET key_algorithm = excluded.key_algorithm, nonce = excluded.nonce,
           ciphertext = excluded.ciphertext, data_key_generation = excluded.data_key_generation`,
      )
      .run(entryId, role, key.algorithm, sealed.nonce, sealed.ciphertext);
    // Only when it changes: has_key is in every list index (db/migrations.ts), and an UPDATE
    // rewrites the index entries even when the value stays the same.
    this.sql.get('UPDATE entries SET has_key = 1 WHERE id = ? AND has_key = 0').run(entryId);
  }
}

export function defaultName(info: CertificateFacts): string {
  return info.commonName ?? info.dnsNames[0] ?? info.subject ?? info.fingerprintSha256.slice(0, 16);
}

export function normaliseTags(tags: readonly string[]): string[] {
  return [...new Set(tags.map((t) => t.trim()).filter((t) => t !== ''))];
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
