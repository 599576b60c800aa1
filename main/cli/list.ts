import { libraryLimits, type LibraryListEntry } from '../../shared/library';
import { call } from './handler-context';
import { defineCommand, exitCodes, jsonOption } from './command';
import { jsonDocument, table } from './output';
import { parseDays } from './option-values';
import { daysLeft } from '../core/inventory/radar';

const help = `Usage: certvault list [--json] [--search QUERY] [--expiring-within DAYS] [--expired] [--current]

Lists the library, soonest expiry first. QUERY matches (case-insensitive, every word) the common
name, SANs, issuer, serial, fingerprint, name, tags and notes. The KEY column says "key" for a
private key that can be used, "lost" for one whose data key is gone from the keychain.

Options:
  --json                  one JSON document on one line of stdout:
                          {"certificates":[{"id","name","commonName","dnsNames","notAfter","fingerprintSha256","hasKey",
                          "keyState","tags"}]}; keyState is "none", "sealed" or "unrecoverable"
  --pretty                with --json: indented over several lines
  --search QUERY          only entries matching QUERY
  --expiring-within DAYS  only entries valid now that expire within DAYS days
  --expired               only expired entries
  --current               only the current version of each certificate: hide those a renewal in
                          the library replaces (same key type, same or more names, later expiry)
  -h, --help              show this help
`;

export const listCommand = defineCommand({
  name: 'list',
  summary: 'list, search and filter the library',
  help,
  options: {
    ...jsonOption,
    search: { type: 'string' },
    'expiring-within': { type: 'string' },
    expired: { type: 'boolean', default: false },
    current: { type: 'boolean', default: false },
  },
  positionals: false,
  async run({ values }, { io, handlers }) {
    const days = values['expiring-within'] === undefined ? undefined : parseDays(values['expiring-within'], '--expiring-within');
    const ctx = handlers();
    const entries: LibraryListEntry[] = [];
    for (let offset = 0; ; offset += libraryLimits.maxPageSize) {
      const page = await call(ctx, 'library.list', {
        ...(values.search === undefined ? {} : { search: values.search }),
        ...(days === undefined ? {} : { expiringWithinDays: days }),
        ...(values.expired ? { expired: true } : {}),
        ...(values.current ? { currentOnly: true } : {}),
        sort: 'notAfter',
        offset,
        limit: libraryLimits.maxPageSize,
      });
      entries.push(...page.entries);
      if (entries.length >= page.total || page.entries.length === 0) break;
    }
    if (values.json) {
      const certificates = entries.map((e) => ({
        id: e.id,
        name: e.name,
        commonName: e.commonName,
        dnsNames: e.dnsNames,
        notAfter: e.notAfter,
        fingerprintSha256: e.fingerprintSha256,
        hasKey: e.hasKey,
        keyState: e.keyState,
        tags: e.tags,
      }));
      io.stdout(jsonDocument({ certificates }, values.pretty));
    } else {
      const filtered = values.search !== undefined || days !== undefined || values.expired || values.current;
      io.stdout(entries.length > 0 ? listText(entries, ctx.now()) : filtered ? 'No certificates match.\n' : emptyLibrary);
    }
    return exitCodes.ok;
  },
});

const emptyLibrary = 'The library is empty. Add certificates with: certvault import FILE-OR-FOLDER...\n';

const keyColumn = { none: '-', sealed: 'key', unrecoverable: 'lost' } as const;

function listText(entries: readonly LibraryListEntry[], now: Date): string {
  const rows = entries.map((e) => [
    e.id,
    `${e.notAfter.slice(0, 10)} (${daysLeftText(e.notAfter, now)})`,
    keyColumn[e.keyState],
    e.name,
    e.dnsNames.length > 1 ? `${e.dnsNames[0]} +${e.dnsNames.length - 1}` : (e.dnsNames[0] ?? ''),
  ]);
  return table(['ID', 'EXPIRES', 'KEY', 'NAME', 'NAMES'], rows);
}

function daysLeftText(notAfter: string, now: Date): string {
  const days = daysLeft(notAfter, now);
  return days < 0 ? 'expired' : `${days} d`;
}
