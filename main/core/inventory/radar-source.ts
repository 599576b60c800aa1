import type Database from 'better-sqlite3';
import type { RemoteCopyView } from '../../../shared/inventory';
import type { EntryRef } from '../../../shared/library';
import { InventoryStore } from './store';

// What the expiry radar is made of, read in a few queries: every library entry with the newest
// renewal down its lineage, and every remote copy the last syncs recorded, with its bindings.
// The Overview's rows, the alerts and `certvault expiring` are all computed from this.

/** A library entry as the radar needs it. */
export interface RadarEntry {
  readonly id: string;
  readonly name: string;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly notAfter: string;
  /** A CA certificate is not something the user renews: it alerts nothing and shows only while a cloud holds it. */
  readonly isCa: boolean;
  /** The newest renewal down its lineage; null when the entry is itself the newest. */
  readonly currentVersion: EntryRef | null;
}

export interface RadarSource {
  readonly entries: readonly RadarEntry[];
  readonly copies: readonly RemoteCopyView[];
}

interface EntryRow {
  readonly id: string;
  readonly name: string;
  readonly common_name: string | null;
  readonly dns_names: string;
  readonly not_after: string;
  readonly not_before: string;
  readonly fingerprint_sha256: string;
  readonly is_ca: number;
  readonly renews_id: string | null;
}

export function readRadarSource(db: Database.Database): RadarSource {
  const rows = db
    .prepare('SELECT id, name, common_name, dns_names, not_after, not_before, fingerprint_sha256, is_ca, renews_id FROM entries')
    .all() as EntryRow[];
  const current = currentVersions(rows);
  const entries = rows.map(
    (row): RadarEntry => ({
      id: row.id,
      name: row.name,
      commonName: row.common_name,
      dnsNames: JSON.parse(row.dns_names) as string[],
      notAfter: row.not_after,
      isCa: row.is_ca === 1,
      currentVersion: current.get(row.id) ?? null,
    }),
  );
  return { entries, copies: new InventoryStore(db).list() };
}

/**
 * Entry id -> the newest entry down its lineage, for the entries something renews. Follows the
 * stored links (entries.renews_id) in memory, choosing at each step the successor Lineage.successorsOf
 * lists first (latest expiry, then latest start, then smallest fingerprint), as
 * Lineage.currentVersionOf does with a few queries per entry.
 */
function currentVersions(rows: readonly EntryRow[]): Map<string, EntryRef> {
  const successor = new Map<string, EntryRow>();
  for (const row of rows) {
    if (row.renews_id === null) continue;
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

function listsFirst(a: EntryRow, b: EntryRow): boolean {
  if (a.not_after !== b.not_after) return a.not_after > b.not_after;
  if (a.not_before !== b.not_before) return a.not_before > b.not_before;
  return a.fingerprint_sha256 < b.fingerprint_sha256;
}
