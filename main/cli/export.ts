import path from 'node:path';
import { exportFormats, type ExportFormat } from '../../shared/library';
import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, onlyPositional, UsageError } from './command';
import { passwordOptions, readPassword } from './password';

const help = `Usage: certvault export ID --format FORMAT --out FILE [--password-file FILE | --password-stdin] [--legacy] [--json]

Writes one library entry to FILE. ID is the entry id, a unique prefix of it or of the SHA-256
fingerprint, or the entry's name when no other entry has it. Files holding a private key are created readable by you only (mode 0600).

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
  --json                print {"file","bytes"} on stdout
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
    const written = await call(handlers(), 'library.export', {
      id,
      format,
      path: path.resolve(values.out),
      ...(password ? { password } : {}),
      ...(values.legacy ? { legacy: true } : {}),
    });
    io.stdout(values.json ? `${JSON.stringify(written)}\n` : `wrote ${written.file} (${written.bytes} bytes)\n`);
    return exitCodes.ok;
  },
});

function isFormat(value: string | undefined): value is ExportFormat {
  return (exportFormats as readonly string[]).includes(value ?? '');
}
