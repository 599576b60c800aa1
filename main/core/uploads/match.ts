import type { RemoteCertificate } from '../../clouds/provider';

// Recognising our certificate in a cloud's listing, to dedupe and to settle an upload whose fate
// is unknown. A fingerprint is proof; clouds that list none (Volcengine, Huawei) are matched on
// names plus expiry, which a reissue for the same names almost never shares to the minute.

export interface CertificateIdentity {
  readonly fingerprintSha256: string;
  readonly fingerprintSha1: string | null;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly notAfter: string | null;
}

/** Same instant, allowing for clouds that list expiry to the second or round it. */
const SAME_INSTANT_MS = 2 * 60 * 1000;
/** A date-only expiry ('2026-01-31') may be in the cloud's local zone (UTC+8), hence a day either way. */
const SAME_DAY_MS = 24 * 60 * 60 * 1000;

function hex(value: string): string {
  return value.replace(/[^0-9a-f]/gi, '').toLowerCase();
}

function names(commonName: string | null, dnsNames: readonly string[]): Set<string> {
  return new Set([commonName, ...dnsNames].filter((name): name is string => Boolean(name)).map((name) => name.trim().toLowerCase()));
}

function sameSet(a: Set<string>, b: Set<string>): boolean {
  return a.size === b.size && [...a].every((item) => b.has(item));
}

function sameExpiry(ours: string, theirs: string): boolean {
  const a = Date.parse(ours);
  const b = Date.parse(theirs);
  if (Number.isNaN(a) || Number.isNaN(b)) return false;
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(theirs.trim());
  return Math.abs(a - b) <= (dateOnly ? SAME_DAY_MS : SAME_INSTANT_MS);
}

export function isSameCertificate(ours: CertificateIdentity, remote: RemoteCertificate): boolean {
  if (remote.fingerprintSha256) return hex(remote.fingerprintSha256) === hex(ours.fingerprintSha256);
  if (remote.fingerprintSha1 && ours.fingerprintSha1) return hex(remote.fingerprintSha1) === hex(ours.fingerprintSha1);
  if (!ours.notAfter || !remote.notAfter || !sameExpiry(ours.notAfter, remote.notAfter)) return false;
  if (remote.commonName && ours.commonName && remote.commonName.toLowerCase() !== ours.commonName.toLowerCase()) return false;
  const theirs = names(remote.commonName, remote.domains);
  if (theirs.size === 0) return false;
  // Some clouds list the SANs without the CN, others the CN among them: compare as sets, CN optional on their side.
  const oursAll = names(ours.commonName, ours.dnsNames);
  const oursSans = names(null, ours.dnsNames);
  return sameSet(theirs, oursAll) || sameSet(theirs, oursSans);
}

export function findCertificate(ours: CertificateIdentity, listing: readonly RemoteCertificate[]): RemoteCertificate | null {
  return listing.find((remote) => isSameCertificate(ours, remote)) ?? null;
}

/** What to ask the list call for, where the cloud can narrow by domain or keyword. */
export function searchTerm(ours: CertificateIdentity): string | undefined {
  return ours.commonName ?? ours.dnsNames[0];
}
