import type { RadarGroup, RadarLocation, RadarOverview, RadarRow, RemoteCopyView } from '../../../shared/inventory';
import type { EntryRef } from '../../../shared/library';

// The expiry radar: every certificate the user owns, the library's and the clouds' together, one
// row per certificate. A library entry carries the copies matched to it; copies the library lacks
// are one row per certificate (per fingerprint, else per copy). An entry already renewed in the
// library shows only while an old copy of it is still on a cloud: that is the one to redeploy.

const DAY_MS = 86_400_000;
const WEEK_DAYS = 7;
const QUARTER_DAYS = 90;

/** A library entry as the radar needs it. */
export interface RadarEntry {
  readonly id: string;
  readonly name: string;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly notAfter: string;
  /** The newest renewal down its lineage; null when the entry is itself the newest. */
  readonly currentVersion: EntryRef | null;
}

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

export function buildRadar(entries: readonly RadarEntry[], copies: readonly RemoteCopyView[], now: Date, thresholdDays: number): RadarOverview {
  const byEntry = new Map<string, RemoteCopyView[]>();
  const held = new Set<string>();
  const unmatched = new Map<string, RemoteCopyView[]>();
  for (const copy of copies) {
    if (copy.libraryId) {
      byEntry.set(copy.libraryId, [...(byEntry.get(copy.libraryId) ?? []), copy]);
      held.add(heldKey(copy.accountId, copy.libraryId));
    } else {
      const key = copy.fingerprintSha256 ?? `${copy.accountId}/${copy.remoteId}`;
      unmatched.set(key, [...(unmatched.get(key) ?? []), copy]);
    }
  }
  const row = (base: Omit<RadarRow, 'daysLeft' | 'group'>): RadarRow => {
    const days = base.notAfter === null ? null : daysLeft(base.notAfter, now);
    return { ...base, daysLeft: days, group: radarGroup(days, thresholdDays) };
  };
  const rows: RadarRow[] = [];
  for (const entry of entries) {
    const onClouds = byEntry.get(entry.id) ?? [];
    if (entry.currentVersion && onClouds.length === 0) continue;
    const renewal = entry.currentVersion;
    rows.push(
      row({
        key: `library:${entry.id}`,
        libraryId: entry.id,
        name: entry.name,
        commonName: entry.commonName,
        dnsNames: entry.dnsNames,
        notAfter: entry.notAfter,
        inLibrary: true,
        locations: onClouds.map((copy) => locationOf(copy, renewal && !held.has(heldKey(copy.accountId, renewal.id)) ? renewal : null)),
        importable: null,
      }),
    );
  }
  for (const [key, same] of unmatched) {
    const first = same[0]!;
    rows.push(
      row({
        key: `remote:${key}`,
        libraryId: null,
        name: first.commonName ?? first.name ?? first.dnsNames[0] ?? first.remoteId,
        commonName: first.commonName,
        dnsNames: first.dnsNames,
        notAfter: first.notAfter,
        inLibrary: false,
        locations: same.map((copy) => locationOf(copy, null)),
        importable: { accountId: first.accountId, remoteId: first.remoteId },
      }),
    );
  }
  const expiry = new Map(rows.map((r) => [r, r.notAfter === null ? Number.POSITIVE_INFINITY : Date.parse(r.notAfter)]));
  rows.sort((a, b) => expiry.get(a)! - expiry.get(b)! || a.name.localeCompare(b.name) || a.key.localeCompare(b.key));
  const urgent = rows.filter((r) => r.group === 'expired' || r.group === 'week').length;
  return { rows, thresholdDays, urgent };
}

function heldKey(accountId: string, libraryId: string): string {
  return `${accountId}\u0000${libraryId}`;
}

function locationOf(copy: RemoteCopyView, renewedLocally: EntryRef | null): RadarLocation {
  return { accountId: copy.accountId, account: copy.account, cloud: copy.cloud, remoteId: copy.remoteId, bindings: copy.bindings, renewedLocally };
}
