import { retireChoices, type AccountDeployment, type DeployPlan, type DeploymentRecord, type RetireChoice } from '../../shared/deploy';
import { printable } from '../../shared/printable';
import { deployOf } from '../core/deploy';
import { requireRole } from '../core/team/roles';
import { defineCommand, exitCodes, jsonOption, onlyPositional, UsageError } from './command';
import { jsonDocument, table } from './output';

// `certvault deploy` and `certvault rollback`: the window's Deploy… and Roll back, for scripts and
// deploy hooks. Both print the same result shape; --json is one line, the contract in README.

const deployHelp = `Usage: certvault deploy ID [--account NAME]... [--dry-run] [--retire keep|mute|delete] [--verify]
                       [--verify-timeout SECONDS] [--in-place] [--bind RESOURCE_ID]... [--json]

Replaces the certificates that library entry ID renews (its older versions in the library, or a
copy with the same or fewer names expiring earlier) on every resource that serves them: CDN
domains, load balancer listeners, gateway and live domains. The accounts are synced first, the
resources read fresh from each cloud, NEW uploaded where an account lacks it. A resource whose
domain NEW does not cover is blocked and keeps the old certificate; one already serving NEW is
skipped. Where the cloud can list them (Tencent), resources whose domains NEW covers but that serve
none of the old copies get NEW bound too ("bind"): those serving no certificate, an older copy of
this one, or an expired certificate; one serving another valid certificate is skipped unless named
with --bind. Accounts run side by side, each paced to its cloud's rate; every step is recorded in the
deployment history before it is sent (certvault history --kind deployments).

Options:
  --account NAME     only this account (repeatable; default: every account whose cloud can deploy)
  --dry-run          print the plan and change nothing
  --retire MODE      after success: keep the old copy (default), mute its expiry notices, or delete
                     it; either only once the cloud shows nothing bound to it any more
  --verify           connect over TLS to each domain and compare the certificate served with NEW
  --verify-timeout SECONDS
                     with --verify: keep probing this long while CDNs propagate (default 600,
                     at most 3600); a domain still serving OLD then is "deployed, not yet served"
  --in-place         keep the old copy's id and replace its content (where the cloud allows it;
                     the old certificate's key is sealed in the vault for a rollback)
  --bind RESOURCE_ID bind NEW to this resource although it serves another, unrelated certificate
                     (repeatable; the id as the plan lists it, e.g. from --dry-run --json)
  --json             one JSON document on one line of stdout:
                     {"deploymentId","plan":[{"account","cloud","oldRemoteId","newRemoteId","resources":[{"type","id","name","action":"replace|bind|skip|blocked","reason","currentRemoteId"}]}],
                      "results":[{"account","cloud","status":"deployed|partial|failed|unknown|rolled-back","ranBy":{"name","machine"},"resources":[{"type","id","action","status","error","source"}],"retired":[{"remoteId","action","done","error"}],"verified":[{"domain","served","ok"}]}]}
                     a result's "action" is the plan's (replace|bind|skip|blocked; a rollback keeps the
                     action it undoes); "source" says whose words "error" is: "cloud" (the cloud's
                     answer, passed through) or "app" (a Cert Vault check); null without an error
  --pretty           with --json: indented
  -h, --help         show this help

Exit codes: 0 every account deployed (or the dry run's plan printed); 3 partly deployed; 1 failed,
or an outcome is unknown (settle it with certvault history --kind deployments --check); 2 the
command line, the ID or an account could not be used, or nothing serves a certificate ID renews.
`;

const rollbackHelp = `Usage: certvault rollback DEPLOYMENT_ID [--json]

Puts the old certificate back on every resource that deployment moved (its id, or the first 8
characters of it, as certvault history --kind deployments shows), watched like a deployment and
recorded as a new one. Resources that failed, were skipped or blocked were never moved and stay.

Options:
  --json        {"deploymentId","results":[...]} on one line, as certvault deploy --json prints results
  --pretty      with --json: indented
  -h, --help    show this help

Exit codes: 0 everything rolled back; 3 partly; 1 failed or unknown; 2 no such deployment, or it
moved nothing, or it has not finished yet.
`;

export const deployCommand = defineCommand({
  name: 'deploy',
  summary: 'replace the certificates an entry renews everywhere they serve, on every cloud',
  help: deployHelp,
  options: {
    ...jsonOption,
    account: { type: 'string', multiple: true, default: [] },
    'dry-run': { type: 'boolean', default: false },
    retire: { type: 'string', default: 'keep' },
    verify: { type: 'boolean', default: false },
    'verify-timeout': { type: 'string' },
    'in-place': { type: 'boolean', default: false },
    bind: { type: 'string', multiple: true, default: [] },
  },
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    const id = onlyPositional(positionals, 'library ID');
    const retire = retireChoices.find((choice) => choice === values.retire);
    if (!retire) throw new UsageError(`--retire must be one of ${retireChoices.join(', ')}`);
    if (values.account.some((name) => name.trim() === '')) throw new UsageError('--account is empty: give an account name (see certvault account list)');
    if (values.bind.some((resource) => resource.trim() === '')) throw new UsageError('--bind is empty: give a resource id as certvault deploy --dry-run lists it');
    const verifyTimeoutMs = verifyTimeoutOf(values['verify-timeout'], values.verify);
    const options = {
      retire: retire satisfies RetireChoice,
      verify: values.verify,
      ...(verifyTimeoutMs === undefined ? {} : { verifyTimeoutMs }),
      inPlace: values['in-place'],
      ...(values.account.length ? { accountIds: values.account } : {}),
      ...(values.bind.length ? { bind: values.bind.map((resource) => resource.trim()) } : {}),
    };
    const ctx = handlers();
    const service = deployOf(ctx);
    if (values['dry-run']) {
      const plan = await service.plan(id, options);
      io.stdout(values.json ? jsonDocument({ deploymentId: null, plan: planJson(plan), results: [] }, values.pretty) : planText(plan));
      return exitCodes.ok;
    }
    requireRole(ctx, 'operator', 'deploy');
    const started = await service.start(id, options, (account, identity) => ctx.dialogs.confirmAccount(account, identity));
    if (!values.json) io.stderr(`deployment ${started.deploymentId.slice(0, 8)} started\n`);
    const record = await started.done;
    io.stdout(values.json ? jsonDocument({ deploymentId: record.id, plan: started.plan ? planJson(started.plan) : [], results: record.accounts.map(resultJson) }, values.pretty) : resultsText(record));
    return exitFor(record.accounts, 'deployed');
  },
});

export const rollbackCommand = defineCommand({
  name: 'rollback',
  summary: 'put the old certificate back where a deployment moved resources',
  help: rollbackHelp,
  options: { ...jsonOption },
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    const id = onlyPositional(positionals, 'deployment ID');
    const ctx = handlers();
    requireRole(ctx, 'operator', 'rollback');
    const started = await deployOf(ctx).rollback(id);
    const record = await started.done;
    io.stdout(values.json ? jsonDocument({ deploymentId: record.id, results: record.accounts.map(resultJson) }, values.pretty) : resultsText(record));
    return exitFor(record.accounts, 'rolled-back');
  },
});

/** Whole seconds within what the IPC schema accepts (an hour), as milliseconds. */
function verifyTimeoutOf(raw: string | undefined, verify: boolean): number | undefined {
  if (raw === undefined) return undefined;
  if (!verify) throw new UsageError('--verify-timeout needs --verify');
  const seconds = /^\d+$/.test(raw.trim()) ? Number(raw.trim()) : NaN;
  if (!Number.isInteger(seconds) || seconds > 3600) throw new UsageError(`--verify-timeout must be whole seconds from 0 to 3600, got "${raw}"`);
  return seconds * 1000;
}

function exitFor(accounts: readonly AccountDeployment[], good: 'deployed' | 'rolled-back'): number {
  if (accounts.every((a) => a.status === good)) return exitCodes.ok;
  if (accounts.some((a) => a.status === 'unknown')) return exitCodes.failure;
  return accounts.some((a) => a.status === good || a.status === 'partial') ? exitCodes.partialFailure : exitCodes.failure;
}

const errorJson = (error: { code: string; message: string } | null) => (error ? { code: error.code, message: error.message } : null);

function planJson(plan: DeployPlan) {
  return plan.accounts.map((a) => ({
    account: a.account,
    cloud: a.cloud,
    oldRemoteId: a.oldRemoteId,
    newRemoteId: a.newRemoteId,
    uploadFirst: a.uploadFirst,
    blockedBecause: errorJson(a.blockedBecause),
    resources: a.resources.map((r) => ({
      type: r.type,
      id: r.id,
      name: r.name,
      action: r.action,
      reason: r.reason?.en ?? null,
      ...(r.currentRemoteId === undefined ? {} : { currentRemoteId: r.currentRemoteId }),
    })),
  }));
}

export function resultJson(a: AccountDeployment) {
  return {
    account: a.account,
    cloud: a.cloud,
    status: a.status,
    error: errorJson(a.error),
    ranBy: a.ranBy,
    resources: a.resources.map((r) => ({ type: r.type, id: r.id, action: r.action, status: r.status, error: errorJson(r.error), source: r.error ? r.source : null })),
    retired: a.retired.map((r) => ({ remoteId: r.remoteId, action: r.action, done: r.done, error: errorJson(r.error) })),
    verified: a.verified.map((v) => ({ domain: v.domain, served: v.served, ok: v.ok })),
  };
}

function planText(plan: DeployPlan): string {
  if (plan.accounts.length === 0) return 'Nothing to deploy: no account holds a certificate this one renews.\n';
  const rows = plan.accounts.flatMap((a) => {
    const step = `${a.account} (${a.cloud})`;
    const copies = `${a.oldRemoteId ?? '-'} -> ${a.newRemoteId ?? (a.uploadFirst ? 'upload first' : '-')}`;
    if (a.blockedBecause) return [[step, copies, '-', 'blocked', a.blockedBecause.message]];
    if (a.resources.length === 0) return [[step, copies, '-', '-', 'nothing serves it']];
    return a.resources.map((r) => [step, copies, `${r.type} ${r.name ?? r.id}${r.port ? `:${r.port}` : ''}`, r.action, [r.reason?.en, ...r.diff.remarks.map((m) => m.en)].filter(Boolean).join('; ')]);
  });
  return `Plan (nothing was changed):\n${table(['ACCOUNT', 'OLD -> NEW', 'RESOURCE', 'ACTION', 'WHY / CHANGES'], rows)}`;
}

export function resultsText(record: DeploymentRecord): string {
  const rows = record.accounts.flatMap((a) => {
    const step = `${a.account} (${a.cloud})`;
    if (a.resources.length === 0) return [[step, '-', a.status, a.error ? `${a.error.code}: ${a.error.message}` : '']];
    return a.resources.map((r) => [step, `${r.type} ${r.name ?? r.id}`, r.status, r.error ? `${r.error.code}: ${r.error.message}` : '']);
  });
  const notes = record.accounts.flatMap((a) => [
    ...a.retired.map((r) => `${a.account}: ${r.action} ${r.remoteId}: ${r.done ? 'done' : `kept (${r.error?.message ?? ''})`}`),
    ...a.verified.map((v) => `${a.account}: ${v.domain} ${v.ok ? 'serves the new certificate' : `does not serve it yet${v.error ? ` (${v.error.message})` : ''}`}`),
    ...(a.status === 'unknown' && a.error ? [`${a.account}: ${a.error.message}`] : []),
  ]);
  const what = record.rollbackOf ? `Rollback ${record.id.slice(0, 8)} of ${record.rollbackOf.slice(0, 8)}` : `Deployment ${record.id.slice(0, 8)}`;
  const undo = record.rollbackOf ? '' : ` (undo with certvault rollback ${record.id.slice(0, 8)})`;
  return `${what}${undo}:\n${table(['ACCOUNT', 'RESOURCE', 'STATUS', 'ERROR'], rows)}${notes.map((line) => `${printable(line)}\n`).join('')}`;
}
