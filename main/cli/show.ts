import { parseArgs } from 'node:util';
import { call } from './handler-context';
import { exitCodes, UsageError, type Command } from './command';
import { inspectionJson, inspectionText } from './inspect-output';

const help = `Usage: certvault show [--json] ID

Shows one library entry: its name, tags, notes and key state, then the inspector's report of its
certificate and chain. ID is the entry id, or a unique prefix of it or of the SHA-256 fingerprint.

Options:
  --json      one JSON document on stdout: the entry fields plus "inspection" (as certvault inspect --json)
  -h, --help  show this help
`;

export const showCommand: Command = {
  name: 'show',
  summary: 'show one library entry and its inspection',
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
    const { inspection, ...entry } = await call(handlers(), 'library.get', { id: positionals[0] ?? '' });
    if (values.json) {
      io.stdout(`${JSON.stringify({ ...entry, inspection: inspectionJson(inspection) }, null, 2)}\n`);
      return exitCodes.ok;
    }
    const fields: [string, string][] = [
      ['ID', entry.id],
      ['Name', entry.name],
      ['Tags', entry.tags.join(', ') || '-'],
      ['Private key', entry.keyState === 'none' ? 'none' : entry.keyState === 'sealed' ? 'sealed in the vault' : 'UNRECOVERABLE (data key missing from the keychain)'],
      ['Imported', `${entry.importedAt}${entry.sourceFile ? ` from ${entry.sourceFile}` : ''}`],
      ...(entry.notes ? ([['Notes', entry.notes.replace(/\n/g, '\n' + ' '.repeat(14))]] as [string, string][]) : []),
    ];
    io.stdout(`${fields.map(([label, value]) => `${`${label}:`.padEnd(13)} ${value}`).join('\n')}\n\n${inspectionText(inspection)}`);
    return exitCodes.ok;
  },
};
