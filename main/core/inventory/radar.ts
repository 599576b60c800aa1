import { radarGroups, type RadarGroup, type RadarLocation, type RadarPage, type RadarRow, type RemoteBindingView } from '../../../shared/inventory';
import type { EntryRef } from '../../../shared/library';
import type { RadarCopy, RadarEntry, RadarSource } from './radar-source';

// The expiry radar: every certificate the user owns, the library's and the clouds' together, one
// row per certificate. A library entry carries the copies matched to it; copies the library lacks
// are one row per certificate (per fingerprint, else per copy). An entry that needs nothing by
// itself (already renewed in the library, or a CA certificate) shows only while a cloud still
// holds it: that copy is the one to redeploy.
//
// The rows and their order do not depend on the clock (soonest expiry first), so they are built
// once per change of the database and served a window at a time; the groups are ranges of that
// order, found by binary search at the time of each request.

const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;
const QUARTER_DAYS = 90;

/** Whole days until `notAfter`, negative once it has passed (RFC 5280: valid through notAfter itself). */
export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);
}

/** The group of a certificate `days` whole days from expiry; `soon` only when the threshold lies between a week and a quarter. */
export function radarGroup(days: number | null, thresholdDays: number): RadarGroup {
  if (days === null) return 'later';
  if (days < 0) return 'expired';
  if (days <= WEEK_DAYS) return 'week';
  if (days <= thresholdDays && thresholdDays < QUARTER_DAYS) return 'soon';
  if (days <= QUARTER_DAYS) return 'quarter';
  return 'later';
}

/** What a remote copy is called when the library does not name it: its domain, else the cloud's name for it. */
export function copyName(copy: Pick<RadarCopy, 'commonName' | 'firstDnsName' | 'name' | 'remoteId'>): string {
  return copy.commonName ?? copy.firstDnsName ?? copy.name ?? copy.remoteId;
}

/** Where a row's certificate is, before what each copy is bound to is read (for the rows on screen only). */
export type RadarPlace = Omit<RadarLocation, 'bindings'>;

/** A row before the clock is applied and the bindings are read. */
export interface RadarRowBase extends Omit<RadarRow, 'daysLeft' | 'group' | 'locations'> {
  readonly places: readonly RadarPlace[];
}

/** Reads what the copies of a page are bound to, all in one go, and answers it copy by copy. */
export type BindingsOf = (places: readonly RadarPlace[]) => (place: RadarPlace) => readonly RemoteBindingView[];

export interface RadarIndex {
  /** Soonest expiry first; ties by name, then key, so the order never depends on the database. */
  readonly rows: readonly RadarRowBase[];
  /** Each row's expiry in ms since the epoch, ascending; +Infinity for a row without one. */
  readonly expiries: readonly number[];
}

export function buildRadar(source: RadarSource): RadarIndex {
  // The library entries the copies name, looked up entry by entry in the copies' ids: a set of
  // every entry's id would cost more than the rest of the build when copies are few.
  const named = namedEntries(source.copies);
  const known = new Set<string>();
  for (const entry of named.size > 0 ? source.entries : []) if (named.has(entry.id)) known.add(entry.id);
  const copies = radarCopies(source.copies, known);
  return withRemote(libraryRun(source.entries, copies), copies);
}

/** The ids of the library entries the copies were matched to. */
export function namedEntries(copies: readonly RadarCopy[]): Set<string> {
  return new Set(copies.flatMap((copy) => (copy.libraryId === null ? [] : [copy.libraryId])));
}

/** What the copies add to the radar: the copies of each library entry, and rows of their own for the copies the library lacks. */
export interface RadarCopies {
  readonly byEntry: ReadonlyMap<string, readonly RadarCopy[]>;
  /** account + entry id of every entry some account holds. */
  readonly held: ReadonlySet<string>;
  /** The rows of the copies the library lacks, in the radar's order. */
  readonly remote: RadarIndex;
}

/** `known`: the ids among the copies' library ids that are still in the library. */
export function radarCopies(copies: readonly RadarCopy[], known: ReadonlySet<string>): RadarCopies {
  const byEntry = new Map<string, RadarCopy[]>();
  const held = new Set<string>();
  const unmatched = new Map<string, RadarCopy[]>();
  for (const copy of copies) {
    if (copy.libraryId !== null && known.has(copy.libraryId)) {
      push(byEntry, copy.libraryId, copy);
      held.add(heldKey(copy.accountId, copy.libraryId));
    } else {
      push(unmatched, copy.fingerprintSha256 ?? `${copy.accountId}/${copy.remoteId}`, copy);
    }
  }
  const remote: Run = { rows: [], expiries: [] };
  for (const [key, same] of unmatched) {
    const first = same[0]!;
    remote.rows.push({
      key: `remote:${key}`,
      libraryId: null,
      name: copyName(first),
      commonName: first.commonName,
      notAfter: first.notAfter,
      inLibrary: false,
      places: same.map((copy) => placeOf(copy, null)),
      importable: { accountId: first.accountId, remoteId: first.remoteId },
    });
    remote.expiries.push(expiryOf(first.notAfter));
  }
  return { byEntry, held, remote: inOrder(remote) };
}

/** Whether a library entry is a row of its own: not when it needs nothing by itself and no cloud holds it. */
export function showsOnRadar(entry: Pick<RadarEntry, 'id' | 'isCa' | 'currentVersion'>, copies: RadarCopies): boolean {
  return !((entry.currentVersion || entry.isCa) && !copies.byEntry.has(entry.id));
}

/** The rows of these library entries, in their order (the database's, which is nearly always the radar's). */
export function libraryRun(entries: readonly RadarEntry[], copies: RadarCopies): RadarIndex {
  const library: Run = { rows: [], expiries: [] };
  for (const entry of entries) {
    if (!showsOnRadar(entry, copies)) continue;
    const onClouds = copies.byEntry.get(entry.id);
    const renewal = entry.currentVersion;
    library.rows.push({
      key: `library:${entry.id}`,
      libraryId: entry.id,
      name: entry.name,
      commonName: entry.commonName,
      notAfter: entry.notAfter,
      inLibrary: true,
      places: onClouds ? onClouds.map((copy) => placeOf(copy, renewal && !copies.held.has(heldKey(copy.accountId, renewal.id)) ? renewal : null)) : NO_PLACES,
      importable: null,
    });
    library.expiries.push(expiryOf(entry.notAfter));
  }
  return library;
}

/** The library's rows and the copies' own, as one radar. */
export function withRemote(library: RadarIndex, copies: RadarCopies): RadarIndex {
  return merged(inOrder(library), copies.remote);
}

/** Rows and their expiries as they are built. */
interface Run {
  readonly rows: RadarRowBase[];
  readonly expiries: number[];
}

/** A row that needs nothing and has no copies; shared, as most library entries are such rows. */
const NO_PLACES: readonly RadarPlace[] = [];

// Ties are common (a batch issued together expires together), so they are broken by plain code
// unit order: a locale collation of thousands of names costs more than the rest of the build.
function compareAt(a: RadarIndex, i: number, b: RadarIndex, j: number): number {
  return a.expiries[i]! - b.expiries[j]! || byCodeUnits(a.rows[i]!.name, b.rows[j]!.name) || byCodeUnits(a.rows[i]!.key, b.rows[j]!.key);
}

/**
 * The rows in the radar's order. The library's come in that order from the database
 * (readRadarSource), so this is one pass over them; anything else is sorted.
 */
function inOrder(part: RadarIndex): RadarIndex {
  let sorted = true;
  for (let i = 1; i < part.rows.length && sorted; i++) sorted = compareAt(part, i - 1, part, i) <= 0;
  if (sorted) return part;
  const order = part.rows.map((_, i) => i).sort((i, j) => compareAt(part, i, part, j));
  return { rows: order.map((i) => part.rows[i]!), expiries: order.map((i) => part.expiries[i]!) };
}

/** Two runs in the radar's order as one. */
export function merged(a: RadarIndex, b: RadarIndex): RadarIndex {
  if (b.rows.length === 0) return a;
  if (a.rows.length === 0) return b;
  const out: Run = { rows: [], expiries: [] };
  const take = (part: RadarIndex, at: number) => {
    out.rows.push(part.rows[at]!);
    out.expiries.push(part.expiries[at]!);
  };
  let i = 0;
  let j = 0;
  while (i < a.rows.length && j < b.rows.length) {
    if (compareAt(a, i, b, j) <= 0) take(a, i++);
    else take(b, j++);
  }
  while (i < a.rows.length) take(a, i++);
  while (j < b.rows.length) take(b, j++);
  return out;
}

function placesOf(rows: readonly RadarRowBase[]): RadarPlace[] {
  return rows.flatMap((row) => row.places);
}

/** The group counts at `now`, and `limit` rows from `offset` with their days left, group and bindings. */
export function radarPage(index: RadarIndex, now: Date, thresholdDays: number, offset: number, limit: number, bindingsOf: BindingsOf): Omit<RadarPage, 'revision'> {
  const window = { rows: index.rows.slice(offset, offset + limit), expiries: index.expiries.slice(offset, offset + limit) };
  return pageOf(window, { offset, total: index.rows.length, counts: groupCounts(index.expiries, now, thresholdDays) }, now, thresholdDays, bindingsOf);
}

/** Where a window of rows sits in the whole radar, and the whole radar's group counts. */
export interface RadarFrame {
  readonly offset: number;
  readonly total: number;
  readonly counts: Record<RadarGroup, number>;
}

/** A page of these rows (the radar's rows from `frame.offset`) with their days left, group and bindings. */
export function pageOf(window: RadarIndex, frame: RadarFrame, now: Date, thresholdDays: number, bindingsOf: BindingsOf): Omit<RadarPage, 'revision'> {
  const bindings = bindingsOf(placesOf(window.rows));
  const rows = window.rows.map(({ places, ...base }, i): RadarRow => {
    const expiry = window.expiries[i]!;
    const days = Number.isFinite(expiry) ? Math.floor((expiry - now.getTime()) / DAY_MS) : null;
    return { ...base, daysLeft: days, group: radarGroup(days, thresholdDays), locations: places.map((place) => ({ ...place, bindings: bindings(place) })) };
  });
  const { offset, total, counts } = frame;
  return { total, counts, thresholdDays, urgent: counts.expired + counts.week, offset, rows };
}

/** The groups that end at an instant, in the radar's order ('later' has no end). */
export type BoundedGroup = Exclude<RadarGroup, 'later'>;

/**
 * The instant each group ends, exclusive: a group of whole days up to N ends at the first instant
 * N + 1 days from now (daysLeft <= N exactly when notAfter < now + (N + 1) days).
 */
export function groupEnds(now: Date, thresholdDays: number): Record<BoundedGroup, number> {
  const endOf = (days: number) => now.getTime() + (days + 1) * DAY_MS;
  const soonEnds = thresholdDays > WEEK_DAYS && thresholdDays < QUARTER_DAYS;
  return { expired: now.getTime(), week: endOf(WEEK_DAYS), soon: endOf(soonEnds ? thresholdDays : WEEK_DAYS), quarter: endOf(QUARTER_DAYS) };
}

/** Rows per group, from how many rows expire before each group's end and how many there are in all. */
export function countsFrom(below: Record<BoundedGroup, number>, total: number): Record<RadarGroup, number> {
  const counts = {} as Record<RadarGroup, number>;
  let before = 0;
  for (const group of radarGroups) {
    const upTo = group === 'later' ? total : below[group];
    counts[group] = upTo - before;
    before = upTo;
  }
  return counts;
}

/** Rows per group, from the ascending expiries. */
export function groupCounts(expiries: readonly number[], now: Date, thresholdDays: number): Record<RadarGroup, number> {
  const ends = groupEnds(now, thresholdDays);
  return countsFrom(mapGroups(ends, (end) => countBelow(expiries, end)), expiries.length);
}

/** Each group's value turned into another. */
export function mapGroups<A, B>(values: Record<BoundedGroup, A>, map: (value: A, group: BoundedGroup) => B): Record<BoundedGroup, B> {
  return { expired: map(values.expired, 'expired'), week: map(values.week, 'week'), soon: map(values.soon, 'soon'), quarter: map(values.quarter, 'quarter') };
}

/** How many of the ascending `values` are below `limit`. */
export function countBelow(values: readonly number[], limit: number): number {
  let low = 0;
  let high = values.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (values[middle]! < limit) low = middle + 1;
    else high = middle;
  }
  return low;
}

/** An unreadable or missing expiry sorts last, with the rows that have none. */
export function expiryOf(notAfter: string | null): number {
  const ms = notAfter === null ? Number.NaN : Date.parse(notAfter);
  return Number.isNaN(ms) ? Number.POSITIVE_INFINITY : ms;
}

function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function push<T>(map: Map<string, T[]>, key: string, value: T): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function heldKey(accountId: string, libraryId: string): string {
  return `${accountId}\u0000${libraryId}`;
}

function placeOf(copy: RadarCopy, renewedLocally: EntryRef | null): RadarPlace {
  return { accountId: copy.accountId, account: copy.account, cloud: copy.cloud, remoteId: copy.remoteId, renewedLocally };
}
