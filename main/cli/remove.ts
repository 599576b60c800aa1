import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, onlyPositional } from './command';
import { jsonDocument } from './output';

const help = `Usage: certvault remove [--json] ID

Deletes one library entry: its certificates and its sealed private keys. ID is the entry id, a
unique prefix of it or of the SHA-256 fingerprint, or the entry's name when no other entry has it.
There is no undo.

Options:
  --json      print {"removed":{"id"}} on stdout (--pretty: indented)
  -h, --help  show this help
`;

export const removeCommand = defineCommand({
  name: 'remove',
  summary: 'delete a library entry and its private key',
  help,
  options: jsonOption,
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    const removed = await call(handlers(), 'library.remove', { id: onlyPositional(positionals, 'ID') });
    io.stdout(values.json ? jsonDocument({ removed }, values.pretty) : `removed ${removed.id}\n`);
    return exitCodes.ok;
  },
});
