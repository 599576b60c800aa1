import type { RemoteBindingView } from '../../../shared/inventory';
import type { EntryRef } from '../../../shared/library';
import type { CloudId } from '../../../shared/model';
import { firstJsonElement, nocase } from '../db/dialect-sql';
import type { VaultDb } from '../db/vault-db';

// What the expiry radar is made of, read in three queries (the library's tables read directly, as
// the radar needs only a few columns of each entry): every library entry, the entries that renew
// another (to find the newest renewal down each lineage), and every remote copy the last syncs
// recorded. Only what orders, groups and names a certificate is read for all of them; what a copy
// is bound to is read for the rows on screen only (readBindings). The Overview's rows, the alerts and `certvault expiring`
// are all computed from this.

/** A library entry as the radar needs it. */
export interface RadarEntry {
  readonly id: string;
  readonly name: string;
  readonly commonName: string | null;
  readonly firstDnsName: string | null;
  readonly notAfter: string;
  /** A CA certificate is not something the user renews: it alerts nothing and shows only while a cloud holds it. */
  readonly isCa: boolean;
  /** The newest renewal down its lineage; null when the entry is itself the newest. */
  readonly currentVersion: EntryRef | null;
}

/** A remote copy as the radar needs it (its bindings come from readBindings). */
export interface RadarCopy {
  readonly accountId: string;
  readonly account: string;
  readonly cloud: CloudId;
  readonly remoteId: string;
  /** The cloud's own name for it. */
  readonly name: string | null;
  readonly commonName: string | null;
  readonly firstDnsName: string | null;
  readonly notAfter: string | null;
  readonly fingerprintSha256: string | null;
  readonly libraryId: string | null;
}

export interface RadarSource {
  /** Soonest expiry first, then by name and id (the radar's order, so building it sorts nothing). */
  readonly entries: readonly RadarEntry[];
  readonly copies: readonly RadarCopy[];
}

interface EntryRow {
  readonly id: string;
  readonly name: string;
  readonly common_name: string | null;
  readonly first_dns: string | null;
  readonly not_after: string;
  readonly is_ca: number;
}

/** An entry that renews another, with what Lineage orders renewals by. */
interface RenewalRow {
  readonly id: string;
  readonly name: string;
  readonly not_after: string;
  readonly not_before: string;
  readonly fingerprint_sha256: string;
  readonly renews_id: string;
}

export async function readRadarSource(vault: VaultDb): Promise<RadarSource> {
  const current = await readLineages(vault);
  const entries = await readEntriesAfter(vault, null, null, current);
  return { entries, copies: await readCopies(vault) };
}

/**
 * Library entries in the radar's order (soonest expiry, then name, then id), after `after` (from
 * the first when null), `limit` of them (all when null). On SQLite from one covering index
 * (entries_radar, migration 11): a scan or a seek into a narrow B-tree instead of every wide row,
 * and rows that buildRadar then finds already sorted.
 */
export async function readEntriesAfter(
  vault: VaultDb,
  after: Pick<RadarEntry, 'notAfter' | 'name' | 'id'> | null,
  limit: number | null,
  current: ReadonlyMap<string, EntryRef>,
): Promise<RadarEntry[]> {
  const { db, engine } = vault;
  let query = db
    .selectFrom('entries')
    .select(['id', 'name', 'common_name', firstJsonElement(engine, 'dns_names').as('first_dns'), 'not_after', 'is_ca'])
    .orderBy('not_after')
    .orderBy('name')
    .orderBy('id');
  // A row value compared as a whole, so the seek lands in the index at the last row read.
  if (after) query = query.where((eb) => eb(eb.refTuple('not_after', 'name', 'id'), '>', eb.tuple(after.notAfter, after.name, after.id)));
  if (limit !== null) query = query.limit(limit);
  const rows: readonly EntryRow[] = await query.execute();
  return rows.map(
    (row): RadarEntry => ({
      id: row.id,
      name: row.name,
      commonName: row.common_name,
      firstDnsName: row.first_dns,
      notAfter: row.not_after,
      isCa: row.is_ca === 1,
      currentVersion: current.get(row.id) ?? null,
    }),
  );
}

/** Entry id -> the newest entry down its lineage, for the entries something renews. */
export async function readLineages(vault: VaultDb): Promise<Map<string, EntryRef>> {
  // Only the entries that renew another take part in a lineage. `> ''` rather than IS NOT NULL (ids
  // are never empty): SQLite's planner seeks entries_renews for a range but scans the table for IS NOT NULL.
  const renewals: readonly RenewalRow[] = await vault.db
    .selectFrom('entries')
    .select(['id', 'name', 'not_after', 'not_before', 'fingerprint_sha256', 'renews_id'])
    .where('renews_id', '>', '')
    .$narrowType<{ renews_id: string }>()
    .execute();
  return currentVersions(renewals);
}

/**
 * The entries that show on the radar only while a cloud holds them: CA certificates and entries a
 * newer one renews (`current`). Few in a library of leaves, and read by index (entries_by_is_ca, the primary key).
 */
export async function readSetAside(vault: VaultDb, current: ReadonlyMap<string, EntryRef>): Promise<Pick<RadarEntry, 'id' | 'notAfter' | 'isCa' | 'currentVersion'>[]> {
  const cas = await vault.db.selectFrom('entries').select(['id', 'not_after']).where('is_ca', '=', 1).execute();
  const renewed = await inBatches([...current.keys()], (ids) => vault.db.selectFrom('entries').select(['id', 'not_after']).where('id', 'in', ids).where('is_ca', '=', 0).execute());
  return [...cas.map((row) => ({ ...row, isCa: true })), ...renewed.map((row) => ({ ...row, isCa: false }))].map((row) => ({
    id: row.id,
    notAfter: row.not_after,
    isCa: row.isCa,
    currentVersion: current.get(row.id) ?? null,
  }));
}

/** Which of these entry ids are in the library. */
export async function readKnownEntries(vault: VaultDb, ids: ReadonlySet<string>): Promise<Set<string>> {
  const rows = await inBatches([...ids], (batch) => vault.db.selectFrom('entries').select('id').where('id', 'in', batch).execute());
  return new Set(rows.map((row) => row.id));
}

/**
 * How many library entries expire before each of these instants (ISO 8601 UTC, compared as text as
 * the column is stored and sorted), and how many there are: a count of a range of the not_after
 * index per instant (a subquery each, as one pass testing every row for every instant costs more).
 */
export async function readLibraryBelow<K extends string>(vault: VaultDb, instants: Record<K, string>): Promise<{ readonly below: Record<K, number>; readonly total: number }> {
  const keys = Object.keys(instants) as K[];
  const row = await vault.db
    .selectNoFrom((eb) => [
      eb.selectFrom('entries').select(eb.fn.countAll<number | string>().as('n')).as('total'),
      ...keys.map((key, i) => eb.selectFrom('entries').select(eb.fn.countAll<number | string>().as('n')).where('not_after', '<', instants[key]).as(`below${i}`)),
    ])
    .executeTakeFirstOrThrow();
  const counted = row as unknown as Record<string, number | string>;
  const below = {} as Record<K, number>;
  keys.forEach((key, i) => (below[key] = Number(counted[`below${i}`])));
  return { below, total: Number(counted.total) };
}

/** Every copy the last syncs recorded, as the radar needs it. */
export async function readCopies(vault: VaultDb): Promise<RadarCopy[]> {
  const { db, engine } = vault;
  const copyRows = await db
    .selectFrom('remote_copies as c')
    .innerJoin('cloud_accounts as a', 'a.id', 'c.account_id')
    .select([
      'c.account_id',
      'a.name as account',
      'c.cloud',
      'c.remote_id',
      'c.name',
      'c.common_name',
      firstJsonElement(engine, 'c.dns_names').as('first_dns'),
      'c.not_after',
      'c.fingerprint_sha256',
      'c.library_id',
    ])
    .orderBy(nocase(engine, 'a.name'))
    // SQLite's order for NULLs, asked for explicitly: PostgreSQL puts them last by default.
    .orderBy('c.not_after', (order) => order.asc().nullsFirst())
    .orderBy('c.remote_id')
    .execute();
  return copyRows.map(
    (row): RadarCopy => ({
      accountId: row.account_id,
      account: row.account,
      cloud: row.cloud as CloudId,
      remoteId: row.remote_id,
      name: row.name,
      commonName: row.common_name,
      firstDnsName: row.first_dns,
      notAfter: row.not_after,
      fingerprintSha256: row.fingerprint_sha256,
      libraryId: row.library_id,
    }),
  );
}

/** Ids per IN list: far under either engine's parameter limit. */
const ID_BATCH = 500;

async function inBatches<T>(ids: readonly string[], read: (batch: string[]) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < ids.length; start += ID_BATCH) out.push(...(await read(ids.slice(start, start + ID_BATCH))));
  return out;
}

/** The key of one copy in readBindings' answer. */
export function copyKey(accountId: string, remoteId: string): string {
  return `${accountId}\u0000${remoteId}`;
}

/** Copies per bindings query: a page's worth, far under either engine's parameter limit. */
const BINDINGS_BATCH = 500;

/** What each of these copies is bound to, in the order its sync recorded; copies bound to nothing are absent. */
export async function readBindings(
  vault: VaultDb,
  copies: readonly { readonly accountId: string; readonly remoteId: string }[],
): Promise<Map<string, RemoteBindingView[]>> {
  const bindings = new Map<string, RemoteBindingView[]>();
  if (copies.length === 0) return bindings;
  for (let start = 0; start < copies.length; start += BINDINGS_BATCH) {
    const wanted = copies.slice(start, start + BINDINGS_BATCH);
    // Row values, (a, b) IN ((?, ?), ...), on both engines (SQLite 3.15+): the leading columns of the bindings' primary key.
    const rows = await vault.db
      .selectFrom('remote_bindings')
      .select(['account_id', 'remote_id', 'type', 'resource_id', 'name'])
      .where((eb) => eb(eb.refTuple('account_id', 'remote_id'), 'in', wanted.map((copy) => eb.tuple(copy.accountId, copy.remoteId))))
      .orderBy('account_id')
      .orderBy('remote_id')
      .orderBy('position')
      .execute();
    for (const row of rows) {
      const key = copyKey(row.account_id, row.remote_id);
      const list = bindings.get(key) ?? [];
      list.push({ type: row.type, id: row.resource_id, name: row.name });
      bindings.set(key, list);
    }
  }
  return bindings;
}

/**
 * Entry id -> the newest entry down its lineage, for the entries something renews. Follows the
 * stored links (entries.renews_id) in memory, choosing at each step the successor Lineage.successorsOf
 * lists first (latest expiry, then latest start, then smallest fingerprint), as
 * Lineage.currentVersionOf does with a few queries per entry.
 */
function currentVersions(renewals: readonly RenewalRow[]): Map<string, EntryRef> {
  const successor = new Map<string, RenewalRow>();
  for (const row of renewals) {
    const chosen = successor.get(row.renews_id);
    if (!chosen || listsFirst(row, chosen)) successor.set(row.renews_id, row);
  }
  const newest = new Map<string, EntryRef>();
  for (const id of successor.keys()) {
    let last = successor.get(id)!;
    const seen = new Set([id, last.id]);
    for (let next = successor.get(last.id); next && !seen.has(next.id); next = successor.get(last.id)) {
      seen.add(next.id);
      last = next;
    }
    newest.set(id, { id: last.id, name: last.name, notAfter: last.not_after });
  }
  return newest;
}

function listsFirst(a: RenewalRow, b: RenewalRow): boolean {
  if (a.not_after !== b.not_after) return a.not_after > b.not_after;
  if (a.not_before !== b.not_before) return a.not_before > b.not_before;
  return a.fingerprint_sha256 < b.fingerprint_sha256;
}
