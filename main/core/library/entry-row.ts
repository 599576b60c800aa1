import type { KeyAlgorithm } from '../../../shared/model';
import type { LibraryEntry } from '../../../shared/library';

// The `entries` table row and its mapping to the shared `LibraryEntry`.

export interface EntryRow {
  readonly id: string;
  readonly fingerprint_sha256: string;
  readonly name: string;
  readonly common_name: string | null;
  readonly dns_names: string;
  readonly subject: string;
  readonly issuer: string;
  readonly issuer_common_name: string | null;
  readonly serial_number: string;
  readonly not_before: string;
  readonly not_after: string;
  readonly key_algorithm: string;
  readonly key_size: number | null;
  readonly curve: string | null;
  readonly is_ca: number;
  readonly tags: string;
  readonly notes: string;
  readonly source_file: string | null;
  readonly imported_at: string;
  readonly updated_at: string;
  readonly has_key: number;
  readonly sm2_dual: number;
}

/** The columns `EntryRow` reads; search_text and cert_terms stay in the database. */
export const ENTRY_COLUMN_NAMES = [
  'id',
  'fingerprint_sha256',
  'name',
  'common_name',
  'dns_names',
  'subject',
  'issuer',
  'issuer_common_name',
  'serial_number',
  'not_before',
  'not_after',
  'key_algorithm',
  'key_size',
  'curve',
  'is_ca',
  'tags',
  'notes',
  'source_file',
  'imported_at',
  'updated_at',
  'has_key',
  'sm2_dual',
] as const;

export const ENTRY_COLUMNS = ENTRY_COLUMN_NAMES.join(', ');

export function toEntry(row: EntryRow): LibraryEntry {
  return {
    id: row.id,
    name: row.name,
    commonName: row.common_name,
    dnsNames: JSON.parse(row.dns_names) as string[],
    subject: row.subject,
    issuer: row.issuer,
    issuerCommonName: row.issuer_common_name,
    serialNumber: row.serial_number,
    fingerprintSha256: row.fingerprint_sha256,
    notBefore: row.not_before,
    notAfter: row.not_after,
    keyAlgorithm: row.key_algorithm as KeyAlgorithm,
    keySize: row.key_size,
    curve: row.curve,
    isCA: row.is_ca === 1,
    hasKey: row.has_key === 1,
    sm2Dual: row.sm2_dual === 1,
    tags: JSON.parse(row.tags) as string[],
    notes: row.notes,
    sourceFile: row.source_file,
    importedAt: row.imported_at,
    updatedAt: row.updated_at,
  };
}

/** Lowercased, one field per line, so a search term never matches across two fields. */
export function searchText(certTerms: string, name: string, tags: readonly string[], notes: string): string {
  return [certTerms, name, ...tags, notes].join('\n').toLowerCase();
}
