import { printable } from '../../shared/printable';
import { libraryLimits, type EntryUpdate, type LibraryEntry } from '../../shared/library';
import { requestProblem } from '../core/ipc/dispatch';
import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, onlyPositional, UsageError } from './command';
import { jsonDocument } from './output';

const help = `Usage: certvault edit ID [--name NAME] [--tags TAG,TAG...] [--notes TEXT] [--if-unchanged-since TIME] [--json]

Changes what you call and note about one library entry; the certificate itself never changes.
ID is the entry id, or a unique prefix of it or of the SHA-256 fingerprint.

Options:
  --name NAME       its name (1-${libraryLimits.maxNameLength} characters)
  --tags TAG,...    replaces its tags (at most ${libraryLimits.maxTags}, each up to ${libraryLimits.maxTagLength} characters); --tags "" removes them all
  --notes TEXT      replaces its notes (up to ${libraryLimits.maxNotesLength} characters); --notes "" clears them
  --if-unchanged-since TIME
                    change it only if its updatedAt (shown by \`certvault show --json\`) is still TIME;
                    without it the entry is read and changed at once, and a change made by someone
                    else in between is still refused (exit code ${exitCodes.failure})
  --json            print the entry {"id","name","tags","notes","updatedAt"} as one JSON line (--pretty: indented)
  -h, --help        show this help
`;

export const editCommand = defineCommand({
  name: 'edit',
  summary: 'change the name, tags or notes of a library entry',
  help,
  options: {
    name: { type: 'string' },
    tags: { type: 'string' },
    notes: { type: 'string' },
    'if-unchanged-since': { type: 'string' },
    ...jsonOption,
  },
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    const id = onlyPositional(positionals, 'ID');
    const patch: { -readonly [K in keyof EntryUpdate]: EntryUpdate[K] } = {};
    if (values.name !== undefined) {
      if (values.name.trim() === '') throw new UsageError('--name is empty: an entry needs a name');
      patch.name = values.name;
    }
    if (values.tags !== undefined) patch.tags = splitTags(values.tags);
    if (values.notes !== undefined) patch.notes = values.notes;
    if (Object.keys(patch).length === 0) throw new UsageError('nothing to change: give --name, --tags or --notes');
    const given = values['if-unchanged-since'];
    // What was typed is checked before the entry is read for its revision.
    const problem = requestProblem('library.update', { id, baseUpdatedAt: given ?? new Date(0).toISOString(), ...patch });
    if (problem) throw problem;
    const ctx = handlers();
    const base = given ?? (await call(ctx, 'library.get', { id })).updatedAt;
    const entry = await call(ctx, 'library.update', { id, baseUpdatedAt: base, ...patch });
    io.stdout(values.json ? jsonDocument(entryJson(entry), values.pretty) : `updated ${entry.id} (${printable(entry.name)})\n`);
    return exitCodes.ok;
  },
});

/** `web, prod` -> ["web", "prod"]; empty items (a trailing comma) are dropped, repeats kept once. */
export function splitTags(text: string): string[] {
  return [...new Set(text.split(',').map((tag) => tag.trim()).filter((tag) => tag !== ''))];
}

function entryJson(entry: LibraryEntry) {
  return { id: entry.id, name: entry.name, tags: entry.tags, notes: entry.notes, updatedAt: entry.updatedAt };
}
