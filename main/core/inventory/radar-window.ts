import type { EntryRef } from '../../../shared/library';
import type { VaultDb } from '../db/vault-db';
import {
  countBelow,
  countsFrom,
  expiryOf,
  groupEnds,
  libraryRun,
  mapGroups,
  namedEntries,
  radarCopies,
  showsOnRadar,
  withRemote,
  type RadarCopies,
  type RadarFrame,
  type RadarIndex,
} from './radar';
import { readCopies, readEntriesAfter, readKnownEntries, readLibraryBelow, readLineages, readSetAside, type RadarEntry } from './radar-source';

// The radar without holding the whole library in the JavaScript heap at once: the first rows of
// its order and its exact group counts answered from the database's indexes (what the Overview
// asks for first, at the app's start and after a change), and the whole radar read a chunk at a
// time, yielding between chunks so the requests of the screen on show are answered in between.

/** Library entries read per chunk of the whole radar: about 10 ms of the main thread each at 100,000. */
const CHUNK = 2_000;

/** The copies and lineages every way of reading the radar starts from: small, read whole. */
async function readCopiesPart(vault: VaultDb): Promise<{ readonly copies: RadarCopies; readonly current: ReadonlyMap<string, EntryRef> }> {
  const current = await readLineages(vault);
  const copyList = await readCopies(vault);
  return { copies: radarCopies(copyList, await readKnownEntries(vault, namedEntries(copyList))), current };
}

/** The whole radar, as buildRadar makes it from readRadarSource, read `CHUNK` entries at a time. */
export async function buildRadarInChunks(vault: VaultDb, chunk = CHUNK): Promise<RadarIndex> {
  const { copies, current } = await readCopiesPart(vault);
  const rows: RadarIndex['rows'][number][] = [];
  const expiries: number[] = [];
  for (let after: RadarEntry | null = null; ; ) {
    const entries = await readEntriesAfter(vault, after, chunk, current);
    const run = libraryRun(entries, copies);
    for (let i = 0; i < run.rows.length; i++) {
      rows.push(run.rows[i]!);
      expiries.push(run.expiries[i]!);
    }
    if (entries.length < chunk) break;
    after = entries[entries.length - 1]!;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return withRemote({ rows, expiries }, copies);
}

/** A window of the radar's rows and where it sits in the whole radar. */
export interface RadarWindow {
  readonly window: RadarIndex;
  readonly frame: RadarFrame;
}

/**
 * `limit` rows from `offset` and the group counts at `now`, equal to those of the whole radar,
 * reading only the first `offset + limit` shown entries in order (a seek into entries_radar) and
 * counting the rest from the not_after index. Meant for the first pages: the read grows with `offset`.
 */
export async function radarWindow(vault: VaultDb, now: Date, thresholdDays: number, offset: number, limit: number): Promise<RadarWindow> {
  const { copies, current } = await readCopiesPart(vault);
  const wanted = offset + limit;
  const library: { rows: RadarIndex['rows'][number][]; expiries: number[] } = { rows: [], expiries: [] };
  // Entries set aside (CA certificates, renewed ones) take no row, so a read may fall short: read on.
  for (let after: RadarEntry | null = null; library.rows.length < wanted; ) {
    const size = Math.max(wanted - library.rows.length, 64);
    const entries = await readEntriesAfter(vault, after, size, current);
    const run = libraryRun(entries, copies);
    library.rows.push(...run.rows);
    library.expiries.push(...run.expiries);
    if (entries.length < size) break;
    after = entries[entries.length - 1]!;
  }
  // The first `wanted` library rows and every remote row hold the first `wanted` rows of the radar.
  const first = withRemote(library, copies);
  const window = { rows: first.rows.slice(offset, wanted), expiries: first.expiries.slice(offset, wanted) };
  return { window, frame: await radarFrame(vault, copies, current, now, thresholdDays, offset) };
}

/** The whole radar's size and group counts: the library's counted by the database, less the entries that take no row, plus the copies' own rows. */
async function radarFrame(vault: VaultDb, copies: RadarCopies, current: ReadonlyMap<string, EntryRef>, now: Date, thresholdDays: number, offset: number): Promise<RadarFrame> {
  const ends = groupEnds(now, thresholdDays);
  const library = await readLibraryBelow(vault, mapGroups(ends, (end) => new Date(end).toISOString()));
  const hidden = (await readSetAside(vault, current)).filter((entry) => !showsOnRadar(entry, copies)).map((entry) => expiryOf(entry.notAfter));
  const below = mapGroups(ends, (end, group) => library.below[group] - hidden.filter((expiry) => expiry < end).length + countBelow(copies.remote.expiries, end));
  const total = library.total - hidden.length + copies.remote.rows.length;
  return { offset, total, counts: countsFrom(below, total) };
}
