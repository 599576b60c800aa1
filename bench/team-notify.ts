// How soon another member's app hears of a change to a team vault (issue 11: "within a second").
// A throwaway PostgreSQL (tests/support/pg-cluster.ts, so the server binaries must be installed),
// one team, one listening app on its own connection (main/core/team/db/listener.ts). Two cases:
// a bare audit append + NOTIFY committed by another connection, and a whole `team join` (member
// key generated, request and audit row written, announced), each timed from the start of the
// writer's work to the listener's callback. Same process, so both clocks are one.
import fs from 'node:fs';
import { sql } from 'kysely';
import os from 'node:os';
import path from 'node:path';
import { appendAudit } from '../main/core/team/audit';
import { openTeamDb } from '../main/core/team/db/connect';
import { parseTeamUrl } from '../main/core/team/db/connection-url';
import { TeamListener } from '../main/core/team/db/listener';
import { createTeam, joinTeam } from '../main/core/team/membership';
import { TeamSettingsStore } from '../main/core/team/team-settings';
import { log } from '../main/core/log';
import { MemorySecretStore } from '../tests/unit/vault/helpers/memory-secret-store';
import { startPgCluster } from '../tests/support/pg-cluster';
import { writeSection } from './report';

const APPENDS = 300;
const JOINS = 40;

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (value: number) => value.toFixed(1);

export async function run(): Promise<void> {
  log.setSink(null);
  const cluster = await startPgCluster();
  const homes: string[] = [];
  const home = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bench-team-'));
    homes.push(dir);
    return dir;
  };
  const url = cluster.url({ query: 'sslmode=disable' });
  const { address } = parseTeamUrl(url);
  let listener: TeamListener | undefined;
  const db = openTeamDb({ address, password: cluster.password });
  try {
    const admin = { dataDir: home(), secrets: new MemorySecretStore(), now: () => new Date(), machine: 'bench-admin' };
    await createTeam(admin, { url, name: 'bench', memberName: 'Admin' });
    const teamId = new TeamSettingsStore(admin.dataDir).find('bench').teamId;
    // Appends are awaited by their subject; a join by its action (its request id is not known before).
    const waiting = new Map<string, (at: number) => void>();
    listener = new TeamListener(
      { address, password: cluster.password },
      { onNotification: (n) => waiting.get(n.action === 'member.request' ? n.action : (n.subject ?? ''))?.(performance.now()) },
    );
    await listener.start();
    const heard = (key: string) => new Promise<number>((resolve) => waiting.set(key, resolve));

    const appendLatency: number[] = [];
    for (let i = 0; i < APPENDS; i++) {
      const subject = `bench-${i}`;
      const arrival = heard(subject);
      const start = performance.now();
      await db.transaction().execute((tx) => appendAudit(tx, teamId, { memberId: null, memberName: 'bench', machine: 'bench' }, { action: 'bench.append', subject, detail: {} }, new Date()));
      appendLatency.push((await arrival) - start);
    }

    const joinLatency: number[] = [];
    for (let i = 0; i < JOINS; i++) {
      const joiner = { dataDir: home(), secrets: new MemorySecretStore(), now: () => new Date(), machine: `bench-${i}` };
      const arrival = heard('member.request');
      const start = performance.now();
      await joinTeam(joiner, { url, name: 'bench', memberName: `Member ${i}` });
      joinLatency.push((await arrival) - start);
    }

    const rows = [
      `| audit append + NOTIFY (${APPENDS}) | ${ms(percentile(appendLatency, 50))} | ${ms(percentile(appendLatency, 95))} | ${ms(Math.max(...appendLatency))} |`,
      `| whole \`team join\` (${JOINS}) | ${ms(percentile(joinLatency, 50))} | ${ms(percentile(joinLatency, 95))} | ${ms(Math.max(...joinLatency))} |`,
    ];
    const body = `\`npm run bench -- team-notify\`: a throwaway PostgreSQL ${await serverVersion(db)} on 127.0.0.1 (same machine, two cores shared with other work), one app listening on its own connection; time from the start of another member's write to the listener's callback, in ms. Target (issue 11): under 1 s.

| change | p50 | p95 | max |
|---|---|---|---|
${rows.join('\n')}
`;
    console.log(body);
    writeSection('Team vault: live updates (LISTEN/NOTIFY)', body);
  } finally {
    await listener?.close();
    await db.destroy();
    await cluster.stop();
    for (const dir of homes) fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function serverVersion(db: ReturnType<typeof openTeamDb>): Promise<string> {
  return (await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(db)).rows[0]!.v.split(' ')[0]!;
}
