import type { CloudId } from '../../../shared/model';
import { copyName } from './radar';
import type { RadarSource } from './radar-source';

// The radar certificate by certificate, as alerts, `certvault notify` and `certvault expiring`
// need it: each library leaf and each remote copy on its own (a cloud's copy alerts for that
// account), where the Overview's rows put a library entry and its copies together.

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

/** Library leaves (CA certificates are not something the user renews) and every remote copy with an expiry date. */
export function radarCertificates(source: RadarSource): RadarCertificate[] {
  const renewedBy = new Map(source.entries.map((entry) => [entry.id, entry.currentVersion?.id ?? null]));
  const library = source.entries
    .filter((entry) => !entry.isCa)
    .map(
      (entry): RadarCertificate => ({
        source: 'library',
        id: entry.id,
        accountId: null,
        account: null,
        cloud: null,
        remoteId: null,
        commonName: entry.commonName,
        name: entry.commonName ?? entry.firstDnsName ?? entry.name,
        notAfter: entry.notAfter,
        renewedBy: renewedBy.get(entry.id) ?? null,
      }),
    );
  const remote = source.copies.flatMap((copy): RadarCertificate[] =>
    copy.notAfter === null
      ? []
      : [
          {
            source: 'remote',
            id: copy.libraryId,
            accountId: copy.accountId,
            account: copy.account,
            cloud: copy.cloud,
            remoteId: copy.remoteId,
            commonName: copy.commonName,
            name: copyName(copy),
            notAfter: copy.notAfter,
            renewedBy: copy.libraryId === null ? null : (renewedBy.get(copy.libraryId) ?? null),
          },
        ],
  );
  return [...library, ...remote];
}
