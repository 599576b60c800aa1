import type Database from 'better-sqlite3';
import { Lineage } from '../library/lineage';
import type { RadarEntry } from './radar';

// The library as the radar reads it: every entry in one query, and the newest renewal only of
// the entries something renews (the lineage walk costs a few queries each; most entries need none).

interface EntryRow {
  id: string;
  name: string;
  common_name: string | null;
  dns_names: string;
  not_after: string;
  renewed: number;
}

export function radarEntries(db: Database.Database): RadarEntry[] {
  const rows = db
    .prepare(
      `SELECT e.id, e.name, e.common_name, e.dns_names, e.not_after,
         EXISTS (SELECT 1 FROM entries s WHERE s.renews_id = e.id) AS renewed
       FROM entries e`,
    )
    .all() as EntryRow[];
  const lineage = new Lineage(db);
  return rows.map((row) => {
    const current = row.renewed ? lineage.currentVersionOf(row.id) : null;
    return {
      id: row.id,
      name: row.name,
      commonName: row.common_name,
      dnsNames: JSON.parse(row.dns_names) as string[],
      notAfter: row.not_after,
      currentVersion: current && current.id !== row.id ? current : null,
    };
  });
}
