// Kysely on SQLite: its stock driver prepares a statement for every query; the vault's dialect
// (main/core/db/sqlite-dialect.ts) keeps them by SQL text. 100,000 small queries, the shape of a
// store's work: half inserts (one notification row each, 1,000 per transaction), half lookups of
// one row by primary key. Each driver runs in a process of its own, on a fresh vault, so the
// other's memory never shows; queries/s is over the whole run, RSS is the process's high-water
// mark and its size at the end.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, SqliteDialect } from 'kysely';
import { openDatabase } from '../main/core/db/open';
import type { VaultTables } from '../main/core/db/tables';
import { sqliteVaultDb } from '../main/core/db/vault-db';
import { writeSection } from './report';

const QUERIES = 100_000;
const PER_TRANSACTION = 1_000;
type Driver = 'stock' | 'cached';

interface Result {
  readonly driver: Driver;
  readonly queriesPerSecond: number;
  readonly baselineMb: number;
  readonly peakMb: number;
  readonly endMb: number;
}

const mb = (bytes: number) => bytes / 1024 / 1024;

async function child(driver: Driver): Promise<Result> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-statements-'));
  try {
    const raw = openDatabase(dir);
    const db = driver === 'cached' ? sqliteVaultDb(raw, { owned: true }).db : new Kysely<VaultTables>({ dialect: new SqliteDialect({ database: raw }) });
    const baseline = process.memoryUsage().rss;
    const start = process.hrtime.bigint();
    const pairs = QUERIES / 2;
    for (let first = 0; first < pairs; first += PER_TRANSACTION) {
      await db.transaction().execute(async (trx) => {
        for (let i = first; i < first + PER_TRANSACTION; i++) {
          await trx
            .insertInto('alert_notifications')
            .values({ channel: 'desktop', subject: `library:${i}`, not_after: '2027-01-01T00:00:00.000Z', threshold: '30', notified_at: '2026-12-07T00:00:00.000Z' })
            .execute();
        }
      });
      for (let i = first; i < first + PER_TRANSACTION; i++) {
        await db
          .selectFrom('alert_notifications')
          .select('notified_at')
          .where('channel', '=', 'desktop')
          .where('subject', '=', `library:${i}`)
          .where('not_after', '=', '2027-01-01T00:00:00.000Z')
          .where('threshold', '=', '30')
          .executeTakeFirstOrThrow();
      }
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const result = { driver, queriesPerSecond: QUERIES / seconds, baselineMb: mb(baseline), peakMb: mb(process.resourceUsage().maxRSS * 1024), endMb: mb(process.memoryUsage().rss) };
    await db.destroy();
    return result;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

function inChild(driver: Driver): Result {
  const out = spawnSync(process.execPath, [...process.execArgv, __filename, 'child', driver], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`db-statements child (${driver}) failed: ${out.stderr}`);
  return JSON.parse(out.stdout.trim().split('\n').at(-1)!) as Result;
}

export function run(): void {
  const results = (['stock', 'cached'] as const).map(inChild);
  for (const result of results) console.log(`${result.driver}: ${Math.round(result.queriesPerSecond)} queries/s, RSS ${result.baselineMb.toFixed(0)} -> peak ${result.peakMb.toFixed(0)} MB, end ${result.endMb.toFixed(0)} MB`);
  const load = os.loadavg()[0]!.toFixed(1);
  const rows = results.map(
    (result) =>
      `| ${result.driver === 'stock' ? "Kysely's SqliteDialect (prepares every query)" : 'VaultSqliteDialect (statements cached by SQL text, LRU of 256)'} | ${Math.round(result.queriesPerSecond).toLocaleString('en')} | ${result.baselineMb.toFixed(0)} | ${result.peakMb.toFixed(0)} | ${result.endMb.toFixed(0)} |`,
  );
  writeSection(
    'Data layer: SQLite statements under Kysely',
    `${QUERIES.toLocaleString('en')} small queries through Kysely on a fresh SQLite vault (bench/db-statements.ts): ${(QUERIES / 2).toLocaleString('en')} single-row inserts (${PER_TRANSACTION.toLocaleString('en')} per transaction) and as many single-row lookups by primary key, each driver in a process of its own. "Before" is the RSS with the vault open, just before the first query; the peak is the process's high-water mark (\`process.resourceUsage().maxRSS\`). Load average ${load} on 2 shared cores; Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| Driver | Queries/s | RSS before (MB) | Peak RSS (MB) | RSS at the end (MB) |
| --- | ---: | ---: | ---: | ---: |
${rows.join('\n')}`,
  );
}

if (process.argv[2] === 'child') {
  void child(process.argv[3] as Driver).then((result) => console.log(JSON.stringify(result)));
}
