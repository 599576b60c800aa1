// Two members of one team vault importing at the same time (issue 11: "two members importing 5,000
// each concurrently"), against one member importing all 10,000 alone, on a throwaway PostgreSQL
// (tests/support/pg-cluster.ts, so the server binaries must be installed). Each member is a
// separate Node process with its own data folder and keychain, as two computers would be, running
// `certvault import --json <folder>` through its handler context on the team vault. The two
// halves of the library fixture both bring its CA certificate, as two folders of one issuer do.
// Afterwards the vault is checked: every entry there once, every sealed key opens with the team
// key, the CA stored once; and the server's own counts say how many transactions were rolled
// back (a write retried after losing a race) and whether any deadlock happened.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { sql, type Kysely } from 'kysely';
import { cliHandlerContext } from '../main/cli/handler-context';
import { importCommand } from '../main/cli/import';
import { openPostgresVaultDb } from '../main/core/db/pg/open';
import type { VaultTables } from '../main/core/db/tables';
import { sealingContext, type KeyRole } from '../main/core/library/store';
import { log } from '../main/core/log';
import { unseal } from '../main/core/seal';
import { openTeamDb } from '../main/core/team/db/connect';
import { parseTeamUrl } from '../main/core/team/db/connection-url';
import { approveRequest, createTeam, currentTeamKey, joinTeam } from '../main/core/team/membership';
import type { TeamEnvironment } from '../main/core/team/session';
import { contextOnVault } from '../main/core/team/vault-switch';
import { MemorySecretStore } from '../tests/unit/vault/helpers/memory-secret-store';
import { createDatabases } from '../tests/support/pg-superuser';
import { startPgCluster, type PgCluster } from '../tests/support/pg-cluster';
import { keychainOf, libraryFixture, writeKeychain } from './library-fixture';
import { writeSection } from './report';
import { librarySize, sizedTitle } from './size';

/** The library size (10,000 unless --size says otherwise): half per member; the member alone imports both halves. */
const TOTAL = librarySize();
const PER_MEMBER = TOTAL / 2;

/** What one member's process measured, printed as its last line. */
interface MemberRun {
  readonly code: number;
  readonly seconds: number;
  /** This process's CPU time, the parse worker's thread included. */
  readonly cpuSeconds: number;
  readonly counts: { readonly new: number; readonly merged: number; readonly failed: number; readonly keysNotStored: number };
}

/** A member's process: opens the team vault, says it is ready, imports `paths` when told to go, prints what it measured. */
async function member(home: string, vault: string, paths: readonly string[]): Promise<void> {
  log.setSink(null);
  const secrets = keychainOf(home);
  const base = { ...cliHandlerContext({ dataDir: home, appVersion: 'bench', env: {} }), secrets: () => secrets };
  const onVault = await contextOnVault(base, vault);
  let json = '';
  const io = {
    stdout: (output: string | Uint8Array) => {
      if (typeof output === 'string' && output.includes('"counts"')) json = output.slice(output.lastIndexOf('"counts"'));
    },
    stderr: (output: string | Uint8Array) => void process.stderr.write(output),
    readStdin: async () => '',
    env: {},
  };
  console.log('ready');
  await new Promise<void>((resolve) => createInterface({ input: process.stdin }).once('line', () => resolve()));
  const start = process.hrtime.bigint();
  const startCpu = process.cpuUsage();
  const code = await importCommand.run(['--json', ...paths], { io, handlers: () => onVault.ctx });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const used = process.cpuUsage(startCpu);
  await onVault.close();
  const counts = (JSON.parse(`{${json || '"counts":{}'}`) as { counts: MemberRun['counts'] }).counts;
  const run: MemberRun = { code, seconds, cpuSeconds: (used.user + used.system) / 1e6, counts };
  console.log(JSON.stringify(run));
  process.stdin.destroy();
}

interface Member {
  readonly home: string;
  readonly paths: readonly string[];
}

/** Starts every member's process, lets them all go at once when all are ready, and collects what they measured. */
async function importTogether(vault: string, members: readonly Member[]): Promise<{ runs: MemberRun[]; wallSeconds: number }> {
  const children = members.map(({ home, paths }) =>
    spawn(process.execPath, [...process.execArgv, __filename, 'member', home, vault, ...paths], {
      stdio: ['pipe', 'pipe', 'inherit'],
      env: { ...process.env, CERTVAULT_LOG: 'off' },
    }),
  );
  const lines = children.map((child) => createInterface({ input: child.stdout }));
  const ready = lines.map((reader) => new Promise<void>((resolve) => reader.once('line', () => resolve())));
  const last = children.map(
    (child, i) =>
      new Promise<MemberRun>((resolve, reject) => {
        let final = '';
        lines[i]!.on('line', (line) => (final = line));
        child.once('exit', (code) => {
          if (code !== 0) reject(new Error(`member ${i + 1}'s process ended with exit ${code}`));
          else resolve(JSON.parse(final) as MemberRun);
        });
      }),
  );
  await Promise.all(ready);
  const start = process.hrtime.bigint();
  for (const child of children) child.stdin.write('go\n');
  const runs = await Promise.all(last);
  return { runs, wallSeconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** A team vault `name` in its own database: its first member creates it (admin), the others join as operators; each member's data folder, keychain written beside it. */
async function teamVault(cluster: PgCluster, name: string, memberNames: readonly string[], homes: string[]): Promise<Member['home'][]> {
  await createDatabases(cluster, [name]);
  const url = cluster.url({ database: name, query: 'sslmode=disable' });
  const environment = (memberName: string): TeamEnvironment & { secrets: MemorySecretStore } => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `certvault-bench-${memberName.toLowerCase()}-`));
    homes.push(dataDir);
    return { dataDir, secrets: new MemorySecretStore(), now: () => new Date(), machine: `bench-${memberName.toLowerCase()}` };
  };
  const [adminName, ...others] = memberNames;
  const admin = environment(adminName!);
  await createTeam(admin, { url, name, memberName: adminName! });
  const envs = [admin];
  for (const memberName of others) {
    const joiner = environment(memberName);
    const { requestId, fingerprintPhrase } = await joinTeam(joiner, { url, name, memberName });
    await approveRequest(admin, name, { requestId, role: 'operator', phrase: fingerprintPhrase });
    envs.push(joiner);
  }
  for (const env of envs) writeKeychain(env.dataDir, env.secrets);
  return envs.map((env) => env.dataDir);
}

interface Check {
  readonly entries: number;
  readonly sealedKeys: number;
  readonly keysOpened: number;
  readonly cas: number;
  readonly caEntries: number;
  readonly rollbacks: number;
  readonly deadlocks: number;
}

/** The vault after the import: entries, keys opened with the team key, CA certificates stored, and the server's rollback and deadlock counts. */
async function check(cluster: PgCluster, name: string, adminHome: string): Promise<Check> {
  const { address, password } = parseTeamUrl(cluster.url({ database: name, query: 'sslmode=disable' }));
  const vault = openPostgresVaultDb({ address, password: password ?? '' });
  const db: Kysely<VaultTables> = vault.db;
  try {
    const { key } = await currentTeamKey({ dataDir: adminHome, secrets: keychainOf(adminHome), now: () => new Date() }, name);
    const count = async (table: 'entries' | 'sealed_keys' | 'library_cas') => Number((await db.selectFrom(table).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    const sealed = await db.selectFrom('sealed_keys').select(['entry_id', 'role', 'nonce', 'ciphertext']).execute();
    const keysOpened = sealed.filter((row) => unseal(key, { nonce: row.nonce, ciphertext: row.ciphertext }, sealingContext(row.entry_id, row.role as KeyRole)) !== null).length;
    const caEntries = (await db.selectFrom('entries').select('id').where('is_ca', '=', 1).execute()).length;
    // The statistics collector reports a finished transaction within a second or so.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const stats = await sql<{ rollbacks: string; deadlocks: string }>`SELECT xact_rollback AS rollbacks, deadlocks FROM pg_stat_database WHERE datname = ${name}`.execute(db);
    return {
      entries: await count('entries'),
      sealedKeys: sealed.length,
      keysOpened,
      cas: await count('library_cas'),
      caEntries,
      rollbacks: Number(stats.rows[0]!.rollbacks),
      deadlocks: Number(stats.rows[0]!.deadlocks),
    };
  } finally {
    await vault.close();
  }
}

function verify(label: string, runs: readonly MemberRun[], checked: Check): void {
  const problems = [
    ...runs.flatMap((run, i) => (run.code !== 0 || run.counts.failed !== 0 || run.counts.keysNotStored !== 0 ? [`member ${i + 1}: exit ${run.code}, ${run.counts.failed} failed, ${run.counts.keysNotStored} keys not stored`] : [])),
    ...(checked.entries !== TOTAL ? [`${checked.entries} entries, not ${TOTAL}`] : []),
    ...(checked.sealedKeys !== TOTAL || checked.keysOpened !== TOTAL ? [`${checked.keysOpened} of ${checked.sealedKeys} sealed keys open with the team key (${TOTAL} expected)`] : []),
    ...(checked.cas !== 1 || checked.caEntries !== 0 ? [`the CA is stored ${checked.cas} times, ${checked.caEntries} CA entries`] : []),
    ...(checked.deadlocks !== 0 ? [`${checked.deadlocks} deadlocks`] : []),
  ];
  if (problems.length > 0) throw new Error(`${label}: ${problems.join('; ')}`);
}

/** The fixture's CA and its first or second half of leaves, copied into a folder of their own. */
function half(fixture: string, which: 0 | 1, into: string): string {
  const folder = path.join(into, `half-${which + 1}`);
  fs.mkdirSync(folder);
  const leaves = fs.readdirSync(fixture).filter((file) => file.startsWith('leaf-')).sort();
  if (leaves.length < TOTAL) throw new Error(`the fixture holds ${leaves.length} leaves, ${TOTAL} needed`);
  for (const file of ['ca.pem', ...leaves.slice(which * PER_MEMBER, (which + 1) * PER_MEMBER)]) fs.copyFileSync(path.join(fixture, file), path.join(folder, file));
  return folder;
}

export async function run(): Promise<void> {
  log.setSink(null);
  if (!Number.isInteger(PER_MEMBER)) throw new Error(`--size must be even: two members import half each (got ${TOTAL})`);
  const fixture = await libraryFixture(TOTAL);
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-concurrent-'));
  const homes: string[] = [];
  const cluster = await startPgCluster();
  try {
    const halves = [half(fixture, 0, scratch), half(fixture, 1, scratch)];
    const [aloneHome] = await teamVault(cluster, 'alone', ['Ann'], homes);
    const [annHome, bobHome] = await teamVault(cluster, 'together', ['Ann', 'Bob'], homes);

    const alone = await importTogether('alone', [{ home: aloneHome!, paths: halves }]);
    const aloneLoad = os.loadavg()[0]!.toFixed(1);
    const aloneCheck = await check(cluster, 'alone', aloneHome!);
    verify('alone', alone.runs, aloneCheck);

    const together = await importTogether('together', [
      { home: annHome!, paths: [halves[0]!] },
      { home: bobHome!, paths: [halves[1]!] },
    ]);
    const togetherLoad = os.loadavg()[0]!.toFixed(1);
    const togetherCheck = await check(cluster, 'together', annHome!);
    verify('together', together.runs, togetherCheck);

    const server = openTeamDb({ address: parseTeamUrl(cluster.url({ query: 'sslmode=disable' })).address, password: cluster.password });
    const serverVersion = (await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(server).finally(() => server.destroy())).rows[0]!.v.split(' ')[0]!;

    const rate = (entries: number, seconds: number) => (entries / seconds).toFixed(0);
    const memberRow = (label: string, run: MemberRun, load: string) =>
      `| ${label} | ${run.counts.new.toLocaleString('en')} | ${run.seconds.toFixed(1)} | ${rate(run.counts.new, run.seconds)} | ${run.cpuSeconds.toFixed(1)} | ${rate(run.counts.new, run.cpuSeconds)} | ${load} |`;
    const body = `\`npm run bench -- team-import-concurrent\`: a team vault on a throwaway PostgreSQL ${serverVersion} on 127.0.0.1 (fsync off), two members (Ann, the admin, and Bob, an operator), each a separate Node process with its own data folder and keychain, as two computers would be, running \`certvault import --json <folder>\` through its handler context at the same moment (both started, the vault opened, then told to go together). Each imports its own ${PER_MEMBER.toLocaleString('en')} generated EC P-256 certificates with their keys (bench/library-fixture.ts), both folders bringing the same CA certificate. The same run first has one member import all ${TOTAL.toLocaleString('en')} (both folders) into a second, empty team vault on the same server. Wall time from "go" to the end of the command, in each process; CPU time of the process (its parse worker's thread included; the server's CPU is on top, on the same 2 cores). Load average (1 min) taken just after each import; the machine is shared with other work. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}.

| Import | Entries | Wall (s) | Entries/s | Process CPU (s) | Entries per CPU second | Load average |
| --- | ---: | ---: | ---: | ---: | ---: | ---: |
${memberRow(`one member alone, ${TOTAL.toLocaleString('en')}`, alone.runs[0]!, aloneLoad)}
${memberRow('Ann, concurrently', together.runs[0]!, togetherLoad)}
${memberRow('Bob, concurrently', together.runs[1]!, togetherLoad)}
| both together (first "go" to last end) | ${TOTAL.toLocaleString('en')} | ${together.wallSeconds.toFixed(1)} | ${rate(TOTAL, together.wallSeconds)} | | | ${togetherLoad} |

Checked after each import: ${togetherCheck.entries.toLocaleString('en')} entries, ${togetherCheck.keysOpened.toLocaleString('en')} of ${togetherCheck.sealedKeys.toLocaleString('en')} sealed keys open with the team key (AES-256-GCM bound to their entry), the CA certificate stored once (library_cas) and no CA entry, 0 files failed. The server's counts for the two members' database: ${togetherCheck.deadlocks} deadlocks, ${togetherCheck.rollbacks} transactions rolled back (a write that lost a race on a unique key is rolled back and run once more on its own; the alone run's database: ${aloneCheck.rollbacks}). Two members together: ${rate(TOTAL, together.wallSeconds)} entries/s, ${(alone.runs[0]!.seconds / together.wallSeconds).toFixed(2)}x one member alone (${rate(TOTAL, alone.runs[0]!.seconds)} entries/s). On 2 cores the two processes, their parse workers and the server share the same CPU (and the other work on the machine): two members can only gain what one leaves idle while it waits on the server, and the CPU columns are the steadier comparison.`;
    console.log(body);
    writeSection(sizedTitle('Team vault: two members importing at once', TOTAL), body);
  } finally {
    await cluster.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
    for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'member') {
  const [home, vault, ...paths] = process.argv.slice(3) as [string, string, ...string[]];
  void member(home, vault, paths).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
