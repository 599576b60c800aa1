import { limits } from '../../shared/ipc';
import { libraryLimits, type ImportResult } from '../../shared/library';
import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption, UsageError } from './command';
import { jsonDocument } from './output';
import { passwordOptions, readPassword } from './password';

const help = `Usage: certvault import [--json] [--name NAME] [--tag TAG]... [--password-file FILE | --password-stdin] PATH...

Files certificates, their chains and private keys in the library. PATH is a file or a folder
(read recursively; hidden files are skipped, and so are files in folders that hold no certificate
material). Everything given in one command is matched together: a certificate, its chain and its
key may be in separate files. A certificate already in the library is not added twice; a newly
supplied key or chain is merged into the existing entry. Private keys are sealed with the vault's
data key, kept in the OS keychain.

Options:
  --json                one JSON document on one line of stdout (--pretty: indented):
                        {"imported":[{"id","fingerprintSha256","duplicate"}],"failed":[{"file","error":{"code","message"}}],
                        "keysNotStored":[{"file","id","error":{"code","message"}}],
                        "counts":{"new","merged","failed","keysNotStored"}}; each list holds its
                        first ${libraryLimits.importListed}, the counts are the whole import's
  --name NAME           name for the entries (default: the certificate's common name); an entry
                        already in the library is renamed too
  --pretty              with --json: indented over several lines
  --tag TAG             add a tag (repeatable)
  --password-file FILE  password for encrypted keys and PKCS#12 files: the first line of FILE
  --password-stdin      read that password from the first line of standard input
  -h, --help            show this help

Certificates need no keychain: without one (or when it lost the vault's data key) they are still
imported, and each private key that could not be sealed is named on stderr with the reason.

Exit codes: 0 everything imported; 3 some files failed, or keys were not stored (named on stderr);
2 nothing could be imported.
`;

export const importCommand = defineCommand({
  name: 'import',
  summary: 'file certificates, chains and keys (files or folders) in the library',
  help,
  options: {
    ...jsonOption,
    name: { type: 'string' },
    tag: { type: 'string', multiple: true, default: [] },
    ...passwordOptions,
  },
  positionals: true,
  async run({ values, positionals }, { io, handlers }) {
    if (positionals.length === 0) throw new UsageError('no PATH given');
    const password = await readPassword(values, io);
    const ctx = handlers();
    const imported: ImportResult['imported'][number][] = [];
    const failed: ImportResult['failed'][number][] = [];
    const keysNotStored: ImportResult['keysNotStored'][number][] = [];
    const counts = { new: 0, merged: 0, failed: 0, keysNotStored: 0 };
    // One request per batch of paths: the same limit the window's requests are held to.
    for (let start = 0; start < positionals.length; start += limits.maxFilesPerRequest) {
      const result = await call(ctx, 'library.import', {
        paths: positionals.slice(start, start + limits.maxFilesPerRequest),
        ...(password === undefined ? {} : { password }),
        ...(values.name === undefined ? {} : { name: values.name }),
        ...(values.tag.length ? { tags: values.tag } : {}),
      });
      imported.push(...result.imported.slice(0, libraryLimits.importListed - imported.length));
      failed.push(...result.failed.slice(0, libraryLimits.importListed - failed.length));
      keysNotStored.push(...result.keysNotStored.slice(0, libraryLimits.importListed - keysNotStored.length));
      for (const key of ['new', 'merged', 'failed', 'keysNotStored'] as const) counts[key] += result.counts[key];
    }
    // The vault names only the entries it creates; one already there gets the name it was asked for.
    const renamed = new Set<string>();
    if (values.name !== undefined) {
      for (const entry of imported.filter((e) => e.duplicate)) {
        const { updatedAt } = await call(ctx, 'library.get', { id: entry.id });
        await call(ctx, 'library.update', { id: entry.id, baseUpdatedAt: updatedAt, name: values.name });
        renamed.add(entry.id);
      }
    }
    if (values.json) {
      io.stdout(
        jsonDocument({
          imported: imported.map(({ id, fingerprintSha256, duplicate }) => ({ id, fingerprintSha256, duplicate })),
          failed: failed.map(({ file, error }) => ({ file, error: { code: error.code, message: error.message } })),
          keysNotStored: keysNotStored.map(({ file, id, error }) => ({ file, id, error: { code: error.code, message: error.message } })),
          counts,
        }, values.pretty),
      );
    } else {
      for (const entry of imported) {
        io.stdout(`${entry.duplicate ? 'merged  ' : 'imported'} ${entry.id}  ${entry.fingerprintSha256}${renamed.has(entry.id) ? `  renamed to ${values.name!}` : ''}\n`);
      }
      const unlisted = counts.new + counts.merged - imported.length;
      if (unlisted > 0) io.stdout(`... and ${unlisted} more (certvault list shows them all)\n`);
      io.stdout(summary(counts));
    }
    for (const { error } of failed) io.stderr(`certvault import: ${error.message}\n`);
    if (counts.failed > failed.length) io.stderr(`certvault import: ... and ${counts.failed - failed.length} more files failed\n`);
    for (const { file, id, error } of keysNotStored) {
      io.stderr(`certvault import: ${file}: certificate imported as ${id}, private key not stored: ${error.message}\n`);
    }
    if (counts.keysNotStored > keysNotStored.length) {
      io.stderr(`certvault import: ... and ${counts.keysNotStored - keysNotStored.length} more private keys not stored\n`);
    }
    if (counts.failed === 0) return counts.keysNotStored === 0 ? exitCodes.ok : exitCodes.partialFailure;
    return counts.new + counts.merged === 0 ? exitCodes.unusableInput : exitCodes.partialFailure;
  },
});

/** The last line a person reads: how many entries are new, how many existed, how many files failed. */
function summary(counts: ImportResult['counts']): string {
  const parts = [`${counts.new} new ${counts.new === 1 ? 'entry' : 'entries'}`, `${counts.merged} already in the library`];
  if (counts.failed > 0) parts.push(`${counts.failed} ${counts.failed === 1 ? 'file' : 'files'} failed (below)`);
  if (counts.keysNotStored > 0) parts.push(`${counts.keysNotStored} private ${counts.keysNotStored === 1 ? 'key' : 'keys'} not stored (below)`);
  return `${parts.join(', ')}\n`;
}
