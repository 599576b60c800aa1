import type Database from 'better-sqlite3';
import type { RemoteBindingView } from '../../../shared/inventory';
import type { EntryRef } from '../../../shared/library';
import type { CloudId } from '../../../shared/model';

// What the expiry radar is made of, read in two queries: every library entry with the newest
// renewal down its lineage, and every remote copy the last syncs recorded. Only what orders,
// groups and names a certificate is read for all of them; what a copy is bound to is read for the
// rows on screen only (readBindings). The Overview's rows, the alerts and `certvault expiring`
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
  readonly entries: readonly RadarEntry[];
  readonly copies: readonly RadarCopy[];
}

interface EntryRow {
  readonly id: string;
  readonly name: string;
  readonly common_name: string | null;
  readonly first_dns: string | null;
  readonly not_after: string;
  readonly not_before: string;
  readonly fingerprint_sha256: string;
  readonly is_ca: number;
  readonly renews_id: string | null;
}

interface CopyRow {
  readonly account_id: string;
  readonly account: string;
  readonly cloud: string;
  readonly remote_id: string;
  readonly name: string | null;
  readonly common_name: string | null;
  readonly first_dns: string | null;
  readonly not_after: string | null;
  readonly fingerprint_sha256: string | null;
  readonly library_id: string | null;
}

export function readRadarSource(db: Database.Database): RadarSource {
  const rows = db
    .prepare(
      `SELECT id, name, common_name, json_extract(dns_names, '$[0]') AS first_dns, not_after, not_before, fingerprint_sha256, is_ca, renews_id
       FROM entries`,
    )
    .all() as EntryRow[];
  const current = currentVersions(rows);
  const entries = rows.map(
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
  const copies = (
    db
      .prepare(
        `SELECT c.account_id, a.name AS account, c.cloud, c.remote_id, c.name, c.common_name, json_extract(c.dns_names, '$[0]') AS first_dns,
           c.not_after, c.fingerprint_sha256, c.library_id
         FROM remote_copies c JOIN cloud_accounts a ON a.id = c.account_id
         ORDER BY a.name COLLATE NOCASE, c.not_after, c.remote_id`,
      )
      .all() as CopyRow[]
  ).map(
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
  return { entries, copies };
}

/** The key of one copy in readBindings' answer. */
export function copyKey(accountId: string, remoteId: string): string {
  return `${accountId}\u0000${remoteId}`;
}

/** What each of these copies is bound to, in the order its sync recorded; copies bound to nothing are absent. */
export function readBindings(db: Database.Database, copies: readonly { readonly accountId: string; readonly remoteId: string }[]): Map<string, RemoteBindingView[]> {
  const bindings = new Map<string, RemoteBindingView[]>();
  if (copies.length === 0) return bindings;
  const rows = db
    .prepare(
      `SELECT b.account_id, b.remote_id, b.type, b.resource_id, b.name
       FROM json_each(?) AS wanted JOIN remote_bindings b
         ON b.account_id = json_extract(wanted.value, '$[0]') AND b.remote_id = json_extract(wanted.value, '$[1]')
       ORDER BY b.account_id, b.remote_id, b.position`,
    )
    .all(JSON.stringify(copies.map((copy) => [copy.accountId, copy.remoteId]))) as { account_id: string; remote_id: string; type: string; resource_id: string; name: string | null }[];
  for (const row of rows) {
    const key = copyKey(row.account_id, row.remote_id);
    const list = bindings.get(key) ?? [];
    list.push({ type: row.type, id: row.resource_id, name: row.name });
    bindings.set(key, list);
  }
  return bindings;
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
