import type { Kysely } from 'kysely';
import { VaultError } from '../../../shared/errors';
import { equalsNocase } from '../db/dialect-sql';
import type { VaultTables } from '../db/tables';
import { prepared } from '../db/prepared';
import { pooledRandomBytes } from '../random-pool';
import type { VaultDb, VaultEngine } from '../db/vault-db';

// Entry ids: 12 random hex digits (48 bits): short enough to type, and with a few thousand
// entries a collision is a one-in-a-billion event that `newEntryId` still checks for.

const ID_BYTES = 6;

const ID_TAKEN = prepared((db, p: { id: string }) => db.selectFrom('entries').select('id').where('id', '=', p.id));

/** An id not checked against the library yet (`newEntryId` checks it). */
export function randomEntryId(): string {
  return pooledRandomBytes(ID_BYTES).toString('hex');
}

export async function newEntryId(db: Kysely<VaultTables>, engine: VaultEngine): Promise<string> {
  for (;;) {
    const id = randomEntryId();
    if ((await ID_TAKEN(db, engine, { id })).rows.length === 0) return id;
  }
}

/** How many entries an ambiguous name lists: enough to pick one by id. */
const MAX_CANDIDATES = 10;

/**
 * Resolves what a user typed: an entry id, a unique prefix of an id or of a SHA-256 fingerprint
 * (colons and case ignored, as fingerprints are often copied as "AB:CD:..."), or else an entry's
 * name (case-insensitive) when exactly one entry has it.
 */
export async function resolveEntryId({ db, engine }: Pick<VaultDb, 'db' | 'engine'>, typed: string): Promise<string> {
  const prefix = typed.trim().toLowerCase().replace(/:/g, '');
  if (/^[0-9a-f]+$/.test(prefix)) {
    const exact = await db.selectFrom('entries').select('id').where('id', '=', prefix).executeTakeFirst();
    if (exact) return exact.id;
    // Range scans use the primary key and the fingerprint's unique index (both engines compare
    // these columns bytewise: SQLite's BINARY, PostgreSQL's COLLATE "C").
    const upper = `${prefix}g`;
    const rows = await db
      .selectFrom('entries')
      .select('id')
      .where('id', '>=', prefix)
      .where('id', '<', upper)
      .union(db.selectFrom('entries').select('id').where('fingerprint_sha256', '>=', prefix).where('fingerprint_sha256', '<', upper))
      .limit(MAX_CANDIDATES + 1)
      .execute();
    const matches = rows.map((row) => row.id);
    if (matches.length === 1) return matches[0] as string;
    if (matches.length > 1) throw new VaultError('vault.ambiguous_id', { id: typed, count: matches.length > MAX_CANDIDATES ? 'more than 10' : matches.length });
  }
  return byName({ db, engine }, typed);
}

async function byName({ db, engine }: Pick<VaultDb, 'db' | 'engine'>, typed: string): Promise<string> {
  const name = typed.trim();
  const matches = await db
    .selectFrom('entries')
    .select(['id', 'not_after'])
    .where(equalsNocase(engine, 'name', name))
    .orderBy('not_after', 'desc')
    .orderBy('id')
    .limit(MAX_CANDIDATES + 1)
    .execute();
  if (matches.length === 1) return matches[0]!.id;
  if (matches.length === 0) throw new VaultError('vault.not_found', { id: typed });
  const shown = matches.slice(0, MAX_CANDIDATES).map((m) => `${m.id} (expires ${m.not_after.slice(0, 10)})`);
  if (matches.length > MAX_CANDIDATES) shown.push('…');
  throw new VaultError('vault.ambiguous_name', { name, candidates: shown.join(', ') });
}
