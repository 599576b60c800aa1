import type { KeychainStatus } from '../../shared/library';
import { call } from './handler-context';
import { exitCodes, jsonOption, parseCommandLine, UsageError, type Command } from './command';
import { jsonDocument } from './output';

const help = `Usage: certvault keychain status [--json]
       certvault keychain reset --confirm [--json]

The vault's data key, kept in the OS keychain, seals every private key in the library.

"status" says whether the keychain is reachable and holds the data key, and how many private keys
are sealed with it.

"reset" starts a new data key after the keychain lost the old one (a reinstalled system, a wiped
login keyring), so private keys can be stored again. The keys sealed with the lost data key can
then never be decrypted, even if the old keychain entry comes back: they stay in the library,
marked unrecoverable, and importing the same key again restores it. Refused while the keychain
still holds a working data key. Needs --confirm.

Options:
  --confirm   reset: yes, the keys sealed with the lost data key stay unrecoverable
  --json      one JSON document on one line of stdout: {"dataKey","sealedKeys","retiredKeys"}; dataKey is
              "ready", "missing" or "unavailable"; retiredKeys counts keys a reset left unrecoverable
  --pretty    with --json: indented over several lines
  -h, --help  show this help
`;

const options = { ...jsonOption, confirm: { type: 'boolean', default: false } } as const;

export const keychainCommand: Command = {
  name: 'keychain',
  summary: 'the data key in the OS keychain: status, and a new one after it was lost',
  help,
  async run(args, { io, handlers }) {
    const parsed = parseCommandLine(args, { options, positionals: true, help }, io);
    if (!parsed) return exitCodes.ok;
    const [action, ...extra] = parsed.positionals;
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]!.slice(0, 80)}"`);
    if (action === 'status') {
      const status = await call(handlers(), 'library.status', {});
      io.stdout(parsed.values.json ? jsonDocument(status, parsed.values.pretty) : statusText(status));
      return exitCodes.ok;
    }
    if (action === 'reset') {
      if (!parsed.values.confirm) {
        const status = await call(handlers(), 'library.status', {});
        throw new UsageError(
          `starting a new data key leaves ${keys(status.sealedKeys)} sealed with the old one unrecoverable for good; run again with --confirm`,
        );
      }
      const status = await call(handlers(), 'library.resetDataKey', { confirm: true });
      io.stdout(
        parsed.values.json
          ? jsonDocument(status, parsed.values.pretty)
          : `New data key stored in the keychain. ${keys(status.retiredKeys)} ${status.retiredKeys === 1 ? 'stays' : 'stay'} unrecoverable; import a key again to restore it.\n`,
      );
      return exitCodes.ok;
    }
    throw new UsageError(action === undefined ? 'give an action: status or reset' : `unknown action "${action.slice(0, 80)}" (status or reset)`);
  },
};

function keys(count: number): string {
  return `${count} private ${count === 1 ? 'key' : 'keys'}`;
}

function statusText(status: KeychainStatus): string {
  const retired = status.retiredKeys > 0 ? `\nUnrecoverable (sealed with an earlier, lost data key): ${keys(status.retiredKeys)}.` : '';
  switch (status.dataKey) {
    case 'ready':
      return `Data key: in the keychain; ${keys(status.sealedKeys)} sealed with it.${retired}\n`;
    case 'missing':
      return status.sealedKeys > 0
        ? `Data key: MISSING from the keychain; ${keys(status.sealedKeys)} cannot be decrypted. Restore the keychain entry, or start a new data key with: certvault keychain reset --confirm${retired}\n`
        : `Data key: none yet; it is created with the first private key imported.${retired}\n`;
    case 'unavailable':
      return `Keychain: not reachable. Certificates work; private keys cannot be stored or used until it is back (on Linux, install and unlock a Secret Service such as gnome-keyring).${retired}\n`;
  }
}
