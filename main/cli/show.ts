import type { EntryRef } from '../../shared/library';
import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, onlyPositional } from './command';
import { inspectionJson, inspectionText } from './inspect-output';
import { printable } from '../../shared/printable';
import { jsonDocument } from './output';

const help = `Usage: certvault show [--json] ID

Shows one library entry: its name, tags, notes, key state and renewals, then the inspector's
report of its certificate and chain. ID is the entry id, a unique prefix of it or of the SHA-256
fingerprint, or the entry's name when no other entry has it.

Options:
  --json      one JSON document on one line of stdout: the entry fields, "lineage" ({"renews",
              "renewedBy","currentVersion"}, each {"id","name","notAfter"}; renewedBy a list; null
              when none) and "inspection" (as certvault inspect --json)
  --pretty    with --json: indented over several lines
  -h, --help  show this help
`;

export const showCommand = defineCommand({
  name: 'show',
  summary: 'show one library entry and its inspection',
  help,
  options: jsonOption,
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    const { inspection, ...entry } = await call(handlers(), 'library.get', { id: onlyPositional(positionals, 'ID') });
    if (values.json) {
      io.stdout(jsonDocument({ ...entry, inspection: inspectionJson(inspection) }, values.pretty));
      return exitCodes.ok;
    }
    const fields: [string, string][] = [
      ['ID', entry.id],
      ['Name', entry.name],
      ['Tags', entry.tags.join(', ') || '-'],
      ['Private key', entry.keyState === 'none' ? 'none' : entry.keyState === 'sealed' ? 'sealed in the vault' : 'UNRECOVERABLE (its data key is gone from the keychain)'],
      ...lineageFields(entry.lineage),
      ['Imported', `${formatTime(entry.importedAt)}${entry.sourceFile ? ` from ${entry.sourceFile}` : ''}`],
      ...(entry.notes ? ([['Notes', entry.notes]] as [string, string][]) : []),
    ];
    // Notes may span lines: each line is made terminal-safe and indented under the first.
    const line = ([label, value]: [string, string]) =>
      `${`${label}:`.padEnd(13)} ${value.split(/\r?\n/).map(printable).join(`\n${' '.repeat(14)}`)}`;
    io.stdout(`${fields.map(line).join('\n')}\n\n${inspectionText(inspection)}`);
    return exitCodes.ok;
  },
});

/** Renewals, each as "ID  NAME (expires DATE)"; nothing when the entry has none. */
function lineageFields(lineage: { renews: EntryRef | null; renewedBy: readonly EntryRef[]; currentVersion: EntryRef | null }): [string, string][] {
  const ref = (entry: EntryRef) => `${entry.id}  ${entry.name} (expires ${entry.notAfter.slice(0, 10)})`;
  return [
    ...(lineage.renews ? ([['Renews', ref(lineage.renews)]] as [string, string][]) : []),
    ...(lineage.renewedBy.length ? ([['Renewed by', lineage.renewedBy.map(ref).join('\n')]] as [string, string][]) : []),
    ...(lineage.currentVersion ? ([['Current', ref(lineage.currentVersion)]] as [string, string][]) : []),
  ];
}

/** `2026-03-01T12:00:00.123Z` -> `2026-03-01 12:00:00 UTC`, as the inspector's dates read. */
function formatTime(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}
