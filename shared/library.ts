import type { ErrorInfo } from './errors';
import type { Inspection, KeyAlgorithm } from './model';

// The library as both sides see it. No private key material ever appears here: a key is described
// by `hasKey` / `keyState`, and leaves the main process only through an explicit export to a file.

/** 'unrecoverable': the vault's data key is missing from (or was replaced in) the keychain. */
export type KeyState = 'none' | 'sealed' | 'unrecoverable';

export interface LibraryEntry {
  /** Short random hex id; the CLI also accepts a unique prefix of it or of the fingerprint. */
  readonly id: string;
  readonly name: string;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly subject: string;
  readonly issuer: string;
  readonly issuerCommonName: string | null;
  readonly serialNumber: string;
  readonly fingerprintSha256: string;
  readonly notBefore: string;
  readonly notAfter: string;
  readonly keyAlgorithm: KeyAlgorithm;
  readonly keySize: number | null;
  readonly curve: string | null;
  readonly isCA: boolean;
  readonly hasKey: boolean;
  /** SM2 dual certificate: a signing and an encryption certificate (and keys) in one entry. */
  readonly sm2Dual: boolean;
  readonly tags: readonly string[];
  readonly notes: string;
  readonly sourceFile: string | null;
  readonly importedAt: string;
  readonly updatedAt: string;
}

/** A row of `library.list`: the entry and whether its key can be opened with today's keychain. */
export interface LibraryListEntry extends LibraryEntry {
  readonly keyState: KeyState;
}

/** Another entry, as a link to it reads: "renews example.com (expired 2025-03-01)". */
export interface EntryRef {
  readonly id: string;
  readonly name: string;
  readonly notAfter: string;
}

/**
 * Where an entry sits in its renewal lineage (main/core/library/lineage.ts): a renewal has the
 * same key family, the same or more names, and a later expiry.
 */
export interface EntryLineage {
  /** The entry this certificate renews: the latest older one. */
  readonly renews: EntryRef | null;
  /** The entries that renew this one, latest expiry first. */
  readonly renewedBy: readonly EntryRef[];
  /** The newest renewal down the lineage; null when this entry is itself the current version. */
  readonly currentVersion: EntryRef | null;
}

export interface LibraryEntryDetail extends LibraryListEntry {
  /** The inspector's view of the stored certificates (leaf, chain, SM2 encryption certificate). */
  readonly inspection: Inspection;
  readonly lineage: EntryLineage;
}

export const sortColumns = [
  'name',
  'commonName',
  'dnsNames',
  'issuer',
  'serialNumber',
  'fingerprintSha256',
  'notBefore',
  'notAfter',
  'keyAlgorithm',
  'hasKey',
  'isCA',
  'tags',
  'sourceFile',
  'importedAt',
] as const;
export type SortColumn = (typeof sortColumns)[number];

export interface LibrarySort {
  readonly column: SortColumn;
  readonly descending: boolean;
}

/** Soonest expiry first, as `certvault list` sorts: what needs attention leads. */
export const defaultLibrarySort: LibrarySort = { column: 'notAfter', descending: false };

export interface LibraryQuery {
  /** Whitespace-separated terms, all of which must appear (case-insensitive, substring). */
  readonly search?: string;
  /** Valid now and expiring within this many days. */
  readonly expiringWithinDays?: number;
  readonly expired?: boolean;
  readonly hideExpired?: boolean;
  readonly hasKey?: boolean;
  readonly kind?: 'ca' | 'leaf';
  /** Only entries no other entry renews: the current version of each lineage. */
  readonly currentOnly?: boolean;
  readonly sort?: SortColumn;
  readonly descending?: boolean;
  /** A window of the result, for a virtualised list. */
  readonly offset?: number;
  readonly limit?: number;
}

export interface LibraryPage<Entry extends LibraryEntry = LibraryEntry> {
  /** Entries matching the query, before the window; at least this many when `totalCapped`. */
  readonly total: number;
  /**
   * True when a search matched so many entries that counting stopped a margin past the window
   * (main/core/library/search.ts): the list shows "{total}+" and the count goes on as it scrolls.
   */
  readonly totalCapped?: boolean;
  readonly offset: number;
  readonly entries: readonly Entry[];
}

export interface EntryUpdate {
  readonly name?: string;
  readonly tags?: readonly string[];
  readonly notes?: string;
}

export const exportFormats = ['pem', 'chain', 'fullchain', 'key', 'bundle', 'der', 'pfx', 'ics'] as const;
export type ExportFormat = (typeof exportFormats)[number];

export interface ImportedEntry {
  readonly id: string;
  readonly fingerprintSha256: string;
  /** The leaf was already in the library; any new key or chain was merged into that entry. */
  readonly duplicate: boolean;
}

/** What a whole import did, counted: its lists (ImportResult) stop at `libraryLimits.importListed`. */
export interface ImportCounts {
  /** Entries the import created. */
  readonly new: number;
  /** Entries already in the library that the import brought again (a new key or chain merged in, or nothing). */
  readonly merged: number;
  readonly failed: number;
  readonly keysNotStored: number;
}

/**
 * An import's outcome. The lists hold the first `libraryLimits.importListed` of each, in the order
 * they happened (each entry once); `counts` counts them all, so a folder of 100,000 certificates
 * answers with its totals, not 100,000 rows held in memory and sent across IPC.
 */
export interface ImportResult {
  readonly imported: readonly ImportedEntry[];
  readonly failed: readonly { readonly file: string; readonly error: ErrorInfo }[];
  /**
   * Keys not stored although their certificate was (keychain unavailable, data key lost): the
   * file the key came from, its entry and why. Certificates never need the keychain.
   */
  readonly keysNotStored: readonly { readonly file: string; readonly id: string; readonly error: ErrorInfo }[];
  readonly counts: ImportCounts;
}

export interface ImportProgress {
  readonly done: number;
  readonly total: number;
  readonly file: string;
}

export interface KeychainStatus {
  /** 'missing': the data key is gone from (or was replaced in) the keychain. */
  readonly dataKey: 'ready' | 'missing' | 'unavailable';
  /** Keys sealed with the vault's current data key. */
  readonly sealedKeys: number;
  /**
   * Keys sealed with a data key the keychain lost before a new one was started: kept, but they
   * can never be opened; importing the same key again restores its entry's key.
   */
  readonly retiredKeys: number;
}

/**
 * An entry's key as the user can use it. A keychain that is only unreachable (locked, no Secret
 * Service) leaves the key sealed, not lost: it opens again once the keychain is back. `retired`:
 * the entry holds a key sealed with a data key that was replaced after it was lost.
 */
export function keyStateOf(hasKey: boolean, dataKey: KeychainStatus['dataKey'], retired = false): KeyState {
  if (!hasKey) return 'none';
  return dataKey === 'missing' || retired ? 'unrecoverable' : 'sealed';
}

export const libraryLimits = {
  maxNameLength: 200,
  maxTags: 50,
  maxTagLength: 64,
  maxNotesLength: 10_000,
  maxSearchLength: 500,
  maxPageSize: 1000,
  /** Entries, failures and refused keys an import's result lists, each (ImportResult.counts has the totals). */
  importListed: 1000,
} as const;
