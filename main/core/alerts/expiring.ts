import type { VaultDb } from '../db/vault-db';
import { daysLeft } from '../inventory/radar';
import type { RadarCertificate } from '../inventory/radar-certificates';
import { radarCertificates } from '../inventory/radar-certificates';
import { readRadarSource } from '../inventory/radar-source';

// What is due: the radar's certificates (main/core/inventory, the same core as the Overview)
// within a number of days, as `certvault expiring`, `notify` and the webhooks print them.

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

/** Every certificate on the radar, read from the vault database. */
export async function vaultCertificates(vault: VaultDb): Promise<RadarCertificate[]> {
  return radarCertificates(await readRadarSource(vault));
}

/**
 * Certificates that expire within `days` days of `now` (or already have), soonest first. A library
 * entry already renewed in the library is not due: its successor is what counts. A remote copy is
 * due whatever the library holds, because the cloud still serves it.
 */
export async function expiringCertificates(vault: VaultDb, now: Date, days: number): Promise<ExpiringCertificate[]> {
  return (await vaultCertificates(vault))
    .filter((certificate) => !(certificate.source === 'library' && certificate.renewedBy !== null))
    .map((certificate) => ({ ...certificate, daysLeft: daysLeft(certificate.notAfter, now) }))
    .filter((certificate) => certificate.daysLeft <= days)
    .sort(bySoonest);
}
