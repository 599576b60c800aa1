import { inventoryOf, type StoredCopy } from '../core/inventory';
import { defineCommand, exitCodes, jsonOption, UsageError } from './command';
import { jsonDocument, table } from './output';

const help = `Usage: certvault remote list [--account NAME] [--json]

The certificates the last sync found on the cloud accounts (see certvault sync), soonest expiry
first per account, each with the library entry it matched and how: by SHA-256 fingerprint, by
serial number and issuer, or by names and expiry date.

Options:
  --account NAME  only this account
  --json          one JSON document on stdout:
                  {"certificates":[{"account","cloud","remoteId","commonName","dnsNames":[],"notAfter",
                    "fingerprintSha256":null|"hex","libraryId":null|"id","matchedBy":"fingerprint|serial|names|null",
                    "bindings":[{"type","id","name"}]}]}
  -h, --help      show this help
`;

export const remoteCommand = defineCommand({
  name: 'remote',
  summary: 'the certificates found on the cloud accounts by the last sync',
  help,
  options: { ...jsonOption, account: { type: 'string' } },
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    if (positionals.length !== 1 || positionals[0] !== 'list') throw new UsageError('the only action is "list"');
    const copies = await inventoryOf(handlers()).list(values.account);
    io.stdout(values.json ? jsonDocument({ certificates: copies.map(copyJson) }, values.pretty) : copiesText(copies));
    return exitCodes.ok;
  },
});

function copyJson(copy: StoredCopy) {
  return {
    account: copy.account,
    cloud: copy.cloud,
    remoteId: copy.remoteId,
    commonName: copy.commonName,
    dnsNames: copy.dnsNames,
    notAfter: copy.notAfter,
    fingerprintSha256: copy.fingerprintSha256,
    libraryId: copy.libraryId,
    matchedBy: copy.matchedBy,
    bindings: copy.bindings.map((binding) => ({ type: binding.type, id: binding.id, name: binding.name })),
  };
}

function copiesText(copies: readonly StoredCopy[]): string {
  if (copies.length === 0) return 'No remote certificates recorded. Run certvault sync first.\n';
  const rows = copies.map((c) => [
    c.account,
    c.remoteId,
    c.commonName ?? c.dnsNames[0] ?? '-',
    c.notAfter?.slice(0, 10) ?? '-',
    c.libraryId ? `${c.libraryId.slice(0, 12)} (${c.matchedBy})` : '-',
    c.bindings.map((binding) => binding.name ?? binding.id).join(', ') || '-',
  ]);
  return table(['ACCOUNT', 'REMOTE ID', 'NAME', 'EXPIRES', 'LIBRARY', 'BOUND TO'], rows);
}
