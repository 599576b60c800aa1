import type { CloudId } from './model';
import type { EntryRef } from './library';

// The inventory as both sides see it: what the last sync of each cloud account found, and the
// expiry radar over it and the library. Never a private key, nor the stored certificate PEM.

/** A resource a certificate is bound to (deployed on), as the cloud reports it. */
export interface RemoteBindingView {
  /** The cloud's resource type ('clb', 'cdn', 'CDN', 'apig-domain', 'live-domain', …). */
  readonly type: string;
  /** The cloud's id for the resource (a domain when that is its id). */
  readonly id: string;
  /** The domain it serves, where it has one. */
  readonly name: string | null;
}

/**
 * What a cloud tells about one certificate it holds, normalised across the clouds: the part the
 * providers' RemoteCopy (main/clouds/provider.ts) and the stored RemoteCopyView share.
 */
export interface RemoteCertificateFacts {
  readonly cloud: CloudId;
  readonly remoteId: string;
  /** The cloud's alias / name for it. */
  readonly name: string | null;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  /** ISO 8601 UTC. */
  readonly notBefore: string | null;
  readonly notAfter: string | null;
  /** Lower-case hex, no separators; null when the cloud returns neither it nor the certificate. */
  readonly fingerprintSha256: string | null;
  /** Lower-case hex without leading zeros or separators. */
  readonly serial: string | null;
  /** The issuer as the cloud reports it: a DN, or its common name only. */
  readonly issuer: string | null;
  readonly bindings: readonly RemoteBindingView[];
}

export type MatchRule = 'fingerprint' | 'serial' | 'names';

/** A certificate on a cloud account, as its account's last sync recorded it. */
export interface RemoteCopyView extends RemoteCertificateFacts {
  readonly accountId: string;
  readonly account: string;
  readonly libraryId: string | null;
  readonly matchedBy: MatchRule | null;
  readonly syncedAt: string;
}

export type SyncPhase = 'listing' | 'details' | 'bindings' | 'done' | 'failed';

/** `inventory.progress`: one account's sync moving on. */
export interface SyncProgress {
  readonly accountId: string;
  readonly account: string;
  readonly cloud: CloudId;
  readonly phase: SyncPhase;
  /** Details read so far, of `total` certificates listed. */
  readonly done: number;
  readonly total: number;
}

export interface AccountSyncResult {
  readonly accountId: string;
  readonly account: string;
  readonly cloud: CloudId;
  readonly status: 'ok' | 'failed';
  readonly certificates: number;
  readonly error: { readonly code: string; readonly message: string } | null;
}

/** What an account held at its last successful sync (accounts without one are absent). */
export interface AccountInventory {
  readonly accountId: string;
  readonly syncedAt: string;
  readonly certificates: number;
}

/** The radar's groups, most urgent first; `soon` is Settings' expiry threshold, when between 7 and 90 days. */
export const radarGroups = ['expired', 'week', 'soon', 'quarter', 'later'] as const;
export type RadarGroup = (typeof radarGroups)[number];

/** Where a radar row's certificate is on a cloud, and what that copy serves. */
export interface RadarLocation {
  readonly accountId: string;
  readonly account: string;
  readonly cloud: CloudId;
  readonly remoteId: string;
  readonly bindings: readonly RemoteBindingView[];
  /** A newer version of this certificate in the library that this account does not hold yet. */
  readonly renewedLocally: EntryRef | null;
}

/** One certificate the user owns: a library entry with its copies, or a copy the library lacks. */
export interface RadarRow {
  /** Stable across refreshes: `library:<id>` or `remote:<fingerprint or account/remote id>`. */
  readonly key: string;
  readonly libraryId: string | null;
  readonly name: string;
  readonly commonName: string | null;
  readonly notAfter: string | null;
  /** Whole days until expiry, negative once expired; null when the cloud did not say. */
  readonly daysLeft: number | null;
  readonly group: RadarGroup;
  readonly inLibrary: boolean;
  readonly locations: readonly RadarLocation[];
  /** For a remote-only certificate: the copy `inventory.importRemote` would import. */
  readonly importable: { readonly accountId: string; readonly remoteId: string } | null;
}

/** How many rows of the radar one `inventory.overview` request may ask for. */
export const radarLimits = { defaultPageSize: 100, maxPageSize: 1000 } as const;

/** The radar's shape without its rows: enough for the sidebar's badge and the list's layout. */
export interface RadarSummary {
  /** Rows on the radar, in every group. */
  readonly total: number;
  /** Rows per group. Rows are ordered soonest expiry first, so each group's rows follow the previous group's. */
  readonly counts: Readonly<Record<RadarGroup, number>>;
  /** Settings' expiry threshold in days: the upper bound of `soon`. */
  readonly thresholdDays: number;
  /** Expired or expiring within 7 days: the sidebar's badge. */
  readonly urgent: number;
  /** Changes whenever what the radar is made of changes, so rows of an older revision can be told apart. */
  readonly revision: string;
}

/** `inventory.overview`: the summary and the rows from `offset` on (at most the `limit` asked for). */
export interface RadarPage extends RadarSummary {
  readonly offset: number;
  /** Soonest expiry first; rows without an expiry date last. */
  readonly rows: readonly RadarRow[];
}

/** Settings' automatic sync: when the app starts and then every 6 or 24 hours, or never. */
export const autoSyncChoices = ['off', '6h', '24h'] as const;
export type AutoSync = (typeof autoSyncChoices)[number];
