import type { VaultDb } from '../db/vault-db';
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
export async function dueNotifications(vault: VaultDb, now: Date, settings: AlertSettings): Promise<DueNotification[]> {
  const notified = await notifiedCrossings(vault, settings.channel ?? 'desktop');
  const certificates = await vaultCertificates(vault);
  return decideNotifications(certificates, alertThresholds(settings.expiringWithinDays, settings.withinDays), now, notified);
}

/** What `channel` was already told, as decide.ts's crossing keys. */
export async function notifiedCrossings(vault: VaultDb, channel: AlertChannel): Promise<Set<string>> {
  const rows = await vault.db.selectFrom('alert_notifications').select(['subject', 'not_after', 'threshold']).where('channel', '=', channel).execute();
  return new Set(rows.map((row) => crossingKey(row.subject, row.not_after, row.threshold === 'expired' ? 'expired' : Number(row.threshold))));
}

/** Rows per INSERT: few statement texts (the cache keeps each), few round trips to PostgreSQL. */
const MARK_BATCH = 100;

/**
 * Records these notifications as sent, so `dueNotifications` does not return them again; all or
 * none. One already recorded (another process told it meanwhile) is kept as it was.
 */
export async function markNotified(vault: VaultDb, notifications: readonly DueNotification[], now: Date, channel: AlertChannel = 'desktop'): Promise<void> {
  const rows = notifications.map((notification) => ({
    channel,
    subject: notification.subject,
    not_after: notification.certificate.notAfter,
    threshold: String(notification.threshold),
    notified_at: now.toISOString(),
  }));
  if (rows.length === 0) return;
  await vault.db.transaction().execute(async (trx) => {
    for (let start = 0; start < rows.length; start += MARK_BATCH) {
      await trx.insertInto('alert_notifications').values(rows.slice(start, start + MARK_BATCH)).onConflict((conflict) => conflict.doNothing()).execute();
    }
  });
}
