import { alertsOf } from '../core/alerts/service';
import type { DueNotification } from '../core/alerts/decide';
import { certificateJson } from '../core/alerts/expiring';
import { webhookResultJson } from './alert';
import { defineCommand, exitCodes, jsonOption } from './command';
import { jsonDocument } from './output';
import { parseDays } from './option-values';

const help = `Usage: certvault notify [--days N] [--json]

Sends expiry alerts to every webhook (certvault alert add), for cron or a systemd timer. Each
certificate in the library and on the synced cloud accounts is told about once per threshold it
crosses (90, 30 and 7 days, the Settings threshold, expired), never again on the next run; a
library entry already renewed is not, and a cloud copy of it says the renewal is not deployed
there yet. Once any webhook took the message the alerts count as sent; desktop notifications
keep their own record.

Options:
  --days N   only certificates within N days (thresholds wider than N are skipped)
  --json     one JSON document on stdout:
             {"notifications":[{"source","id","account","cloud","remoteId","commonName","notAfter","daysLeft","threshold"}],
              "webhooks":[{"name","kind","status":"sent|failed","error":null|{"code","message"}}]}
  -h, --help show this help

Exit codes: 0 sent, or nothing due; 2 no webhook configured; 3 at least one webhook failed;
5 the keychain that holds the webhook URLs is unavailable.
`;

export const notifyCommand = defineCommand({
  name: 'notify',
  summary: 'send expiry alerts to the webhooks, once per certificate per threshold (for cron)',
  help,
  options: { ...jsonOption, days: { type: 'string' } },
  positionals: false,
  async run({ values }, { io, handlers }) {
    const days = values.days === undefined ? undefined : parseDays(values.days, '--days');
    const outcome = await alertsOf(handlers()).notify(days);
    if (values.json) {
      io.stdout(jsonDocument({ notifications: outcome.notifications.map(notificationJson), webhooks: outcome.webhooks.map(webhookResultJson) }, values.pretty));
    } else if (outcome.notifications.length === 0) {
      io.stdout('Nothing new to notify.\n');
    } else {
      const sent = outcome.webhooks.filter((result) => result.status === 'sent').map((result) => result.name);
      io.stdout(`${outcome.notifications.length} alert(s)${sent.length > 0 ? ` sent to ${sent.join(', ')}` : ' not sent'}\n`);
    }
    for (const result of outcome.webhooks) if (result.error && !values.json) io.stderr(`certvault notify: ${result.error.message}\n`);
    // The keychain holds every webhook's URL: without it nothing could be sent, which is not "partly done".
    if (outcome.webhooks.some((result) => result.error?.code === 'keychain.unavailable')) return exitCodes.keychainUnavailable;
    return outcome.webhooks.some((result) => result.status === 'failed') ? exitCodes.partialFailure : exitCodes.ok;
  },
});

function notificationJson(notification: DueNotification) {
  return { ...certificateJson(notification.certificate, notification.daysLeft), threshold: notification.threshold };
}
