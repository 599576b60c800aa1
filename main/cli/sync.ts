import { inventoryOf, type AccountSyncResult } from '../core/inventory';
import { defineCommand, exitCodes, jsonOption } from './command';
import { jsonDocument, table } from './output';

const help = `Usage: certvault sync [--account NAME]... [--json]

Reads every certificate on the cloud accounts (all of them, or each --account NAME): every page
of the cloud's list, each certificate's details, and what each is bound to (CDN domains, load
balancer listeners, gateway domains). The result replaces what the last sync of that account
recorded; an account that fails keeps its previous sync and does not stop the others.
No private key is read from a cloud.

Options:
  --account NAME  only this account (repeatable)
  --json          one JSON document on stdout:
                  {"accounts":[{"account","cloud","status":"ok|failed","certificates":N,"error":null|{"code","message"}}]}
  -h, --help      show this help

Exit codes: 0 every account synced, 1 failure, 3 at least one account failed.
`;

export const syncCommand = defineCommand({
  name: 'sync',
  summary: 'read every certificate on the cloud accounts, and what each is bound to',
  help,
  options: { ...jsonOption, account: { type: 'string', multiple: true, default: [] } },
  positionals: false,
  async run({ values }, { io, handlers }) {
    const results = await inventoryOf(handlers()).sync(values.account, {
      onProgress: (progress) => {
        if (!values.json && progress.phase === 'details' && progress.done === 0) io.stderr(`${progress.account}: ${progress.total} certificates listed\n`);
      },
    });
    io.stdout(values.json ? jsonDocument({ accounts: results.map(resultJson) }, values.pretty) : resultsText(results));
    return results.some((result) => result.status === 'failed') ? exitCodes.partialFailure : exitCodes.ok;
  },
});

function resultJson(result: AccountSyncResult) {
  return { account: result.account, cloud: result.cloud, status: result.status, certificates: result.certificates, error: result.error };
}

function resultsText(results: readonly AccountSyncResult[]): string {
  if (results.length === 0) return 'No accounts. Add one with certvault account add.\n';
  const rows = results.map((r) => [r.account, r.cloud, r.status, String(r.certificates), r.error ? `${r.error.code}: ${r.error.message}` : '']);
  return table(['ACCOUNT', 'CLOUD', 'STATUS', 'CERTIFICATES', 'ERROR'], rows);
}
