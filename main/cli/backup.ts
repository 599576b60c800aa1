import fs from 'node:fs';
import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, onlyPositional, UsageError, type CliIo } from './command';
import { jsonDocument } from './output';
import { readPassword } from './password';

// `certvault backup` and `certvault restore`: the library, its keys and the upload history in one
// passphrase-encrypted file (main/core/backup). The passphrase never comes from argv.

const passphraseHelp = `The passphrase is the first line of --passphrase-file FILE, or of standard input without it.`;

const backupHelp = `Usage: certvault backup --out FILE [--include-secrets] [--passphrase-file FILE] [--force] [--json]

Writes the library (certificates and chains), its private keys and the upload history to FILE,
encrypted with a passphrase (scrypt, AES-256-GCM). The cloud accounts' settings are included;
their secrets only with --include-secrets. FILE is created readable by you only (mode 0600).
${passphraseHelp} At least 10 characters; without it the backup cannot be opened.

Options:
  --out FILE              where to write the backup (conventionally *.cvbackup)
  --include-secrets       also the cloud accounts' secrets from the keychain
  --passphrase-file FILE  the passphrase: the first line of FILE
  --force                 replace FILE if it exists
  --json                  print {"backup":{"file","entries","keys","accounts","history","secrets"}} on one line
  --pretty                with --json: indented over several lines
  -h, --help              show this help
`;

const restoreHelp = `Usage: certvault restore FILE [--replace] [--passphrase-file FILE] [--json]

Restores a backup written by "certvault backup" (or Settings › Backup and restore). Private keys
are sealed again with this machine's keychain, so a backup restores on a new machine too.
Restore does not merge: the vault must be empty, or --replace replaces its certificates, keys,
history and accounts with the backup's. It is all or nothing: on any error the vault is unchanged.
Restored accounts must be confirmed again in the app before keys are uploaded to them.
${passphraseHelp}

Options:
  --replace               replace what this vault holds
  --passphrase-file FILE  the passphrase: the first line of FILE
  --json                  print {"restored":{"entries","keys","accounts","history","secrets"}} on one line
  --pretty                with --json: indented over several lines
  -h, --help              show this help
`;

async function readPassphrase(file: string | undefined, io: CliIo): Promise<string> {
  return (await readPassword({ 'password-file': file, 'password-stdin': file === undefined }, io)) ?? '';
}

export const backupCommand = defineCommand({
  name: 'backup',
  summary: 'write the library, keys and history to a passphrase-encrypted file',
  help: backupHelp,
  options: {
    out: { type: 'string' },
    'include-secrets': { type: 'boolean', default: false },
    'passphrase-file': { type: 'string' },
    force: { type: 'boolean', default: false },
    ...jsonOption,
  },
  positionals: false,
  async run({ values }, { io, handlers }) {
    if (!values.out) throw new UsageError('--out FILE is required');
    if (!values.force && fs.existsSync(values.out)) throw new UsageError(`${values.out} exists; use --force to replace it`);
    const passphrase = await readPassphrase(values['passphrase-file'], io);
    const backup = await call(handlers(), 'vault.backup', { path: values.out, passphrase, includeSecrets: values['include-secrets'] });
    io.stdout(
      values.json
        ? jsonDocument({ backup }, values.pretty)
        : `backed up ${backup.entries} certificates (${backup.keys} private keys), ${backup.accounts} accounts${backup.secrets ? ' with their secrets' : ''} and ${backup.history} upload records to ${backup.file}\n`,
    );
    return exitCodes.ok;
  },
});

export const restoreCommand = defineCommand({
  name: 'restore',
  summary: 'restore a backup into an empty vault (or --replace)',
  help: restoreHelp,
  options: {
    replace: { type: 'boolean', default: false },
    'passphrase-file': { type: 'string' },
    ...jsonOption,
  },
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    const file = onlyPositional(positionals, 'FILE');
    const passphrase = await readPassphrase(values['passphrase-file'], io);
    const restored = await call(handlers(), 'vault.restore', { path: file, passphrase, replace: values.replace });
    io.stdout(
      values.json
        ? jsonDocument({ restored }, values.pretty)
        : `restored ${restored.entries} certificates (${restored.keys} private keys), ${restored.accounts} accounts and ${restored.history} upload records\n`,
    );
    return exitCodes.ok;
  },
});
