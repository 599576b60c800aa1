import { alertsOf } from '../core/alerts/service';
import { prometheusText } from '../core/alerts/prometheus';
import { certificateJson, type ExpiringCertificate } from '../core/alerts/expiring';
import { defineCommand, exitCodes, jsonOption, UsageError } from './command';
import { jsonDocument, table } from './output';
import { parseDays } from './option-values';

const help = `Usage: certvault expiring [--days N] [--json | --prometheus]

The certificates that expire within N days (default: the Settings threshold) or already have,
soonest first: the library's leaf certificates and the copies on the cloud accounts as the last
certvault sync recorded them. A library entry already renewed in the library is not listed (its
renewal is); a cloud copy of it is, because the cloud still serves it.

Options:
  --days N        due within N days (0-36500)
  --json          one JSON document on stdout:
                  {"certificates":[{"source":"library|remote","id":null|"…","account":null|"…","cloud":null|"…",
                    "remoteId":null|"…","commonName","notAfter","daysLeft"}]}
                  id is the library entry (for a remote copy, the entry it matched)
  --pretty        with --json: indented over several lines
  --prometheus    the node_exporter textfile collector format: every certificate, due or not (renewed
                  library entries left out, as above), as
                  certvault_certificate_not_after_seconds{source,cloud,account,name,id} <Unix seconds>
  -h, --help      show this help

Exit codes: 0 nothing is due, 4 at least one certificate is due, 1 failure, 2 bad command line.
`;

export const expiringCommand = defineCommand({
  name: 'expiring',
  summary: 'certificates in the library and on the clouds that expire soon (exit 4 when any is due)',
  help,
  options: { ...jsonOption, days: { type: 'string' }, prometheus: { type: 'boolean', default: false } },
  positionals: false,
  async run({ values }, { io, handlers }) {
    if (values.json && values.prometheus) throw new UsageError('choose one of --json and --prometheus');
    const alerts = alertsOf(handlers());
    const due = await alerts.expiring(values.days === undefined ? undefined : parseDays(values.days, '--days'));
    if (values.prometheus) io.stdout(prometheusText(await alerts.expiring(Number.MAX_SAFE_INTEGER)));
    else io.stdout(values.json ? jsonDocument({ certificates: due.map((certificate) => certificateJson(certificate, certificate.daysLeft)) }, values.pretty) : dueText(due));
    return due.length > 0 ? exitCodes.certificatesDue : exitCodes.ok;
  },
});

function dueText(due: readonly ExpiringCertificate[]): string {
  if (due.length === 0) return 'Nothing expires within the days asked.\n';
  const rows = due.map((c) => [
    c.notAfter.slice(0, 10),
    c.daysLeft < 0 ? 'expired' : `${c.daysLeft} d`,
    c.name,
    c.source === 'library' ? `library ${c.id?.slice(0, 12) ?? ''}` : `${c.account ?? ''} ${c.remoteId ?? ''}${c.renewedBy ? ' (renewed locally, not yet deployed)' : ''}`,
  ]);
  return table(['EXPIRES', 'LEFT', 'NAME', 'WHERE'], rows);
}
