import { parseArgs } from 'node:util';
import { call } from './handler-context';
import { exitCodes, UsageError, type Command } from './command';

const help = `Usage: certvault remove [--json] ID

Deletes one library entry: its certificates and its sealed private keys. ID is the entry id, or a
unique prefix of it or of the SHA-256 fingerprint. There is no undo.

Options:
  --json      print {"removed":{"id"}} on stdout
  -h, --help  show this help
`;

export const removeCommand: Command = {
  name: 'remove',
  summary: 'delete a library entry and its private key',
  help,
  async run(args, { io, handlers }) {
    const { values, positionals } = parseArgs({
      args: [...args],
      allowPositionals: true,
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
    });
    if (values.help) {
      io.stdout(help);
      return exitCodes.ok;
    }
    if (positionals.length !== 1) throw new UsageError('give exactly one ID');
    const removed = await call(handlers(), 'library.remove', { id: positionals[0] ?? '' });
    io.stdout(values.json ? `${JSON.stringify({ removed })}\n` : `removed ${removed.id}\n`);
    return exitCodes.ok;
  },
};
