import type Database from 'better-sqlite3';
import type { CloudId } from '../../../shared/model';

// Every certificate the user owns with an expiry date: the library's leaves and the remote copies
// the last sync of each account recorded. What is due, and what to notify, are read from this.

const DAY_MS = 86_400_000;

export interface RadarCertificate {
  readonly source: 'library' | 'remote';
  /** The library entry: the entry itself, or the one a remote copy matched (null when none). */
  readonly id: string | null;
  readonly accountId: string | null;
  readonly account: string | null;
  readonly cloud: CloudId | null;
  readonly remoteId: string | null;
  readonly commonName: string | null;
  /** What to call it: the common name, else the first DNS name, else the entry's or copy's name. */
  readonly name: string;
  readonly notAfter: string;
  /**
   * The newest library version that renews this certificate (renewal lineage), or null. For a
   * library entry this means it is superseded; for a remote copy, that the cloud still holds the old one.
   */
  readonly renewedBy: string | null;
}

/** Whole days until `notAfter`, negative once it has passed (RFC 5280: valid through notAfter itself). */
export function daysLeft(notAfter: string, now: Date): number {
  return Math.floor((Date.parse(notAfter) - now.getTime()) / DAY_MS);
}

interface EntryRow {
  readonly id: string;
  readonly name: string;
  readonly common_name: string | null;
  readonly dns_names: string;
  readonly not_after: string;
  readonly renews_id: string | null;
}

interface CopyRow {
  readonly account_id: string;
  readonly account: string;
  readonly cloud: string;
  readonly remote_id: string;
  readonly name: string | null;
  readonly common_name: string | null;
  readonly dns_names: string;
  readonly not_after: string;
  readonly library_id: string | null;
}

/** Entry id → the newest entry that renews it, following the lineage to its end. */
function newestRenewals(rows: readonly EntryRow[]): Map<string, string> {
  const notAfter = new Map(rows.map((row) => [row.id, row.not_after]));
  const successor = new Map<string, string>();
  for (const row of rows) {
    if (row.renews_id === null || !notAfter.has(row.renews_id)) continue;
    const current = successor.get(row.renews_id);
    // Two entries renewing one is possible (lineage picks predecessors, not successors): the later expiry wins.
    if (current === undefined || (notAfter.get(current) ?? '') < row.not_after) successor.set(row.renews_id, row.id);
  }
  const newest = new Map<string, string>();
  for (const id of successor.keys()) {
    let next = successor.get(id);
    const seen = new Set([id]);
    let last = id;
    while (next !== undefined && !seen.has(next)) {
      seen.add(next);
      last = next;
      next = successor.get(next);
    }
    newest.set(id, last);
  }
  return newest;
}

function displayName(commonName: string | null, dnsNames: string, fallback: string): string {
  return commonName ?? (JSON.parse(dnsNames) as string[])[0] ?? fallback;
}

/** Library leaves (CA certificates are not something the user renews) and every remote copy with an expiry date. */
export function radarCertificates(db: Database.Database): RadarCertificate[] {
  const entries = db.prepare('SELECT id, name, common_name, dns_names, not_after, renews_id FROM entries WHERE is_ca = 0').all() as EntryRow[];
  const copies = db
    .prepare(
      `SELECT c.account_id, a.name AS account, c.cloud, c.remote_id, c.name, c.common_name, c.dns_names, c.not_after, c.library_id
       FROM remote_copies c JOIN cloud_accounts a ON a.id = c.account_id WHERE c.not_after IS NOT NULL`,
    )
    .all() as CopyRow[];
  const renewals = newestRenewals(entries);
  const library = entries.map(
    (row): RadarCertificate => ({
      source: 'library',
      id: row.id,
      accountId: null,
      account: null,
      cloud: null,
      remoteId: null,
      commonName: row.common_name,
      name: displayName(row.common_name, row.dns_names, row.name),
      notAfter: row.not_after,
      renewedBy: renewals.get(row.id) ?? null,
    }),
  );
  const remote = copies.map(
    (row): RadarCertificate => ({
      source: 'remote',
      id: row.library_id,
      accountId: row.account_id,
      account: row.account,
      cloud: row.cloud as CloudId,
      remoteId: row.remote_id,
      commonName: row.common_name,
      name: displayName(row.common_name, row.dns_names, row.name ?? row.remote_id),
      notAfter: row.not_after,
      renewedBy: row.library_id === null ? null : (renewals.get(row.library_id) ?? null),
    }),
  );
  return [...library, ...remote];
}

export interface ExpiringCertificate extends RadarCertificate {
  readonly daysLeft: number;
}

/** A certificate as `certvault expiring --json`, `notify --json` and the JSON webhook print it. */
export function certificateJson(certificate: RadarCertificate, left: number) {
  return {
    source: certificate.source,
    id: certificate.id,
    account: certificate.account,
    cloud: certificate.cloud,
    remoteId: certificate.remoteId,
    commonName: certificate.commonName,
    notAfter: certificate.notAfter,
    daysLeft: left,
  };
}

/** Soonest first; ties by name, then account and remote id, so the order never depends on the database. */
export function bySoonest(a: RadarCertificate, b: RadarCertificate): number {
  return (
    a.notAfter.localeCompare(b.notAfter) ||
    a.name.localeCompare(b.name) ||
    (a.account ?? '').localeCompare(b.account ?? '') ||
    (a.remoteId ?? '').localeCompare(b.remoteId ?? '')
  );
}

/**
 * Certificates that expire within `days` days of `now` (or already have), soonest first. A library
 * entry already renewed in the library is not due: its successor is what counts. A remote copy is
 * due whatever the library holds, because the cloud still serves it.
 */
export function expiringCertificates(db: Database.Database, now: Date, days: number): ExpiringCertificate[] {
  return radarCertificates(db)
    .filter((certificate) => !(certificate.source === 'library' && certificate.renewedBy !== null))
    .map((certificate) => ({ ...certificate, daysLeft: daysLeft(certificate.notAfter, now) }))
    .filter((certificate) => certificate.daysLeft <= days)
    .sort(bySoonest);
}
