import { daysLeft } from '../inventory/radar';
import type { RadarCertificate } from '../inventory/radar-certificates';
import { bySoonest } from './expiring';

// What to notify, decided from the certificates, the thresholds, the time and what was already
// notified; no clock, database or channel of its own, so it is tested over simulated days.
//
// A certificate notifies once when it crosses a threshold (90, 30, 7 days, the Settings threshold,
// expired) and again only at the next, tighter one: the first run on a vault of old certificates
// sends one notification per certificate (its tightest crossing), not one per threshold passed.
// A library entry already renewed in the library is silent: its successor carries the alerts. A
// remote copy whose library entry has a newer version still notifies, saying the renewal is not
// yet deployed there, because the cloud keeps serving the old certificate until it is.

export type AlertThreshold = 'expired' | number;

export const STANDARD_THRESHOLDS: readonly number[] = [90, 30, 7];

/** The day thresholds, widest first: the standard ones and the Settings one, none wider than `withinDays`. */
export function alertThresholds(settingsDays: number, withinDays?: number): number[] {
  const cap = withinDays ?? Math.max(settingsDays, ...STANDARD_THRESHOLDS);
  const all = new Set([...STANDARD_THRESHOLDS, settingsDays, ...(withinDays === undefined ? [] : [withinDays])]);
  return [...all].filter((days) => days <= cap).sort((a, b) => b - a);
}

export interface DueNotification {
  /** Names the certificate in the notified record: 'library:<id>' or 'remote:<account id>:<remote id>'. */
  readonly subject: string;
  readonly certificate: RadarCertificate;
  readonly daysLeft: number;
  readonly threshold: AlertThreshold;
  /** Set for a remote copy whose library entry was renewed: "renewed locally, not yet deployed to <account>". */
  readonly renewedBy: string | null;
}

export function subjectOf(certificate: RadarCertificate): string {
  return certificate.source === 'library' ? `library:${certificate.id ?? ''}` : `remote:${certificate.accountId ?? ''}:${certificate.remoteId ?? ''}`;
}

/** The key of one crossing in the notified record. */
export function crossingKey(subject: string, notAfter: string, threshold: AlertThreshold): string {
  return `${subject}\u0000${notAfter}\u0000${String(threshold)}`;
}

/** The tightest threshold the certificate has crossed at `left` days, or null when it is outside all of them. */
export function crossedThreshold(left: number, thresholds: readonly number[]): AlertThreshold | null {
  if (left < 0) return 'expired';
  const within = thresholds.filter((days) => left <= days);
  return within.length === 0 ? null : Math.min(...within);
}

export function decideNotifications(
  certificates: readonly RadarCertificate[],
  thresholds: readonly number[],
  now: Date,
  notified: ReadonlySet<string>,
): DueNotification[] {
  const due: DueNotification[] = [];
  for (const certificate of certificates) {
    if (certificate.source === 'library' && certificate.renewedBy !== null) continue;
    const left = daysLeft(certificate.notAfter, now);
    const threshold = crossedThreshold(left, thresholds);
    if (threshold === null) continue;
    const subject = subjectOf(certificate);
    if (notified.has(crossingKey(subject, certificate.notAfter, threshold))) continue;
    due.push({ subject, certificate, daysLeft: left, threshold, renewedBy: certificate.renewedBy });
  }
  return due.sort((a, b) => bySoonest(a.certificate, b.certificate));
}
