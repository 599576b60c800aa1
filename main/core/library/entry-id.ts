import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import { VaultError } from '../../../shared/errors';
import type { StatementCache } from '../db/statements';

// Entry ids: 12 random hex digits (48 bits): short enough to type, and with a few thousand
// entries a collision is a one-in-a-billion event that `newEntryId` still checks for.

const ID_BYTES = 6;

export function newEntryId(sql: StatementCache): string {
  const exists = sql.get('SELECT 1 FROM entries WHERE id = ?').pluck();
  for (;;) {
    const id = randomBytes(ID_BYTES).toString('hex');
    if (!exists.get(id)) return id;
  }
}

/** How many entries an ambiguous name lists: enough to pick one by id. */
const MAX_CANDIDATES = 10;

/**
 * Resolves what a user typed: an entry id, a unique prefix of an id or of a SHA-256 fingerprint
 * (colons and case ignored, as fingerprints are often copied as "AB:CD:..."), or else an entry's
 * name (case-insensitive) when exactly one entry has it.
 */
export function resolveEntryId(db: Database.Database, typed: string): string {
  const prefix = typed.trim().toLowerCase().replace(/:/g, '');
  if (/^[0-9a-f]+$/.test(prefix)) {
    const exact = db.prepare('SELECT id FROM entries WHERE id = ?').pluck().get(prefix) as string | undefined;
    if (exact) return exact;
    // Range scans use the primary key and the fingerprint's unique index.
    const upper = `${prefix}g`;
    const matches = db
      .prepare(
        `SELECT id FROM entries WHERE id >= :prefix AND id < :upper
         UNION
         SELECT id FROM entries WHERE fingerprint_sha256 >= :prefix AND fingerprint_sha256 < :upper
         LIMIT 11`,
      )
      .pluck()
      .all({ prefix, upper }) as string[];
    if (matches.length === 1) return matches[0] as string;
    if (matches.length > 1) throw new VaultError('vault.ambiguous_id', { id: typed, count: matches.length > 10 ? 'more than 10' : matches.length });
  }
  return byName(db, typed);
}

function byName(db: Database.Database, typed: string): string {
  const name = typed.trim();
  const matches = db
    .prepare('SELECT id, not_after FROM entries WHERE name = ? COLLATE NOCASE ORDER BY not_after DESC, id LIMIT ?')
    .all(name, MAX_CANDIDATES + 1) as { id: string; not_after: string }[];
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) throw new VaultError('vault.not_found', { id: typed });
  const shown = matches.slice(0, MAX_CANDIDATES).map((m) => `${m.id} (expires ${m.not_after.slice(0, 10)})`);
  if (matches.length > MAX_CANDIDATES) shown.push('…');
  throw new VaultError('vault.ambiguous_name', { name, candidates: shown.join(', ') });
}
