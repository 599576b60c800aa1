import type { TargetResult, UploadProgress } from '../../shared/uploads';
import { vaultOf } from '../core/library';
import { requireRole } from '../core/team/roles';
import { uploadsOf } from '../core/uploads';
import { materialFromFiles, materialFromLibrary } from '../core/uploads/material';
import { defineCommand, exitCodes, jsonOption, UsageError } from './command';
import { optionsPerAccount, parseSetting } from './option-values';
import { printable } from '../../shared/printable';
import { jsonDocument, table } from './output';
import { passwordOptions, readPassword } from './password';

const help = `Usage: certvault upload [--json] ID --to NAME[,NAME...] [--set [ACCOUNT:]KEY=VALUE]... [--force]
       certvault upload [--json] --cert FILE [--key FILE] [--password-file F] --to NAME[,NAME...] [...]

Uploads one certificate to every named cloud account at once (see certvault account list), each
paced to its cloud's rate limit. Retries throttling and transient failures; a request whose outcome
is unknown is never simply repeated: the cloud's certificate list is checked first. An account
that already holds the certificate reports "duplicate" with the existing remote id.

ID is a library entry (its id, a unique prefix of it or of the fingerprint, or a name only it has). With --cert the
certificate (and --key) are read from files without importing them: for deploy hooks such as
certbot's --deploy-hook (see README).

Options:
  --json                    one JSON document on one line of stdout:
                            {"results":[{"account","cloud","status":"uploaded|duplicate|failed|unknown","remoteId","requestId","attempts","error":{"code","message"}}]}
                            "unknown": the request may have reached the cloud; run certvault history --check
  --pretty                  with --json: indented
  --to NAME[,NAME...]       the accounts (repeatable)
  --set KEY=VALUE           an upload option for every account whose cloud has it (alias, name,
                            projectId, certificateType, tags=k=v,k2=v2, ...); ACCOUNT:KEY=VALUE for one
  --force                   upload even where the upload history says the account already has it
  --cert FILE               certificate file: leaf, optionally with its chain, or PKCS#12
  --key FILE                its private key, if not in --cert
  --password-file FILE      password of an encrypted key or PKCS#12 file (first line of FILE)
  --password-stdin          read that password from standard input
  -h, --help                show this help

Progress goes to stderr. Exit codes: 0 every account has the certificate (uploaded or duplicate);
3 some failed or their outcome is unknown (each on one stderr line with the cloud's code, request
id and what to do); 2 the command line, an account name or the certificate files could not be used;
1 nothing was sent (a pre-flight problem); 5 the keychain is unavailable.
`;

export const uploadCommand = defineCommand({
  name: 'upload',
  summary: 'upload a certificate to one or more cloud accounts',
  help,
  options: {
    ...jsonOption,
    to: { type: 'string', multiple: true, default: [] },
    set: { type: 'string', multiple: true, default: [] },
    force: { type: 'boolean', default: false },
    cert: { type: 'string' },
    key: { type: 'string' },
    ...passwordOptions,
  },
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    if (values.cert === undefined && positionals.length !== 1) throw new UsageError('give one library ID, or --cert FILE');
    if (values.cert !== undefined && positionals.length > 0) throw new UsageError('give a library ID or --cert FILE, not both');
    if (values.key !== undefined && values.cert === undefined) throw new UsageError('--key goes with --cert');
    const names = values.to.flatMap((list) => list.split(',')).map((name) => name.trim()).filter((name) => name !== '');
    if (names.length === 0) throw new UsageError('--to names no account');
    const settings = values.set.map(parseSetting);

    const ctx = handlers();
    requireRole(ctx, 'operator', 'upload');
    const service = uploadsOf(ctx);
    const accounts = await service.accountsNamed(names);
    const overrides = optionsPerAccount(settings, accounts, (account) => service.provider(account.cloud).optionFields);

    let certificateId: string | null = null;
    let reload: () => Promise<Awaited<ReturnType<typeof materialFromFiles>>>;
    if (values.cert !== undefined) {
      const password = await readPassword(values, io);
      const files = { certificate: values.cert, ...(values.key ? { key: values.key } : {}), ...(password === undefined ? {} : { password }) };
      reload = () => materialFromFiles(files);
    } else {
      const vault = vaultOf(ctx);
      const id = await vault.resolve(positionals[0]!);
      certificateId = id;
      reload = async () => (await materialFromLibrary(vault, id)).material;
    }
    const material = await reload();
    const targets = await service.resolveTargets(
      material,
      accounts.map((account) => ({ accountId: account.id, options: overrides.get(account.id) ?? {} })),
    );
    // Naming the accounts at this terminal is the user's confirmation that their keys may go there.
    await service.ensureConfirmed(targets.map((target) => target.account), async () => true);
    const { done } = service.jobs.start(
      { certificateId, fingerprintSha256: material.leaf.fingerprintSha256, loadMaterial: reload, targets, force: values.force },
      material,
      (progress) => io.stderr(progressLine(progress)),
    );
    const { results } = await done;

    if (values.json) {
      io.stdout(jsonDocument({ results: results.map(resultJson) }, values.pretty));
    } else {
      io.stdout(resultsText(results));
    }
    for (const result of results.filter((r) => r.status === 'failed' || r.status === 'cancelled')) io.stderr(failureLine(result));
    return results.every((r) => r.status === 'uploaded' || r.status === 'duplicate') ? exitCodes.ok : exitCodes.partialFailure;
  },
});

/** The request may have reached the cloud: the history row says 'unknown' until it is checked. */
function outcomeUnknown(result: TargetResult): boolean {
  return result.error?.code === 'upload.unknown_outcome';
}

/**
 * One stderr line per account that did not get the certificate: the cloud's code and message, the
 * request id to quote to support, and what to do, on the same line so a log keeps them together.
 */
function failureLine(result: TargetResult): string {
  const error = result.error;
  const request = result.requestId ? ` (request ${printable(result.requestId)})` : '';
  const hint = outcomeUnknown(result)
    ? 'Run "certvault history --check" before uploading again.'
    : error?.hint?.en && error.hint.en !== error.message ? error.hint.en : '';
  const what = error ? `${printable(error.code)}: ${printable(error.message)}` : result.status;
  const line = `${what}${request}`;
  return `certvault upload: ${printable(result.accountName)}: ${line}${hint ? `${line.endsWith('.') ? '' : '.'} ${printable(hint)}` : ''}\n`;
}

function resultJson(result: TargetResult) {
  return {
    account: result.accountName,
    cloud: result.cloud,
    // As the history stores it; a cancelled target did not get the certificate.
    status: outcomeUnknown(result) ? 'unknown' : result.status === 'cancelled' ? 'failed' : result.status,
    remoteId: result.remoteId,
    requestId: result.requestId,
    attempts: result.attempts,
    error: result.error ? { code: result.error.code, message: result.error.message } : null,
  };
}

/** One aligned row per account: status, where, and the ids a person would look up in the console. */
function resultsText(results: readonly TargetResult[]): string {
  const rows = results.map((result) => [
    outcomeUnknown(result) ? 'unknown' : result.status,
    `${result.accountName} (${result.cloud})`,
    [result.remoteId ? `remote id ${result.remoteId}` : '', result.requestId ? `request ${result.requestId}` : ''].filter(Boolean).join(', '),
  ]);
  return table(['STATUS', 'ACCOUNT', 'DETAILS'], rows);
}

function progressLine(progress: UploadProgress): string {
  if (progress.state === 'retrying') {
    return `${progress.accountName}: retrying in ${((progress.waitMs ?? 0) / 1000).toFixed(1)} s after ${progress.error?.code ?? 'an error'} (attempt ${progress.attempt})\n`;
  }
  if (progress.state === 'uploading') return `${progress.accountName}: uploading (attempt ${progress.attempt})\n`;
  return '';
}
