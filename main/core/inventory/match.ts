import type { MatchRule } from '../../../shared/inventory';
import type { RemoteCopy } from '../../clouds/provider';
import type { VaultDb } from '../db/vault-db';

// Which library entry a remote copy is, and by which rule: the SHA-256 fingerprint when the cloud
// returned the certificate (or its hash); else serial and issuer (Huawei returns no certificate);
// else names and expiry (Volcengine's listing, Alibaba's day-only dates).

export type { MatchRule };

export interface Match {
  readonly libraryId: string;
  readonly matchedBy: MatchRule;
}

interface NamedRow {
  readonly id: string;
  readonly common_name: string | null;
  readonly dns_names: string;
  readonly not_after: string;
}

interface SerialRow {
  readonly id: string;
  readonly issuer: string;
  readonly issuer_common_name: string | null;
}

/** Clouds give day-only or Beijing-time expiries: the same certificate within this many hours. */
const EXPIRY_TOLERANCE_MS = 24 * 3600_000;

/** Fingerprints per IN list: far under either engine's parameter limit. */
const FINGERPRINT_BATCH = 500;

const compact = (text: string) => text.replace(/\s+/g, '').toLowerCase();
const serialKey = (serial: string) => serial.replace(/[:\s]/g, '').toLowerCase().replace(/^0+(?=.)/, '');

function namesKey(commonName: string | null, dnsNames: readonly string[]): string {
  return [...new Set([commonName, ...dnsNames].filter((name): name is string => !!name).map((name) => name.toLowerCase()))].sort().join(',');
}

/** Both spellings of a hex value: the library stores it in lowercase, and the columns' indexes compare exactly. */
const hexSpellings = (hex: string) => [...new Set([hex.toLowerCase(), hex.toUpperCase()])];

/**
 * The library looked up per remote copy by the rules' keys, each an index seek (fingerprint: its
 * UNIQUE index; serial: entries_by_serial_number; names: entry_names' primary key), so a sync
 * costs the same whatever the library's size.
 */
export class LibraryMatcher {
  constructor(private readonly vault: VaultDb) {}

  /** Each copy's match, in the copies' order. */
  async matchAll(copies: readonly RemoteCopy[]): Promise<(Match | null)[]> {
    const byFingerprint = await this.fingerprints(copies.flatMap((copy) => (copy.fingerprintSha256 ? [copy.fingerprintSha256] : [])));
    const matches: (Match | null)[] = [];
    for (const copy of copies) {
      const found = copy.fingerprintSha256 ? byFingerprint.get(copy.fingerprintSha256.toLowerCase()) : undefined;
      matches.push(found ? { libraryId: found, matchedBy: 'fingerprint' } : await this.bySerialOrNames(copy));
    }
    return matches;
  }

  /** Fingerprint (lowercase) -> entry id, for those of these fingerprints the library holds. */
  private async fingerprints(fingerprints: readonly string[]): Promise<Map<string, string>> {
    const found = new Map<string, string>();
    const spellings = [...new Set(fingerprints.flatMap(hexSpellings))];
    for (let start = 0; start < spellings.length; start += FINGERPRINT_BATCH) {
      const rows = await this.vault.db
        .selectFrom('entries')
        .select(['id', 'fingerprint_sha256'])
        .where('fingerprint_sha256', 'in', spellings.slice(start, start + FINGERPRINT_BATCH))
        .execute();
      for (const row of rows) found.set(row.fingerprint_sha256.toLowerCase(), row.id);
    }
    return found;
  }

  private async bySerialOrNames(copy: RemoteCopy): Promise<Match | null> {
    if (copy.serial && copy.issuer) {
      const issuer = compact(copy.issuer);
      const rows: readonly SerialRow[] = await this.vault.db
        .selectFrom('entries')
        .select(['id', 'issuer', 'issuer_common_name'])
        .where('serial_number', 'in', hexSpellings(serialKey(copy.serial)))
        .execute();
      // Clouds spell the issuer as a DN, its CN or its O: any of them inside the library's DN.
      const found = rows.find((row) => compact(row.issuer).includes(issuer) || (row.issuer_common_name !== null && issuer.includes(compact(row.issuer_common_name))));
      if (found) return { libraryId: found.id, matchedBy: 'serial' };
    }
    const names = namesKey(copy.commonName, copy.dnsNames);
    const notAfter = copy.notAfter ? Date.parse(copy.notAfter) : Number.NaN;
    if (names === '' || Number.isNaN(notAfter)) return null;
    // Candidates by one of the names (entry_names holds each entry's names in lowercase) within the
    // tolerance (ISO 8601 UTC, compared as text as stored); the whole set of names is compared below.
    const rows: readonly NamedRow[] = await this.vault.db
      .selectFrom('entry_names as n')
      .innerJoin('entries as e', 'e.id', 'n.entry_id')
      .select(['e.id', 'e.common_name', 'e.dns_names', 'e.not_after'])
      .where('n.name', '=', names.split(',')[0]!)
      .where('e.not_after', '>=', new Date(notAfter - EXPIRY_TOLERANCE_MS).toISOString())
      .where('e.not_after', '<=', new Date(notAfter + EXPIRY_TOLERANCE_MS).toISOString())
      .orderBy('e.not_after')
      .orderBy('e.id')
      .execute();
    const nearest = rows
      .filter((row) => namesKey(row.common_name, JSON.parse(row.dns_names) as string[]) === names)
      .map((row) => ({ row, distance: Math.abs(Date.parse(row.not_after) - notAfter) }))
      .filter(({ distance }) => distance <= EXPIRY_TOLERANCE_MS)
      .sort((a, b) => a.distance - b.distance)[0];
    return nearest ? { libraryId: nearest.row.id, matchedBy: 'names' } : null;
  }
}
