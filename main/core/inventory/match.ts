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

interface LibraryRow {
  readonly id: string;
  readonly fingerprint_sha256: string;
  readonly serial_number: string;
  readonly issuer: string;
  readonly issuer_common_name: string | null;
  readonly common_name: string | null;
  readonly dns_names: string;
  readonly not_after: string;
}

/** Clouds give day-only or Beijing-time expiries: the same certificate within this many hours. */
const EXPIRY_TOLERANCE_MS = 24 * 3600_000;

const compact = (text: string) => text.replace(/\s+/g, '').toLowerCase();
const serialKey = (serial: string) => serial.replace(/[:\s]/g, '').toLowerCase().replace(/^0+(?=.)/, '');

function namesKey(commonName: string | null, dnsNames: readonly string[]): string {
  return [...new Set([commonName, ...dnsNames].filter((name): name is string => !!name).map((name) => name.toLowerCase()))].sort().join(',');
}

/** The library read once per sync, indexed by each rule's key. */
export class LibraryIndex {
  private readonly byFingerprint = new Map<string, string>();
  private readonly bySerial = new Map<string, LibraryRow[]>();
  private readonly byNames = new Map<string, LibraryRow[]>();

  /** Reads the library's entries (the fields the rules compare) through the vault database. */
  static async read(vault: VaultDb): Promise<LibraryIndex> {
    const rows = await vault.db
      .selectFrom('entries')
      .select(['id', 'fingerprint_sha256', 'serial_number', 'issuer', 'issuer_common_name', 'common_name', 'dns_names', 'not_after'])
      .execute();
    return new LibraryIndex(rows);
  }

  private constructor(rows: readonly LibraryRow[]) {
    for (const row of rows) {
      this.byFingerprint.set(row.fingerprint_sha256.toLowerCase(), row.id);
      push(this.bySerial, serialKey(row.serial_number), row);
      push(this.byNames, namesKey(row.common_name, JSON.parse(row.dns_names) as string[]), row);
    }
  }

  match(copy: RemoteCopy): Match | null {
    const byFingerprint = copy.fingerprintSha256 ? this.byFingerprint.get(copy.fingerprintSha256.toLowerCase()) : undefined;
    if (byFingerprint) return { libraryId: byFingerprint, matchedBy: 'fingerprint' };
    if (copy.serial && copy.issuer) {
      const issuer = compact(copy.issuer);
      // Clouds spell the issuer as a DN, its CN or its O: any of them inside the library's DN.
      const found = this.bySerial.get(serialKey(copy.serial))?.find((row) => compact(row.issuer).includes(issuer) || (row.issuer_common_name !== null && issuer.includes(compact(row.issuer_common_name))));
      if (found) return { libraryId: found.id, matchedBy: 'serial' };
    }
    const names = namesKey(copy.commonName, copy.dnsNames);
    const notAfter = copy.notAfter ? Date.parse(copy.notAfter) : Number.NaN;
    if (names !== '' && !Number.isNaN(notAfter)) {
      const candidates = (this.byNames.get(names) ?? [])
        .map((row) => ({ row, distance: Math.abs(Date.parse(row.not_after) - notAfter) }))
        .filter(({ distance }) => distance <= EXPIRY_TOLERANCE_MS)
        .sort((a, b) => a.distance - b.distance);
      if (candidates[0]) return { libraryId: candidates[0].row.id, matchedBy: 'names' };
    }
    return null;
  }
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
