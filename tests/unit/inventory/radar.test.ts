import { describe, expect, it } from 'vitest';
import { radarGroups } from '../../../shared/inventory';
import { buildRadar, groupCounts, radarGroup, radarPage, type BindingsOf, type RadarPlace } from '../../../main/core/inventory/radar';
import type { RadarCopy, RadarEntry } from '../../../main/core/inventory/radar-source';

const now = new Date('2026-12-01T00:00:00Z');
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000 + 3_600_000).toISOString();

const entry = (id: string, days: number, currentVersion: RadarEntry['currentVersion'] = null, isCa = false): RadarEntry => ({
  id,
  isCa,
  name: `${id}.example`,
  commonName: `${id}.example`,
  firstDnsName: `${id}.example`,
  notAfter: inDays(days),
  currentVersion,
});

const copy = (account: string, remoteId: string, days: number | null, libraryId: string | null, fingerprint: string | null = null): RadarCopy => ({
  accountId: `id-${account}`,
  account,
  cloud: 'tencent',
  remoteId,
  name: null,
  commonName: `${remoteId}.remote`,
  firstDnsName: null,
  notAfter: days === null ? null : inDays(days),
  fingerprintSha256: fingerprint,
  libraryId,
});

/** Every copy bound to a CDN named after it; the places asked about are recorded. */
const asked: RadarPlace[][] = [];
const cdnBindings: BindingsOf = (places) => {
  asked.push([...places]);
  return (place) => [{ type: 'cdn', id: `${place.remoteId}.cdn`, name: `${place.remoteId}.cdn` }];
};

describe('radar groups', () => {
  it('splits expired / a week / the threshold / a quarter / later, the threshold from settings', () => {
    expect([-1, 0, 7, 8, 30, 31, 90, 91, null].map((d) => radarGroup(d, 30))).toEqual(['expired', 'week', 'week', 'soon', 'soon', 'quarter', 'quarter', 'later', 'later']);
    expect(radarGroup(45, 60)).toBe('soon');
    expect(radarGroup(45, 30)).toBe('quarter');
    // A threshold outside (7, 90) adds no group of its own.
    expect([3, 8, 60].map((d) => radarGroup(d, 5))).toEqual(['week', 'quarter', 'quarter']);
    expect(radarGroup(100, 120)).toBe('later');
  });
});

/** The whole radar at `now`, in one page. */
const radarAt = (entries: RadarEntry[], copies: RadarCopy[], thresholdDays = 30) =>
  radarPage(buildRadar({ entries, copies }), now, thresholdDays, 0, Number.MAX_SAFE_INTEGER, cdnBindings);

describe('buildRadar', () => {
  it('puts library entries and remote-only copies together, soonest expiry first, with urgent counted', () => {
    const radar = radarAt([entry('a', 20), entry('b', -3)], [copy('prod', 'r1', 5, null), copy('prod', 'r2', null, null)]);
    expect(radar.rows.map((row) => [row.key, row.group, row.daysLeft])).toEqual([
      ['library:b', 'expired', -3],
      ['remote:id-prod/r1', 'week', 5],
      ['library:a', 'soon', 20],
      ['remote:id-prod/r2', 'later', null],
    ]);
    expect(radar.urgent).toBe(2);
    expect(radar.thresholdDays).toBe(30);
    expect(radar.rows[1]).toMatchObject({ inLibrary: false, libraryId: null, name: 'r1.remote', importable: { accountId: 'id-prod', remoteId: 'r1' } });
  });

  it('gives a library entry every account holding it, with bindings, and one row per remote certificate across accounts', () => {
    const radar = radarAt([entry('a', 20)], [copy('prod', 'r1', 20, 'a'), copy('test', 'r9', 20, 'a'), copy('prod', 'x', 50, null, 'ff'), copy('test', 'y', 50, null, 'ff')]);
    expect(radar.rows).toHaveLength(2);
    expect(radar.rows[0]!.locations.map((l) => [l.account, l.remoteId, l.bindings[0]!.name])).toEqual([
      ['prod', 'r1', 'r1.cdn'],
      ['test', 'r9', 'r9.cdn'],
    ]);
    expect(radar.rows[1]).toMatchObject({ key: 'remote:ff', locations: [{ account: 'prod' }, { account: 'test' }], importable: { remoteId: 'x' } });
  });

  it('says "renewed locally, not yet deployed" on the accounts that hold an old version but not its renewal', () => {
    const renewal = { id: 'new', name: 'new.example', notAfter: inDays(400) };
    const radar = radarAt(
      [entry('old', 3, renewal), entry('new', 400), entry('older', -30, renewal)],
      [copy('prod', 'r-old', 3, 'old'), copy('test', 't-old', 3, 'old'), copy('test', 't-new', 400, 'new')],
    );
    const old = radar.rows.find((row) => row.libraryId === 'old')!;
    expect(old.locations.map((l) => [l.account, l.renewedLocally?.id ?? null])).toEqual([
      ['prod', 'new'],
      ['test', null],
    ]);
    // A renewed entry on no cloud needs nothing: it is not on the radar.
    expect(radar.rows.map((row) => row.libraryId)).toEqual(['old', 'new']);
  });
});

describe('the radar order', () => {
  it('is the same whatever order the entries and copies come in: soonest expiry, then name, then key', () => {
    // Ties on expiry (a batch issued together), names tied too, and remote rows between library rows.
    const entries = [entry('b', 5), entry('a', 5), { ...entry('a2', 5), name: 'a.example' }, entry('c', -2), entry('d', 40)];
    const copies = [copy('prod', 'r1', 5, null), copy('prod', 'r0', 40, null), copy('prod', 'r2', -9, null)];
    const expected = ['remote:id-prod/r2', 'library:c', 'library:a', 'library:a2', 'library:b', 'remote:id-prod/r1', 'library:d', 'remote:id-prod/r0'];
    for (let turn = 0; turn < entries.length; turn++) {
      const rotated = [...entries.slice(turn), ...entries.slice(0, turn)];
      for (const order of [rotated, [...rotated].reverse()]) {
        const index = buildRadar({ entries: order, copies: turn % 2 === 0 ? copies : [...copies].reverse() });
        expect(index.rows.map((row) => row.key)).toEqual(expected);
        expect(index.expiries).toEqual([...index.expiries].sort((x, y) => x - y));
      }
    }
  });
});

describe('radar rows that need nothing by themselves', () => {
  it('shows a CA certificate only while a cloud holds it, and a copy of an entry no longer in the library as remote-only', () => {
    const radar = radarAt([entry('ca', 100, null, true), entry('held-ca', 200, null, true)], [copy('prod', 'r-ca', 200, 'held-ca'), copy('prod', 'r-gone', 10, 'deleted')]);
    expect(radar.rows.map((row) => row.key)).toEqual(['remote:id-prod/r-gone', 'library:held-ca']);
  });
});

describe('radar pages', () => {
  // 400 certificates a few hours apart across 120 days either side, some without an expiry date.
  const entries = Array.from({ length: 300 }, (_, i) => ({ ...entry(`e${i}`, 0), notAfter: new Date(now.getTime() + ((i * 37) % 240 - 120) * 86_400_000 + (i % 24) * 3_600_000).toISOString() }));
  const copies = Array.from({ length: 100 }, (_, i) => copy('prod', `r${i}`, i % 10 === 0 ? null : ((i * 53) % 240) - 120, null));
  const index = buildRadar({ entries, copies });

  it('pages through the same rows the whole radar holds, in order, with the counts of every page the same', () => {
    const whole = radarPage(index, now, 30, 0, 1000, cdnBindings);
    const paged = [0, 64, 128, 192, 256, 320, 384].flatMap((offset) => radarPage(index, now, 30, offset, 64, cdnBindings).rows);
    expect(paged.map((row) => row.key)).toEqual(whole.rows.map((row) => row.key));
    expect(radarPage(index, now, 30, 384, 64, cdnBindings)).toMatchObject({ offset: 384, total: 400, counts: whole.counts });
    expect(radarPage(index, now, 30, 500, 64, cdnBindings).rows).toEqual([]);
    // What copies are bound to is read for the page's rows only.
    asked.length = 0;
    const last = radarPage(index, now, 30, 384, 64, cdnBindings);
    expect(asked).toEqual([last.rows.flatMap((row) => row.locations.map(({ bindings: _bindings, ...place }) => place))]);
    expect(radarPage(index, now, 30, 0, 0, cdnBindings)).toMatchObject({ rows: [], total: 400, urgent: whole.urgent });
  });

  it('counts each group as the rows say it, for any threshold and at any time of day, so the groups are contiguous ranges', () => {
    for (const thresholdDays of [5, 7, 8, 14, 30, 89, 90, 120]) {
      for (const hour of [0, 1, 5, 23]) {
        const at = new Date(now.getTime() + hour * 3_600_000 + 17);
        const { rows, counts, urgent } = radarPage(index, at, thresholdDays, 0, 1000, cdnBindings);
        const groups = rows.map((row) => row.group);
        const tally = Object.fromEntries(radarGroups.map((group) => [group, groups.filter((g) => g === group).length]));
        expect(counts, `threshold ${thresholdDays}, hour ${hour}`).toEqual(tally);
        expect(urgent).toBe(counts.expired + counts.week);
        const runs = groups.filter((group, i) => i === 0 || group !== groups[i - 1]);
        expect(runs).toEqual(radarGroups.filter((group) => counts[group] > 0));
      }
    }
  });

  it('puts a certificate expiring exactly at a day boundary in the group its days left say', () => {
    const edges = [-1, 0, 7, 8, 30, 31, 90, 91].map((days) => ({ ...entry(`edge${days}`, 0), notAfter: new Date(now.getTime() + days * 86_400_000).toISOString() }));
    const page = radarPage(buildRadar({ entries: edges, copies: [] }), now, 30, 0, 100, cdnBindings);
    expect(page.rows.map((row) => [row.daysLeft, row.group])).toEqual([
      [-1, 'expired'],
      [0, 'week'],
      [7, 'week'],
      [8, 'soon'],
      [30, 'soon'],
      [31, 'quarter'],
      [90, 'quarter'],
      [91, 'later'],
    ]);
    expect(page.counts).toEqual({ expired: 1, week: 2, soon: 2, quarter: 2, later: 1 });
    expect(groupCounts([], now, 30)).toEqual({ expired: 0, week: 0, soon: 0, quarter: 0, later: 0 });
  });
});
