import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CompiledQuery, sql } from 'kysely';
import { sortColumns, type LibraryQuery } from '../../../shared/library';
import { COUNT_ENTRIES_IF_CHANGED } from '../../../main/core/db/dialect-sql';
import { migratePostgresVault } from '../../../main/core/db/pg/migrations';
import { openPostgresVaultDb } from '../../../main/core/db/pg/open';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { listStatements } from '../../../main/core/library/search';
import { parseTeamUrl } from '../../../main/core/team/db/connection-url';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';

// What keeps PostgreSQL's search fast at 10,000 and 100,000 entries (bench/library-search.ts --engine
// postgres [--size 100000]), pinned as query plans rather than timings: windows from the sort
// column's index without a sort (a far one from its other end), rare terms through the pg_trgm
// index (a long one by a few of its parts), common ones by walking the sort index and stopping at
// the count's cap. PostgreSQL plans by its statistics, so the library here is big
// enough (and ANALYZEd) for the planner to face the choices it faces in a real team vault.

const ENTRIES = 5000;
const now = new Date('2026-06-01T00:00:00Z');

let cluster: PgCluster;
let vault: VaultDb;

beforeAll(async () => {
  cluster = await startPgCluster();
  const parsed = parseTeamUrl(cluster.url({ query: 'sslmode=disable' }));
  vault = openPostgresVaultDb({ address: parsed.address, password: parsed.password ?? '' });
  await migratePostgresVault(vault.db);
  // Rows as the entry store writes them (search_text lowercased, one field per line), made by the
  // server: importing 5,000 certificates through the Vault would take minutes.
  await sql`
    INSERT INTO entries (id, fingerprint_sha256, name, common_name, dns_names, subject, issuer, issuer_common_name,
      serial_number, not_before, not_after, key_algorithm, key_size, curve, is_ca, tags, notes, source_file,
      imported_at, updated_at, has_key, sm2_dual, cert_terms, search_text)
    SELECT id, fingerprint, host, host, '["' || host || '","www.' || host || '"]', 'CN=' || host, 'CN=Plan CA', 'Plan CA',
      serial, '2026-01-01T00:00:00.000Z', to_char(timestamp '2026-01-01' + i * interval '3 hours', 'YYYY-MM-DD"T"HH24:MI:SS".000Z"'),
      'EC', 256, 'P-256', 0, CASE WHEN i % 10 = 0 THEN '["payments"]' ELSE '[]' END, '', 'leaf-' || i || '.pem',
      '2026-05-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z', i % 2, 0, terms, terms || E'\n' || lower(host)
    FROM (
      SELECT i, 'e' || lpad(i::text, 8, '0') AS id, 'host' || i || '.example.' || (ARRAY['com', 'net', 'org'])[i % 3 + 1] AS host,
        encode(sha256(('fingerprint ' || i)::bytea), 'hex') AS fingerprint, md5('serial ' || i) AS serial
      FROM generate_series(1, ${ENTRIES}) AS i
    ) AS made,
    LATERAL (SELECT lower(concat_ws(E'\n', host, 'www.' || host, serial, fingerprint, 'cn=' || host, 'cn=plan ca')) AS terms) AS text
  `.execute(vault.db);
  await sql`VACUUM ANALYZE entries`.execute(vault.db);
}, 120_000);

afterAll(async () => {
  await vault?.close();
  await cluster?.stop();
}, 60_000);

/** EXPLAIN of the statement that finds a query's window (or its matches up to the count's cap). */
async function planOf(query: LibraryQuery): Promise<string> {
  const statements = listStatements(vault, { limit: 200, ...query }, now);
  return explain(statements.kind === 'indexed' ? statements.window : statements.matches(statements.countCap));
}

async function explain(statement: { compile(): CompiledQuery<unknown> }): Promise<string> {
  const { sql: text, parameters } = statement.compile();
  const result = await vault.db.executeQuery(CompiledQuery.raw(`EXPLAIN ${text}`, [...parameters]));
  return (result.rows as { 'QUERY PLAN': string }[]).map((row) => row['QUERY PLAN']).join('\n');
}

/** A plan step that sorts rows: what an index matching the ORDER BY avoids. */
const SORT_STEP = /^\s*(->\s+)?(Incremental )?Sort\b/m;

describe('PostgreSQL query plans', () => {
  // The first window, as the list opens. For a window deep in the list PostgreSQL may rather read
  // the table once and keep the top rows (a bounded sort), which its costs tell it is cheaper.
  it('walks the sort column\'s index (index only: expression indexes INCLUDE their column) for the first window, both directions', async () => {
    const wrong: string[] = [];
    for (const sort of sortColumns) {
      for (const descending of [false, true]) {
        const plan = await planOf({ sort, descending });
        const walked = /Index Only Scan (Backward )?using entries_by_/.test(plan) && !SORT_STEP.test(plan) && !/Seq Scan/.test(plan);
        if (!walked) wrong.push(`${sort} ${descending ? 'desc' : 'asc'}:\n${plan}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('finds a rare term (hostname, serial, fingerprint or its prefix) through the trigram index, never a scan', async () => {
    const fingerprint = (await sql<{ f: string }>`SELECT encode(sha256('fingerprint 1234'::bytea), 'hex') AS f`.execute(vault.db)).rows[0]!.f;
    const serial = (await sql<{ s: string }>`SELECT md5('serial 1234') AS s`.execute(vault.db)).rows[0]!.s;
    for (const search of ['host1234.example.org', serial, fingerprint, fingerprint.slice(0, 12), fingerprint.slice(0, 16).toUpperCase().match(/../g)!.join(':')]) {
      const plan = await planOf({ search });
      expect(plan, `${search}\n${plan}`).toMatch(/Bitmap Index Scan on entries_search_trgm/);
      expect(plan, `${search}\n${plan}`).not.toMatch(/Seq Scan/);
    }
  });

  it('asks the trigram index four parts of a long hex term (a fingerprint, a serial), checking the whole term only on the rows found', async () => {
    const fingerprint = (await sql<{ f: string }>`SELECT encode(sha256('fingerprint 1234'::bytea), 'hex') AS f`.execute(vault.db)).rows[0]!.f;
    const serial = (await sql<{ s: string }>`SELECT md5('serial 1234') AS s`.execute(vault.db)).rows[0]!.s;
    for (const search of [fingerprint, serial]) {
      const plan = await planOf({ search });
      const condition = /Index Cond: \(search_text ~~ '([^']*)'::text\)/.exec(plan)?.[1];
      // Four pieces of three characters between the wildcards, each with a letter: four trigrams to read, not 62 (or 30).
      const pieces = condition?.split('%').filter(Boolean);
      expect(pieces?.map((piece) => piece.length), `${search}\n${plan}`).toEqual([3, 3, 3, 3]);
      expect(pieces?.every((piece) => /[a-f]/.test(piece)), `${search}\n${plan}`).toBe(true);
      expect(plan, `${search}\n${plan}`).toMatch(/Filter: \(strpos\(search_text, '[0-9a-f]+'::text\) <> 0\)/);
    }
  });

  it('reads a window in the far half of the list from the end of the sort index, without a sort', async () => {
    for (const descending of [false, true]) {
      const statements = listStatements(vault, { sort: 'notAfter', descending, offset: ENTRIES - 200, limit: 200 }, now);
      if (statements.kind !== 'indexed') throw new Error('a list without search or filter reads the sort index');
      const plan = await explain(statements.rowsFromEnd(0, 200));
      // The window's 200 ids straight from the index walked backwards (the 200 rows read by them are then put in the list's order).
      const scan = descending ? 'Index Only Scan using entries_by_not_after' : 'Index Only Scan Backward using entries_by_not_after';
      expect(plan, plan).toMatch(new RegExp(`->  Limit .*\\n\\s+->  ${scan} `));
    }
  });

  it('walks the sort index for a common or short term and stops at the count\'s cap, without a sort', async () => {
    // example.org: a term long enough to be asked of the index by its parts, whose whole is then checked on each row.
    for (const query of [{ search: 'h' }, { search: 'ho' }, { search: 'example' }, { search: 'www example', sort: 'notAfter', descending: true }, { search: 'www example.org' }] satisfies LibraryQuery[]) {
      const plan = await planOf(query);
      expect(plan, `${JSON.stringify(query)}\n${plan}`).toMatch(/^Limit/);
      expect(plan, `${JSON.stringify(query)}\n${plan}`).toMatch(/Index Scan (Backward )?using entries_by_/);
      expect(plan, `${JSON.stringify(query)}\n${plan}`).not.toMatch(SORT_STEP);
    }
  });

  it('counts the library only when the snapshot moved since the kept count', async () => {
    const explain = async (snapshot: string) =>
      ((await vault.db.executeQuery(CompiledQuery.raw(`EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) ${COUNT_ENTRIES_IF_CHANGED}`, [snapshot]))).rows as { 'QUERY PLAN': string }[])
        .map((row) => row['QUERY PLAN'])
        .join('\n');
    const { snapshot } = (await sql<{ snapshot: string }>`SELECT pg_current_snapshot()::text AS snapshot`.execute(vault.db)).rows[0]!;
    const unchanged = await explain(snapshot);
    expect(unchanged, unchanged).toMatch(/Aggregate \(never executed\)/);
    const moved = await explain('');
    expect(moved, moved).toMatch(/Aggregate \(actual rows=1 loops=1\)/);
  });

  it('keeps no pending list in the trigram index, which every search would read whole', async () => {
    const { rows } = await sql<{ options: string[] | null }>`SELECT reloptions AS options FROM pg_class WHERE relname = 'entries_search_trgm'`.execute(vault.db);
    expect(rows[0]?.options).toContain('fastupdate=off');
  });
});
