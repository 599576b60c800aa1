import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';

let cluster: PgCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

/** Whether `pid` still runs; a zombie waiting for init to reap it has exited. pg_ctl stop -w returns once the pid file is gone, a moment before the process itself, so give it a few seconds. */
async function processAlive(pid: number): Promise<boolean> {
  for (let attempt = 0; attempt < 50; attempt++) {
    let state: string;
    try {
      state = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /s, '')[0] ?? '';
    } catch {
      return false;
    }
    if (state === 'Z') return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

describe('throwaway PostgreSQL cluster', () => {
  it('starts on a loopback port with scram auth, and stop leaves no server and no folder behind', async () => {
    cluster = await startPgCluster();
    const client = new pg.Client({ connectionString: cluster.url() });
    await client.connect();
    const { rows } = await client.query<{ version: string; method: string }>(
      "select current_setting('server_version_num') as version, (select auth_method from pg_hba_file_rules where address = '127.0.0.1' limit 1) as method",
    );
    await client.end();
    expect(Number(rows[0]!.version)).toBeGreaterThanOrEqual(150000);
    expect(rows[0]!.method).toBe('scram-sha-256');

    const wrong = new pg.Client({ connectionString: cluster.url({ password: 'not-the-password' }) });
    await expect(wrong.connect()).rejects.toThrow(/password authentication failed/);

    const pid = Number(fs.readFileSync(path.join(cluster.dir, 'data', 'postmaster.pid'), 'utf8').split('\n')[0]);
    const { dir, port } = cluster;
    await cluster.stop();
    expect(fs.existsSync(dir)).toBe(false);
    expect(await processAlive(pid)).toBe(false);
    expect(await portOpen(port)).toBe(false);
    await cluster.stop(); // a second stop (teardown after a failed test) is harmless
  });
});
