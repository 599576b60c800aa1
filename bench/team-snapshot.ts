// The team vault's local copy (main/core/team/offline/snapshot.ts): how long copying the whole
// vault from PostgreSQL into its SQLite file takes at the library size (10,000 entries unless
// --size says otherwise), and how much memory the copy takes on top of the process, which paging
// is meant to keep flat however large the library. A throwaway PostgreSQL
// (tests/support/pg-cluster.ts, so the server binaries must be installed) on the same machine.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { sql } from 'kysely';
import { migratePostgresVault } from '../main/core/db/pg/migrations';
import { openPostgresVaultDb } from '../main/core/db/pg/open';
import type { VaultDb } from '../main/core/db/vault-db';
import { log } from '../main/core/log';
import { parseTeamUrl } from '../main/core/team/db/connection-url';
import { SNAPSHOT_PAGE_ROWS, writeSnapshot } from '../main/core/team/offline/snapshot';
import { startPgCluster } from '../tests/support/pg-cluster';
import { writeSection } from './report';
import { librarySize, sizedTitle } from './size';

const REFRESHES = 5;
const BATCH = 500;

const mb = (bytes: number) => (bytes / 1024 / 1024).toFixed(1);
const ms = (value: number) => value.toFixed(0);

/** Entries shaped as the library stores them: a ~1.2 KB leaf, one shared CA, a sealed key, a name. */
async function seed(vault: VaultDb, size: number): Promise<void> {
  const caDer = randomBytes(1100);
  for (let start = 0; start < size; start += BATCH) {
    const count = Math.min(BATCH, size - start);
    const rows = Array.from({ length: count }, (_, k) => {
      const i = start + k;
      const name = `host-${String(i).padStart(6, '0')}.bench.example.com`;
      const fingerprint = randomBytes(32).toString('hex');
      return { i, name, fingerprint, id: `entry-${String(i).padStart(6, '0')}` };
    });
    await vault.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('entries')
        .values(
          rows.map(({ i, name, fingerprint, id }) => ({
            id,
            fingerprint_sha256: fingerprint,
            name,
            common_name: name,
            dns_names: JSON.stringify([name, `www.${name}`]),
            subject: `CN=${name}, O=Bench`,
            issuer: 'CN=Bench CA, O=Bench',
            issuer_common_name: 'Bench CA',
            serial_number: randomBytes(16).toString('hex'),
            not_before: '2026-01-01T00:00:00.000Z',
            not_after: '2027-01-01T00:00:00.000Z',
            key_algorithm: 'EC',
            key_size: 256,
            curve: 'P-256',
            is_ca: 0 as const,
            tags: '["bench"]',
            notes: '',
            source_file: 'bench.pem',
            imported_at: '2026-12-07T00:00:00.000Z',
            updated_at: '2026-12-07T00:00:00.000Z',
            has_key: 1 as const,
            sm2_dual: 0 as const,
            cert_terms: `${name} www.${name} ${fingerprint}`,
            search_text: `${name} www.${name} ${fingerprint}`,
            search_rowid: i + 1,
          })),
        )
        .execute();
      await trx
        .insertInto('entry_certificates')
        .values(
          rows.flatMap(({ id, fingerprint }) => [
            { entry_id: id, position: 0, role: 'leaf' as const, fingerprint_sha256: fingerprint, spki_sha256: randomBytes(32).toString('hex'), der: randomBytes(1200) },
            { entry_id: id, position: 1, role: 'chain' as const, fingerprint_sha256: 'ca'.repeat(32), spki_sha256: 'cb'.repeat(32), der: caDer },
          ]),
        )
        .execute();
      await trx
        .insertInto('sealed_keys')
        .values(rows.map(({ id }) => ({ entry_id: id, role: 'leaf' as const, key_algorithm: 'EC', nonce: randomBytes(12), ciphertext: randomBytes(160) })))
        .execute();
      await trx
        .insertInto('entry_names')
        .values(rows.flatMap(({ id, name }) => [{ name, entry_id: id }, { name: `www.${name}`, entry_id: id }]))
        .execute();
    });
  }
}

interface Copy {
  readonly wallMs: number;
  readonly cpuMs: number;
  /** Highest RSS seen during the copy, over the RSS just before it. */
  readonly peakRss: number;
  /** The longest the event loop was held at once (the app's main process answers nothing meanwhile). */
  readonly stallMs: number;
  readonly rows: number;
}

async function timedCopy(vault: VaultDb, file: string): Promise<Copy> {
  global.gc?.();
  const base = process.memoryUsage().rss;
  let peak = base;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  const cpu = process.cpuUsage();
  const start = performance.now();
  const written = await writeSnapshot(vault, file, () => new Date());
  const wallMs = performance.now() - start;
  const used = process.cpuUsage(cpu);
  clearInterval(sampler);
  delay.disable();
  peak = Math.max(peak, process.memoryUsage().rss);
  return { wallMs, cpuMs: (used.user + used.system) / 1000, peakRss: peak - base, stallMs: delay.max / 1e6, rows: written.rows };
}

export async function run(): Promise<void> {
  log.setSink(null);
  const size = librarySize();
  const cluster = await startPgCluster();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-snapshot-'));
  const { address, password } = parseTeamUrl(cluster.url({ query: 'sslmode=disable' }));
  const vault = openPostgresVaultDb({ address, password: password ?? '' });
  try {
    await migratePostgresVault(vault.db);
    await seed(vault, size);
    const file = path.join(home, 'team.snapshot.sqlite');
    const first = await timedCopy(vault, file);
    const again: Copy[] = [];
    for (let i = 0; i < REFRESHES; i++) again.push(await timedCopy(vault, file));
    const sorted = [...again].sort((a, b) => a.wallMs - b.wallMs);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const version = (await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(vault.db)).rows[0]!.v.split(' ')[0]!;
    const load = os.loadavg().map((value) => value.toFixed(1)).join(' ');
    const row = (label: string, copy: Copy) => `| ${label} | ${ms(copy.wallMs)} | ${ms(copy.cpuMs)} | ${ms(copy.stallMs)} | ${mb(copy.peakRss)} |`;
    const body = `\`npm run bench -- team-snapshot\`: the whole team vault (${size.toLocaleString('en')} entries, each with a leaf and a chain certificate, a sealed key and two names: ${first.rows.toLocaleString('en')} rows) copied from a throwaway PostgreSQL ${version} on 127.0.0.1 into its local SQLite copy (one REPEATABLE READ transaction, pages of ${SNAPSHOT_PAGE_ROWS} rows, temp file synced and renamed). The app does this after opening a team vault and after each change it hears of (debounced), so an offline app shows the last synced state. Time in ms (CPU is this process's: the copy's share, the server's is on top), stall: the longest the event loop was held at once (the app's main process answers nothing meanwhile); memory in MB: the highest RSS seen during the copy over the RSS before it. The schema's indexes are dropped for the copy and built again after it, one at a time (about 15% less CPU than keeping them up to date row by row). File: ${mb(fs.statSync(file).size)} MB. Load average ${load} (two cores shared with other work).

| copy | wall | CPU | stall | peak RSS over base |
|---|---|---|---|---|
${row('first (empty data folder)', first)}
${row(`refresh, median of ${REFRESHES}`, median)}
${row(`refresh, slowest of ${REFRESHES}`, sorted.at(-1)!)}
`;
    console.log(body);
    writeSection(sizedTitle('Team vault: local copy for offline reading', size), body);
  } finally {
    await vault.close();
    await cluster.stop();
    fs.rmSync(home, { recursive: true, force: true });
  }
}
