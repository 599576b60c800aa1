import { translate, type Locale } from '../../../shared/i18n';
import type { VaultDb } from '../db/vault-db';
import type { DueNotification } from './decide';
import { dueNotifications, markNotified } from './index';
import { alertLine } from './webhooks/message';

// The desktop notification: what is due on the 'desktop' channel, as one notification (a vault of
// old certificates must not open a hundred), marked notified once it was shown, so the next start
// or sync says nothing until a certificate crosses its next threshold. Showing is the caller's (the
// Electron adapter); nothing here knows of Electron.

/** Lines in the body; the rest are counted ("…and N more"): a notification shows a few lines only. */
const BODY_LINES = 3;

export interface DesktopNotice {
  readonly title: string;
  readonly body: string;
}

export function desktopNotice(notifications: readonly DueNotification[], locale: Locale): DesktopNotice {
  const lines = notifications.slice(0, BODY_LINES).map((notification) => alertLine(notification, locale));
  const rest = notifications.length - lines.length;
  if (rest > 0) lines.push(translate(locale, 'alert.message.more', { count: rest }));
  lines.push(translate(locale, 'alert.desktop.open'));
  return { title: translate(locale, 'alert.message.title', { count: notifications.length }), body: lines.join('\n') };
}

export interface DesktopAlertOptions {
  readonly expiringWithinDays: number;
  readonly locale: Locale;
  /** Shows the notice; false when the system cannot (then nothing is marked, and the next run tries again). */
  readonly show: (notice: DesktopNotice) => boolean;
}

/** Shows what is due now, if anything, and returns what was shown. */
export async function notifyDesktop(vault: VaultDb, now: Date, options: DesktopAlertOptions): Promise<readonly DueNotification[]> {
  const due = await dueNotifications(vault, now, { expiringWithinDays: options.expiringWithinDays, channel: 'desktop' });
  if (due.length === 0 || !options.show(desktopNotice(due, options.locale))) return [];
  await markNotified(vault, due, now, 'desktop');
  return due;
}
