import type Database from 'better-sqlite3';
import type { EntryRef, EntryLineage } from '../../../shared/library';
import type { KeyAlgorithm } from '../../../shared/model';
import { StatementCache } from '../db/statements';

// Renewal lineage: which library entry a certificate renews. A renews B when both are leaves (or
// both CAs) of the same key family (RSA 2048 -> 4096 is a renewal, RSA -> EC is a new
// certificate), A names every name B names (DNS SANs and CN, case-insensitive; more names is still
// a renewal) and A expires later. Among such B the one expiring last is A's predecessor, so a
// lineage is a chain old -> new whatever order the files were imported in. Equal expiry never
// links (neither is the newer one), which also keeps the links free of cycles.
//
// Links are stored (entries.renews_id, db/migrations.ts version 4) and kept right on every insert
// and delete, so the list can filter on "current version only" without recomputing anything.

export interface LineageFacts {
  readonly id: string;
  readonly family: string;
  readonly isCA: boolean;
  /** Lowercased, unique, sorted; empty when the certificate names nothing (never linked). */
  readonly names: readonly string[];
  readonly notAfter: string;
  readonly notBefore: string;
  readonly fingerprintSha256: string;
}

/** Key types whose renewals are interchangeable on a server: EC curves, RSA sizes, the two EdDSAs. */
export function keyFamily(algorithm: KeyAlgorithm): string {
  return algorithm === 'Ed25519' || algorithm === 'Ed448' ? 'EdDSA' : algorithm;
}

export function lineageNames(commonName: string | null, dnsNames: readonly string[]): string[] {
  const names = new Set(dnsNames.map((name) => name.toLowerCase()));
  if (commonName) names.add(commonName.toLowerCase());
  return [...names].sort();
}

/** True when `newer` is a renewal of `older` (see the rule above). */
export function isRenewalOf(newer: LineageFacts, older: LineageFacts): boolean {
  if (newer.id === older.id || newer.family !== older.family || newer.isCA !== older.isCA) return false;
  if (older.names.length === 0 || newer.notAfter <= older.notAfter) return false;
  const names = new Set(newer.names);
  return older.names.every((name) => names.has(name));
}

/**
 * The closer of two predecessors: the later expiry, then the later start, then the smaller
 * fingerprint, so the choice never depends on import order.
 */
export function closerPredecessor(a: LineageFacts, b: LineageFacts): LineageFacts {
  if (a.notAfter !== b.notAfter) return a.notAfter > b.notAfter ? a : b;
  if (a.notBefore !== b.notBefore) return a.notBefore > b.notBefore ? a : b;
  return a.fingerprintSha256 < b.fingerprintSha256 ? a : b;
}

export function choosePredecessor(entry: LineageFacts, candidates: readonly LineageFacts[]): LineageFacts | null {
  return candidates.filter((candidate) => isRenewalOf(entry, candidate)).reduce<LineageFacts | null>(
    (best, candidate) => (best ? closerPredecessor(best, candidate) : candidate),
    null,
  );
}

interface FactsRow {
  readonly id: string;
  readonly key_algorithm: string;
  readonly is_ca: number;
  readonly common_name: string | null;
  readonly dns_names: string;
  readonly not_after: string;
  readonly not_before: string;
  readonly fingerprint_sha256: string;
  readonly renews_id: string | null;
  readonly name: string;
}

const FACTS_COLUMNS = 'e.id, e.key_algorithm, e.is_ca, e.common_name, e.dns_names, e.not_after, e.not_before, e.fingerprint_sha256, e.renews_id, e.name';

function toFacts(row: FactsRow): LineageFacts {
  return {
    id: row.id,
    family: keyFamily(row.key_algorithm as KeyAlgorithm),
    isCA: row.is_ca === 1,
    names: lineageNames(row.common_name, JSON.parse(row.dns_names) as string[]),
    notAfter: row.not_after,
    notBefore: row.not_before,
    fingerprintSha256: row.fingerprint_sha256,
  };
}

function toRef(row: FactsRow): EntryRef {
  return { id: row.id, name: row.name, notAfter: row.not_after };
}

/** The lineage links in the database: kept on insert and delete, read by the library and the CLI. */
export class Lineage {
  private readonly sql: StatementCache;

  constructor(private readonly db: Database.Database) {
    this.sql = new StatementCache(db);
  }

  /**
   * Links a newly stored entry: to its predecessor, and as the predecessor of the entries that
   * renew it more closely than what they were linked to (an older certificate imported after its
   * renewal). Runs inside the entry's write transaction.
   */
  linkNew(entryId: string): void {
    const row = this.row(entryId);
    if (!row) return;
    const entry = toFacts(row);
    const insertName = this.sql.get('INSERT OR IGNORE INTO entry_names (name, entry_id) VALUES (?, ?)');
    for (const name of entry.names) insertName.run(name, entryId);
    if (entry.names.length === 0) return;
    this.setPredecessor(entryId, this.closestPredecessor(entry));
    // A renewal names every name its predecessor names, the first one included.
    const renewals = this.sql
      .get(`SELECT ${FACTS_COLUMNS} FROM entry_names n JOIN entries e ON e.id = n.entry_id WHERE n.name = ? AND e.not_after > ?`)
      .all(entry.names[0], entry.notAfter) as FactsRow[];
    for (const renewal of renewals) {
      const facts = toFacts(renewal);
      if (!isRenewalOf(facts, entry)) continue;
      const current = renewal.renews_id ? this.row(renewal.renews_id) : undefined;
      if (!current || closerPredecessor(toFacts(current), entry) === entry) this.setPredecessor(renewal.id, entry);
    }
  }

  /**
   * Deletes an entry's links before the entry itself: what renewed it is linked to the next
   * closest predecessor instead, so deleting the middle of a lineage keeps it whole.
   */
  unlinkForRemoval(entryId: string): void {
    const orphans = this.sql.get(`SELECT ${FACTS_COLUMNS} FROM entries e WHERE e.renews_id = ?`).all(entryId) as FactsRow[];
    if (orphans.length === 0) return;
    this.sql.get('UPDATE entries SET renews_id = NULL WHERE renews_id = ?').run(entryId);
    this.sql.get('DELETE FROM entry_names WHERE entry_id = ?').run(entryId);
    for (const orphan of orphans) this.setPredecessor(orphan.id, this.closestPredecessor(toFacts(orphan)));
  }

  predecessorOf(entryId: string): EntryRef | null {
    const row = this.sql.get(`SELECT ${FACTS_COLUMNS} FROM entries e WHERE e.id = (SELECT renews_id FROM entries WHERE id = ?)`).get(entryId) as
      | FactsRow
      | undefined;
    return row ? toRef(row) : null;
  }

  /** The entries that renew this one, latest expiry first (usually one; two when a renewal split). */
  successorsOf(entryId: string): EntryRef[] {
    const rows = this.sql
      .get(`SELECT ${FACTS_COLUMNS} FROM entries e WHERE e.renews_id = ? ORDER BY e.not_after DESC, e.not_before DESC, e.fingerprint_sha256`)
      .all(entryId) as FactsRow[];
    return rows.map(toRef);
  }

  /** The newest renewal of the entry, following the latest successor at each step; itself when none. */
  currentVersionOf(entryId: string): EntryRef | null {
    const start = this.row(entryId);
    if (!start) return null;
    let current = toRef(start);
    const seen = new Set([current.id]);
    for (let next = this.successorsOf(current.id)[0]; next && !seen.has(next.id); next = this.successorsOf(current.id)[0]) {
      seen.add(next.id);
      current = next;
    }
    return current;
  }

  of(entryId: string): EntryLineage {
    const current = this.currentVersionOf(entryId);
    return {
      renews: this.predecessorOf(entryId),
      renewedBy: this.successorsOf(entryId),
      currentVersion: current && current.id !== entryId ? current : null,
    };
  }

  private row(entryId: string): FactsRow | undefined {
    return this.sql.get(`SELECT ${FACTS_COLUMNS} FROM entries e WHERE e.id = ?`).get(entryId) as FactsRow | undefined;
  }

  /**
   * The predecessor among the entries naming at least one of the entry's names (a predecessor
   * names only those), read latest expiry first: once one qualifies, only its ties can beat it,
   * so a host renewed a hundred times costs a few rows, not a hundred.
   */
  private closestPredecessor(entry: LineageFacts): LineageFacts | null {
    const rows = this.sql
      .get(
        `SELECT DISTINCT ${FACTS_COLUMNS} FROM entry_names n JOIN entries e ON e.id = n.entry_id
         WHERE n.name IN (SELECT value FROM json_each(?)) AND e.not_after < ?
         ORDER BY e.not_after DESC`,
      )
      .iterate(JSON.stringify(entry.names), entry.notAfter) as IterableIterator<FactsRow>;
    let best: LineageFacts | null = null;
    for (const row of rows) {
      if (best && row.not_after < best.notAfter) break;
      best = choosePredecessor(entry, best ? [best, toFacts(row)] : [toFacts(row)]);
    }
    return best;
  }

  private setPredecessor(entryId: string, predecessor: LineageFacts | null): void {
    this.sql.get('UPDATE entries SET renews_id = ? WHERE id = ? AND renews_id IS NOT ?').run(predecessor?.id ?? null, entryId, predecessor?.id ?? null);
  }
}
