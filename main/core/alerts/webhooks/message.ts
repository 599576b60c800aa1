import { translate, type Locale } from '../../../../shared/i18n';
import type { DueNotification } from '../decide';

// The text every webhook posts: a title line, then one line per certificate, soonest first, cut
// to the platform's size limit with a "…and N more" line rather than rejected by the platform.

/** One certificate's sentence: what, when, where, and an undeployed renewal. */
export function alertLine(notification: DueNotification, locale: Locale): string {
  const { certificate } = notification;
  const where =
    certificate.source === 'library'
      ? translate(locale, 'alert.message.library')
      : translate(locale, 'alert.message.remote', { account: certificate.account ?? '', cloud: certificate.cloud ?? '', remoteId: certificate.remoteId ?? '' });
  const date = certificate.notAfter.slice(0, 10);
  const text =
    notification.threshold === 'expired'
      ? translate(locale, 'alert.message.expired', { name: certificate.name, date, where })
      : translate(locale, 'alert.message.expiring', { name: certificate.name, days: notification.daysLeft, date, where });
  return notification.renewedBy && certificate.account ? `${text} ${translate(locale, 'alert.message.renewed', { account: certificate.account })}` : text;
}

/** At most `maxBytes` of UTF-8. */
export function alertText(notifications: readonly DueNotification[], locale: Locale, maxBytes: number): string {
  const title = translate(locale, 'alert.message.title', { count: notifications.length });
  const lines = notifications.map((notification) => `- ${alertLine(notification, locale)}`);
  for (let kept = lines.length; kept >= 0; kept -= 1) {
    const rest = lines.length - kept;
    const text = [title, ...lines.slice(0, kept), ...(rest > 0 ? [translate(locale, 'alert.message.more', { count: rest })] : [])].join('\n');
    if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  }
  return title;
}
