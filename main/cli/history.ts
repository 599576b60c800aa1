import { cloudIds, type CloudId } from '../../shared/model';
import { historyStatuses, type HistoryEntry } from '../../shared/uploads';
import { vaultOf } from '../core/library';
import { historyCsv } from '../core/uploads/history-csv';
import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, UsageError, type CommandContext } from './command';
import type { DeploymentRecord } from '../../shared/deploy';
import { resultJson } from './deploy';
import { printable } from '../../shared/printable';
import { jsonDocument, table } from './output';

const help = `Usage: certvault history [--json | --csv] [--cert ID] [--cloud CLOUD] [--account NAME] [--status S]
                        [--limit N] [--check]
       certvault history --kind deployments [--json] [--cert ID] [--limit N] [--check]

The upload history, newest first: every attempt to put a certificate on a cloud account. With
--kind deployments, the deployment history instead: every certvault deploy and rollback (and the
window's), per account and resource.

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
                  exits 1 while any attempt is still unknown (run it again later). With --kind
                  deployments: settle unknown deployments by watching their task again or reading
                  what each resource serves now (nothing is sent twice)
  --kind KIND     uploads (default) or deployments; deployments --json:
                  {"deployments":[{"id","certificateId","commonName","rollbackOf","startedAt","finishedAt","results":[...as certvault deploy --json]}]}
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
    kind: { type: 'string', default: 'uploads' },
  },
  positionals: false,
  async run({ values }, { io, handlers }) {
    if (values.kind !== 'uploads' && values.kind !== 'deployments') throw new UsageError('--kind must be uploads or deployments');
    if (values.kind === 'deployments') {
      if (values.csv || values.cloud !== undefined || values.account !== undefined || values.status.length > 0) {
        throw new UsageError('--csv, --cloud, --account and --status apply to uploads only');
      }
      return deploymentHistory(values, io, handlers);
    }
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
      ...(await certificateFilter(values.cert, () => vaultOf(ctx).resolve(values.cert!))),
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

async function deploymentHistory(
  values: { json: boolean; pretty: boolean; cert?: string | undefined; limit: string; check: boolean },
  io: CommandContext['io'],
  handlers: CommandContext['handlers'],
): Promise<number> {
  if (values.cert?.trim() === '') throw new UsageError('--cert is empty: give a library ID');
  if (!/^\d+$/.test(values.limit) || Number(values.limit) < 1 || Number(values.limit) > 10_000) throw new UsageError('--limit takes 1-10000');
  const ctx = handlers();
  let stillUnknown = 0;
  if (values.check) {
    const { deployments } = await call(ctx, 'deploy.check', {});
    for (const record of deployments) {
      for (const account of record.accounts) {
        io.stderr(`check ${record.id.slice(0, 8)} ${printable(account.account)}: ${account.status}\n`);
        if (account.status === 'unknown') stillUnknown += 1;
      }
    }
  }
  const certificateId = values.cert === undefined ? undefined : await vaultOf(ctx).resolve(values.cert);
  const { deployments } = await call(ctx, 'deploy.history', { ...(certificateId ? { certificateId } : {}), limit: Number(values.limit) });
  if (values.json) {
    io.stdout(
      jsonDocument(
        {
          deployments: deployments.map((d) => ({
            id: d.id, certificateId: d.certificateId, commonName: d.commonName, rollbackOf: d.rollbackOf, startedAt: d.startedAt, finishedAt: d.finishedAt, results: d.accounts.map(resultJson),
          })),
        },
        values.pretty,
      ),
    );
  } else {
    io.stdout(deploymentsText(deployments));
  }
  if (stillUnknown > 0) {
    io.stderr(`certvault history: ${stillUnknown} deployment ${stillUnknown === 1 ? 'step is' : 'steps are'} still of unknown outcome; run certvault history --kind deployments --check again later\n`);
    return exitCodes.failure;
  }
  return exitCodes.ok;
}

function deploymentsText(records: readonly DeploymentRecord[]): string {
  if (records.length === 0) return 'No deployments.\n';
  const rows = records.flatMap((d) =>
    d.accounts.map((a) => [
      d.startedAt.slice(0, 19).replace('T', ' '),
      d.id.slice(0, 8),
      d.rollbackOf ? `rollback of ${d.rollbackOf.slice(0, 8)}` : 'deploy',
      a.status,
      `${a.account} (${a.cloud})`,
      d.commonName ?? d.fingerprintSha256.slice(0, 16),
      `${a.resources.filter((r) => r.status === 'deployed' || r.status === 'rolled-back').length}/${a.resources.length}`,
    ]),
  );
  return table(['STARTED (UTC)', 'ID', 'KIND', 'STATUS', 'ACCOUNT', 'CERTIFICATE', 'RESOURCES DONE'], rows);
}

/** A library id when it resolves; a full fingerprint also finds uploads made with --cert FILE. */
async function certificateFilter(typed: string | undefined, resolve: () => Promise<string>): Promise<{ certificateId?: string; fingerprintSha256?: string }> {
  if (typed === undefined) return {};
  if (/^[0-9a-f]{64}$/i.test(typed)) return { fingerprintSha256: typed.toLowerCase() };
  return { certificateId: await resolve() };
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
