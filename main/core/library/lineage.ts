import type { Kysely } from 'kysely';
import type { EntryRef, EntryLineage } from '../../../shared/library';
import type { KeyAlgorithm } from '../../../shared/model';
import { prepared, preparedRows, type Prepared } from '../db/prepared';
import type { VaultTables } from '../db/tables';
import type { VaultDb } from '../db/vault-db';

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

/** What linking reads of an entry: its columns of these names. */
export interface FactsRow {
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

type Db = Kysely<VaultTables>;

/** Rows read at a time, latest expiry first: the closest predecessor is almost always on the first page. */
const PREDECESSOR_PAGE = 16;

const FACTS_COLUMNS = ['e.id', 'e.key_algorithm', 'e.is_ca', 'e.common_name', 'e.dns_names', 'e.not_after', 'e.not_before', 'e.fingerprint_sha256', 'e.renews_id', 'e.name'] as const;

// What linking runs for every imported entry, compiled once (db/prepared.ts).
const FACTS_BY_ID = prepared((db, p: { id: string }) => db.selectFrom('entries as e').select(FACTS_COLUMNS).where('e.id', '=', p.id));
/** The names of a batch's new entries, one statement for all of them (db/prepared.ts). */
const INSERT_NAMES = preparedRows(['name', 'entry_id'], (db, rows: { name: string; entry_id: string }[]) =>
  db.insertInto('entry_names').values(rows).onConflict((c) => c.doNothing()),
);
/** Which of these names more than one entry holds: only an entry sharing a name can renew or be renewed. */
const SHARED_NAMES = preparedRows(['name'], (db, rows: { name: string }[]) =>
  db
    .selectFrom('entry_names')
    .select('name')
    .where('name', 'in', rows.map((row) => row.name))
    .groupBy('name')
    .having((eb) => eb.fn.countAll(), '>', 1),
);

function namesParameters(names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((name, i) => [`name${i}`, name]));
}
const RENEWALS_OF = prepared((db, p: { name: string; notAfter: string }) =>
  db.selectFrom('entry_names as n').innerJoin('entries as e', 'e.id', 'n.entry_id').select(FACTS_COLUMNS).where('n.name', '=', p.name).where('e.not_after', '>', p.notAfter),
);
const SET_PREDECESSOR = prepared((db, p: { id: string; predecessor: string }) =>
  db
    .updateTable('entries')
    .set({ renews_id: p.predecessor })
    .where('id', '=', p.id)
    .where((eb) => eb.or([eb('renews_id', 'is', null), eb('renews_id', '!=', p.predecessor)])),
);
const CLEAR_PREDECESSOR = prepared((db, p: { id: string }) => db.updateTable('entries').set({ renews_id: null }).where('id', '=', p.id).where('renews_id', 'is not', null));
/** Per number of names (a certificate names a few): the page of candidates naming any of them. */
const predecessorPages = new Map<number, Prepared<Record<string, string | number>, FactsRow>>();

function predecessorPage(names: number): Prepared<Record<string, string | number>, FactsRow> {
  let page = predecessorPages.get(names);
  if (!page) {
    page = prepared((db, p: Record<string, string | number>) =>
      db
        .selectFrom('entry_names as n')
        .innerJoin('entries as e', 'e.id', 'n.entry_id')
        .select(FACTS_COLUMNS)
        .distinct()
        .where('n.name', 'in', Array.from({ length: names }, (_, i) => p[`name${i}`] as string))
        .where('e.not_after', '<', p.notAfter as string)
        .orderBy('e.not_after', 'desc')
        .orderBy('e.id')
        .limit(PREDECESSOR_PAGE)
        .offset(p.offset as number),
    );
    predecessorPages.set(names, page);
  }
  return page;
}

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

/**
 * The lineage links in the database: kept on insert and delete (inside the entry's write
 * transaction, `trx`), read by the library, the CLI and the deployment plan.
 */
export class Lineage {
  constructor(private readonly vault: Pick<VaultDb, 'db' | 'engine'>) {}

  /**
   * Links a newly stored entry: to its predecessor, and as the predecessor of the entries that
   * renew it more closely than what they were linked to (an older certificate imported after its
   * renewal). Runs inside the entry's write transaction.
   */
  async linkNew(trx: Db, row: FactsRow): Promise<void> {
    await this.linkNewMany(trx, [row]);
  }

  /**
   * linkNew for entries stored together (a batch of an import): their names in one statement,
   * then each linked. Linking once all are stored gives the links that storing and linking one at
   * a time gives: an entry's predecessor is the closest among all the entries whichever came
   * first (the rule above does not depend on order), and one linked before its renewal was stored
   * is relinked when that renewal is linked, as when it came first.
   */
  async linkNewMany(trx: Db, rows: readonly FactsRow[]): Promise<void> {
    const named = rows.map((row) => ({ row, entry: toFacts(row) })).filter(({ entry }) => entry.names.length > 0);
    if (named.length === 0) return;
    await INSERT_NAMES(trx, this.vault.engine, named.flatMap(({ row, entry }) => entry.names.map((name) => ({ name, entry_id: row.id }))));
    // A predecessor names some of the entry's names, a renewal all of them: an entry whose names
    // no other entry holds (most of an import of new certificates) has neither, and is not looked up.
    const names = [...new Set(named.flatMap(({ entry }) => entry.names))].map((name) => ({ name }));
    const shared = new Set((await SHARED_NAMES(trx, this.vault.engine, names)).map((row) => row.name));
    for (const { row, entry } of named) if (entry.names.some((name) => shared.has(name))) await this.link(trx, row, entry);
  }

  private async link(trx: Db, row: FactsRow, entry: LineageFacts): Promise<void> {
    const entryId = row.id;
    const predecessor = await this.closestPredecessor(trx, entry);
    // A new entry links to nothing yet: nothing to clear when no predecessor is found.
    if (predecessor || row.renews_id !== null) await this.setPredecessor(trx, entryId, predecessor);
    // A renewal names every name its predecessor names, the first one included.
    const { rows: renewals } = await RENEWALS_OF(trx, this.vault.engine, { name: entry.names[0]!, notAfter: entry.notAfter });
    for (const renewal of renewals) {
      const facts = toFacts(renewal);
      if (!isRenewalOf(facts, entry)) continue;
      const current = renewal.renews_id ? await this.row(trx, renewal.renews_id) : undefined;
      if (!current || closerPredecessor(toFacts(current), entry) === entry) await this.setPredecessor(trx, renewal.id, entry);
    }
  }

  /**
   * Deletes an entry's links before the entry itself: what renewed it is linked to the next
   * closest predecessor instead, so deleting the middle of a lineage keeps it whole.
   */
  async unlinkForRemoval(trx: Db, entryId: string): Promise<void> {
    const orphans = await trx.selectFrom('entries as e').select(FACTS_COLUMNS).where('e.renews_id', '=', entryId).execute();
    if (orphans.length === 0) return;
    await trx.updateTable('entries').set({ renews_id: null }).where('renews_id', '=', entryId).execute();
    await trx.deleteFrom('entry_names').where('entry_id', '=', entryId).execute();
    for (const orphan of orphans) await this.setPredecessor(trx, orphan.id, await this.closestPredecessor(trx, toFacts(orphan)));
  }

  async predecessorOf(entryId: string): Promise<EntryRef | null> {
    const row = await this.vault.db
      .selectFrom('entries as e')
      .select(FACTS_COLUMNS)
      .where('e.id', '=', (eb) => eb.selectFrom('entries').select('renews_id').where('id', '=', entryId))
      .executeTakeFirst();
    return row ? toRef(row) : null;
  }

  /** The entries that renew this one, latest expiry first (usually one; two when a renewal split). */
  async successorsOf(entryId: string): Promise<EntryRef[]> {
    const rows = await this.vault.db
      .selectFrom('entries as e')
      .select(FACTS_COLUMNS)
      .where('e.renews_id', '=', entryId)
      .orderBy('e.not_after', 'desc')
      .orderBy('e.not_before', 'desc')
      .orderBy('e.fingerprint_sha256')
      .execute();
    return rows.map(toRef);
  }

  /** The newest renewal of the entry, following the latest successor at each step; itself when none. */
  async currentVersionOf(entryId: string): Promise<EntryRef | null> {
    const start = await this.row(this.vault.db, entryId);
    if (!start) return null;
    let current = toRef(start);
    const seen = new Set([current.id]);
    for (let next = (await this.successorsOf(current.id))[0]; next && !seen.has(next.id); next = (await this.successorsOf(current.id))[0]) {
      seen.add(next.id);
      current = next;
    }
    return current;
  }

  async of(entryId: string): Promise<EntryLineage> {
    const current = await this.currentVersionOf(entryId);
    return {
      renews: await this.predecessorOf(entryId),
      renewedBy: await this.successorsOf(entryId),
      currentVersion: current && current.id !== entryId ? current : null,
    };
  }

  private async row(db: Db, entryId: string): Promise<FactsRow | undefined> {
    return (await FACTS_BY_ID(db, this.vault.engine, { id: entryId })).rows[0];
  }

  /**
   * The predecessor among the entries naming at least one of the entry's names (a predecessor
   * names only those), read latest expiry first: once one qualifies, only its ties can beat it,
   * so a host renewed a hundred times costs a few rows, not a hundred.
   */
  private async closestPredecessor(trx: Db, entry: LineageFacts): Promise<LineageFacts | null> {
    const query = predecessorPage(entry.names.length);
    const names = namesParameters(entry.names);
    const page = async (offset: number) => (await query(trx, this.vault.engine, { ...names, notAfter: entry.notAfter, offset })).rows;
    let best: LineageFacts | null = null;
    for (let offset = 0; ; offset += PREDECESSOR_PAGE) {
      const rows = await page(offset);
      for (const row of rows) {
        if (best && row.not_after < best.notAfter) return best;
        best = choosePredecessor(entry, best ? [best, toFacts(row)] : [toFacts(row)]);
      }
      if (rows.length < PREDECESSOR_PAGE) return best;
    }
  }

  private async setPredecessor(trx: Db, entryId: string, predecessor: LineageFacts | null): Promise<void> {
    // Only when it changes: renews_id is indexed, and an UPDATE rewrites the index entry anyway.
    if (predecessor) await SET_PREDECESSOR(trx, this.vault.engine, { id: entryId, predecessor: predecessor.id });
    else await CLEAR_PREDECESSOR(trx, this.vault.engine, { id: entryId });
  }
}
