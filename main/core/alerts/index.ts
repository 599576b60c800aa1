import type Database from 'better-sqlite3';
import { wrapBusy } from '../db/open';
import { alertThresholds, crossingKey, decideNotifications, type DueNotification } from './decide';
import { vaultCertificates } from './expiring';

export { alertThresholds, type AlertThreshold, type DueNotification } from './decide';
export { expiringCertificates, vaultCertificates, type ExpiringCertificate } from './expiring';
export { daysLeft } from '../inventory/radar';
export type { RadarCertificate } from '../inventory/radar-certificates';

// The alerts API over the vault database: what is due now, and recording what was sent. A caller
// (desktop notifications, `certvault notify`) sends, then marks what it sent, so a failed send is
// tried again next time rather than lost.

export interface AlertSettings {
  /** The Settings threshold ("expiring within N days"). */
  readonly expiringWithinDays: number;
  /** Only certificates within this many days (certvault notify --days); default: every threshold. */
  readonly withinDays?: number;
  /** Whose record to read: each channel tells once per crossing; default 'desktop'. */
  readonly channel?: AlertChannel;
}

/** Desktop notifications and webhooks keep separate records, so one never swallows the other's alert. */
export type AlertChannel = 'desktop' | 'webhooks';

/** The notifications due at `now`: each certificate's newest threshold crossing not yet marked notified. */
export function dueNotifications(db: Database.Database, now: Date, settings: AlertSettings): DueNotification[] {
  const rows = db.prepare('SELECT subject, not_after, threshold FROM alert_notifications WHERE channel = ?').all(settings.channel ?? 'desktop') as { subject: string; not_after: string; threshold: string }[];
  const notified = new Set(rows.map((row) => crossingKey(row.subject, row.not_after, row.threshold === 'expired' ? 'expired' : Number(row.threshold))));
  return decideNotifications(vaultCertificates(db), alertThresholds(settings.expiringWithinDays, settings.withinDays), now, notified);
}

/** Records these notifications as sent, so `dueNotifications` does not return them again. */
export function markNotified(db: Database.Database, notifications: readonly DueNotification[], now: Date, channel: AlertChannel = 'desktop'): void {
  const insert = db.prepare('INSERT OR IGNORE INTO alert_notifications (channel, subject, not_after, threshold, notified_at) VALUES (?, ?, ?, ?, ?)');
  const mark = db.transaction(() => {
    for (const notification of notifications) {
      insert.run(channel, notification.subject, notification.certificate.notAfter, String(notification.threshold), now.toISOString());
    }
  });
  wrapBusy(() => mark.immediate());
}
