import fs from 'node:fs';
import path from 'node:path';
import { exportFormats, type ExportFormat } from '../../shared/library';
import { keyFormats, vaultOf } from '../core/library';
import { checkVaultAction } from '../core/team/vault-actions';
import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, onlyPositional, UsageError } from './command';
import { jsonDocument } from './output';
import { passwordOptions, readPassword } from './password';

const help = `Usage: certvault export ID --format FORMAT --out FILE|- [--force] [--password-file FILE | --password-stdin] [--legacy] [--json]

Writes one library entry to FILE. ID is the entry id, a unique prefix of it or of the SHA-256
fingerprint, or the entry's name when no other entry has it. Files holding a private key are
created readable by you only (mode 0600). An existing FILE is replaced only with --force. With
--out - the export goes to standard output (for a pipe): certificates and chains as they are; a
private key (key, bundle, pfx) only with --force; binary formats (der, pfx) only into a file or a
pipe, never onto the terminal.

Formats:
  pem        the certificate (PEM)
  chain      the intermediate and root certificates (PEM)
  fullchain  the certificate followed by its chain (PEM)
  key        the private key (PKCS#8 PEM, unencrypted)
  bundle     certificate, chain and private key in one PEM file
  der        the certificate (binary DER)
  pfx        PKCS#12 with certificate, chain and key; needs a password. AES-256 by default,
             --legacy for 3DES (old Windows servers and appliances)
  ics        a calendar reminder before the certificate expires

Options:
  --password-file FILE  the PKCS#12 password: the first line of FILE
  --password-stdin      read it from the first line of standard input
  --legacy              PKCS#12 with 3DES and a SHA-1 MAC instead of AES-256 and SHA-256
  --force               replace an existing FILE; with --out -, allow a private key on stdout
  --json                print {"file","bytes"} on stdout (not with --out -)
  --pretty              with --json: indented
  -h, --help            show this help
`;

export const exportCommand = defineCommand({
  name: 'export',
  summary: 'write a library entry as PEM, DER, PKCS#12, key or calendar reminder',
  help,
  options: {
    format: { type: 'string' },
    out: { type: 'string' },
    ...passwordOptions,
    legacy: { type: 'boolean', default: false },
    force: { type: 'boolean', default: false },
    ...jsonOption,
  },
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    const id = onlyPositional(positionals, 'ID');
    const format = values.format;
    if (!isFormat(format)) throw new UsageError(`--format must be one of ${exportFormats.join(', ')}`);
    if (!values.out) throw new UsageError('--out FILE is required');
    if (values.legacy && format !== 'pfx') throw new UsageError('--legacy applies to --format pfx only');
    const password = await readPassword(values, io);
    if (format === 'pfx' && !password) throw new UsageError('--format pfx needs a password: give it with --password-file FILE or --password-stdin');
    const options = { ...(password ? { password } : {}), ...(values.legacy ? { legacy: true } : {}) };
    if (values.out === '-') {
      if (values.json) throw new UsageError('--json cannot be used with --out - (the export itself goes to standard output)');
      if (keyFormats.has(format) && !values.force) {
        throw new UsageError(`--format ${format} holds the private key: add --force to write it to standard output, or use --out FILE (created mode 0600)`);
      }
      if (binaryFormats.has(format) && io.stdoutIsTerminal) {
        // Binary bytes carry whatever the certificate holds, escape sequences included.
        throw new UsageError(`--format ${format} is binary: redirect standard output to a file or a pipe, or use --out FILE`);
      }
      const ctx = handlers();
      checkVaultAction(ctx, 'library.export', { id, format, path: '-', ...options });
      const rendered = await vaultOf(ctx).exportOut(id, format, { ...options, reminderDays: ctx.settings.get().expiringWithinDays });
      io.stdout(binaryFormats.has(format) ? rendered.bytes : rendered.bytes.toString('utf8'));
      return exitCodes.ok;
    }
    const file = path.resolve(values.out);
    if (!values.force && exists(file)) throw new UsageError(`${values.out} already exists: add --force to replace it`);
    const written = await call(handlers(), 'library.export', { id, format, path: file, ...options });
    io.stdout(values.json ? jsonDocument(written, values.pretty) : `wrote ${written.file} (${written.bytes} bytes)\n`);
    return exitCodes.ok;
  },
});

/** Formats that are not text: written to a pipe as bytes, never through the terminal escaping. */
const binaryFormats: ReadonlySet<ExportFormat> = new Set(['der', 'pfx']);

/** A dangling symlink counts: replacing it would write wherever it points. */
function exists(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

function isFormat(value: string | undefined): value is ExportFormat {
  return (exportFormats as readonly string[]).includes(value ?? '');
}
