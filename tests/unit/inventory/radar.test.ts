import { describe, expect, it } from 'vitest';
import type { RemoteCopyView } from '../../../shared/inventory';
import { buildRadar, radarGroup, type RadarEntry } from '../../../main/core/inventory/radar';

const now = new Date('2026-12-01T00:00:00Z');
const inDays = (days: number) => new Date(now.getTime() + days * 86_400_000 + 3_600_000).toISOString();

const entry = (id: string, days: number, currentVersion: RadarEntry['currentVersion'] = null): RadarEntry => ({
  id,
  name: `${id}.example`,
  commonName: `${id}.example`,
  dnsNames: [`${id}.example`],
  notAfter: inDays(days),
  currentVersion,
});

const copy = (account: string, remoteId: string, days: number | null, libraryId: string | null, fingerprint: string | null = null): RemoteCopyView => ({
  accountId: `id-${account}`,
  account,
  cloud: 'tencent',
  remoteId,
  name: null,
  commonName: `${remoteId}.remote`,
  dnsNames: [],
  notBefore: null,
  notAfter: days === null ? null : inDays(days),
  fingerprintSha256: fingerprint,
  serial: null,
  issuer: null,
  libraryId,
  matchedBy: libraryId ? 'fingerprint' : null,
  syncedAt: now.toISOString(),
  bindings: [{ type: 'cdn', id: `${remoteId}.cdn`, name: `${remoteId}.cdn` }],
});

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

describe('buildRadar', () => {
  it('puts library entries and remote-only copies together, soonest expiry first, with urgent counted', () => {
    const radar = buildRadar([entry('a', 20), entry('b', -3)], [copy('prod', 'r1', 5, null), copy('prod', 'r2', null, null)], now, 30);
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
    const radar = buildRadar([entry('a', 20)], [copy('prod', 'r1', 20, 'a'), copy('test', 'r9', 20, 'a'), copy('prod', 'x', 50, null, 'ff'), copy('test', 'y', 50, null, 'ff')], now, 30);
    expect(radar.rows).toHaveLength(2);
    expect(radar.rows[0]!.locations.map((l) => [l.account, l.remoteId, l.bindings[0]!.name])).toEqual([
      ['prod', 'r1', 'r1.cdn'],
      ['test', 'r9', 'r9.cdn'],
    ]);
    expect(radar.rows[1]).toMatchObject({ key: 'remote:ff', locations: [{ account: 'prod' }, { account: 'test' }], importable: { remoteId: 'x' } });
  });

  it('says "renewed locally, not yet deployed" on the accounts that hold an old version but not its renewal', () => {
    const renewal = { id: 'new', name: 'new.example', notAfter: inDays(400) };
    const radar = buildRadar(
      [entry('old', 3, renewal), entry('new', 400), entry('older', -30, renewal)],
      [copy('prod', 'r-old', 3, 'old'), copy('test', 't-old', 3, 'old'), copy('test', 't-new', 400, 'new')],
      now,
      30,
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
