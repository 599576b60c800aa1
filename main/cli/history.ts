import { cloudIds, type CloudId } from '../../shared/model';
import { historyStatuses, type HistoryEntry } from '../../shared/uploads';
import { vaultOf } from '../core/library';
import { historyCsv } from '../core/uploads/history-csv';
import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, UsageError } from './command';
import { printable } from '../../shared/printable';
import { jsonDocument, table } from './output';

const help = `Usage: certvault history [--json | --csv] [--cert ID] [--cloud CLOUD] [--account NAME] [--status S]
                        [--limit N] [--check]

The upload history, newest first: every attempt to put a certificate on a cloud account.

Options:
  --json          one JSON document on one line of stdout:
                  {"uploads":[{"id","certificateId","fingerprintSha256","account","cloud","status","remoteId","requestId","error","startedAt","finishedAt"}]}
  --csv           the same rows as CSV (RFC 4180), as the app's "Export CSV" writes them
  --cert ID       one certificate: a library id (or unique prefix), or a SHA-256 fingerprint
  --cloud CLOUD   one cloud (${cloudIds.join(', ')})
  --account NAME  one account
  --status S      uploaded, duplicate, failed, cancelled, unknown or pending (repeatable)
  --limit N       at most N rows (default 1000)
  --pretty        with --json: indented
  --check         first settle "unknown" attempts (interrupted uploads) with each cloud's list call;
                  exits 1 while any attempt is still unknown (run it again later)
  -h, --help      show this help
`;

export const historyCommand = defineCommand({
  name: 'history',
  summary: 'the upload history, per certificate, cloud or account',
  help,
  options: {
    ...jsonOption,
    csv: { type: 'boolean', default: false },
    cert: { type: 'string' },
    cloud: { type: 'string' },
    account: { type: 'string' },
    status: { type: 'string', multiple: true, default: [] },
    limit: { type: 'string', default: '1000' },
    check: { type: 'boolean', default: false },
  },
  positionals: false,
  async run({ values }, { io, handlers }) {
    const cloud = values.cloud === undefined ? undefined : cloudIds.find((id) => id === values.cloud);
    if (values.cloud !== undefined && !cloud) throw new UsageError(`--cloud must be one of ${cloudIds.join(', ')}`);
    const status = values.status.map((value) => {
      const known = historyStatuses.find((s) => s === value);
      if (!known) throw new UsageError(`--status must be one of ${historyStatuses.join(', ')}`);
      return known;
    });
    if (values.json && values.csv) throw new UsageError('--json and --csv cannot be used together');
    if (values.cert?.trim() === '') throw new UsageError('--cert is empty: give a library ID or a SHA-256 fingerprint');
    if (!/^\d+$/.test(values.limit) || Number(values.limit) < 1 || Number(values.limit) > 10_000) throw new UsageError('--limit takes 1-10000');

    const ctx = handlers();
    let stillUnknown = 0;
    if (values.check) {
      const { results } = await call(ctx, 'history.check', {});
      for (const { entry, unresolvedBecause } of results) {
        io.stderr(`check ${entry.id}: ${unresolvedBecause ? `still unknown (${printable(unresolvedBecause.code)}: ${printable(unresolvedBecause.message)})` : entry.status}\n`);
        if (unresolvedBecause) stillUnknown += 1;
      }
    }
    const { entries } = await call(ctx, 'history.list', {
      ...certificateFilter(values.cert, () => vaultOf(ctx).resolve(values.cert!)),
      ...(cloud ? { cloud: cloud as CloudId } : {}),
      ...(values.account ? { accountName: values.account } : {}),
      ...(status.length ? { status } : {}),
      limit: Number(values.limit),
    });
    if (values.json) {
      io.stdout(jsonDocument({ uploads: entries.map(entryJson) }, values.pretty));
    } else if (values.csv) {
      io.stdout(historyCsv(entries));
    } else {
      io.stdout(historyText(entries));
    }
    if (stillUnknown > 0) {
      io.stderr(`certvault history: ${stillUnknown} ${stillUnknown === 1 ? 'upload is' : 'uploads are'} still of unknown outcome; run certvault history --check again later\n`);
      return exitCodes.failure;
    }
    return exitCodes.ok;
  },
});

/** A library id when it resolves; a full fingerprint also finds uploads made with --cert FILE. */
function certificateFilter(typed: string | undefined, resolve: () => string): { certificateId?: string; fingerprintSha256?: string } {
  if (typed === undefined) return {};
  if (/^[0-9a-f]{64}$/i.test(typed)) return { fingerprintSha256: typed.toLowerCase() };
  return { certificateId: resolve() };
}

function entryJson(entry: HistoryEntry) {
  return {
    id: entry.id,
    certificateId: entry.certificateId,
    fingerprintSha256: entry.fingerprintSha256,
    account: entry.accountName,
    cloud: entry.cloud,
    status: entry.status,
    remoteId: entry.remoteId,
    requestId: entry.requestId,
    error: entry.error ? { code: entry.error.code, message: entry.error.message } : null,
    startedAt: entry.startedAt,
    finishedAt: entry.finishedAt,
  };
}

function historyText(entries: readonly HistoryEntry[]): string {
  if (entries.length === 0) return 'No uploads.\n';
  const rows = entries.map((e) => [
    e.startedAt.slice(0, 19).replace('T', ' '),
    e.status,
    `${e.accountName} (${e.cloud})`,
    e.commonName ?? e.fingerprintSha256.slice(0, 16),
    e.remoteId ?? (e.error ? `${e.error.code}` : '-'),
  ]);
  return table(['STARTED (UTC)', 'STATUS', 'ACCOUNT', 'CERTIFICATE', 'REMOTE ID / ERROR'], rows);
}
