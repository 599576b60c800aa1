import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAccount } from '../../../shared/uploads';
import { call } from '../../../main/cli/handler-context';
import { log } from '../../../main/core/log';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { makeLeaves, type TestLeaf } from './certs';
import { addAccount, importEntry, openApp, startClouds, stopClouds, waitForJob, type Clouds, type TestApp } from './harness';

// Several processes on one vault: a crash mid-upload (pending -> unknown -> check), and the app
// and two CLI processes uploading at the same time.
assertThrowawayKeyring();
log.setSink(null);

const ROOT = path.resolve(__dirname, '../../..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const CLI = path.join(ROOT, 'main', 'cli', 'certvault.ts');

let clouds: Clouds;
let app: TestApp;
let tencent: CloudAccount;
let aliyun: CloudAccount;
let leaves: TestLeaf[];

beforeAll(async () => {
  clouds = await startClouds();
  app = openApp();
  tencent = await addAccount(app, 'tencent', 'tencent-prod', clouds.tencent.url);
  aliyun = await addAccount(app, 'aliyun', 'aliyun-prod', clouds.aliyun.url);
  leaves = makeLeaves(4, { prefix: 'proc' });
}, 60_000);
afterAll(async () => {
  await stopClouds(clouds);
  app.close();
});

async function until(condition: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [CLI, '--home', app.dataDir, ...args], { cwd: ROOT, env: { ...process.env, CERTVAULT_LOG: 'off' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('uploads across processes', () => {
  it('a process killed mid-upload leaves a row that becomes unknown, and Check finds the certificate', async () => {
    const id = await importEntry(app, leaves[0]!.fullchain + leaves[0]!.key);
    clouds.tencent.faults.hangAfterReceive(1, 'UploadCertificate');
    // node with tsx's loader, not the tsx wrapper: the wrapper runs the script in a grandchild that SIGKILL would miss.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'upload-child.ts'), app.dataDir, id, tencent.id], { cwd: ROOT, env: process.env, stdio: 'ignore' });
    try {
      await until(() => clouds.tencent.state.callsOf('UploadCertificate').length === 1, 30_000, 'the upload to reach the emulator');
      const pending = await call(app.ctx, 'history.list', { certificateId: id });
      expect(pending.entries.map((e) => e.status)).toEqual(['pending']);
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));

    // The next start (a new service over the same database) finds the dead process's row.
    const restarted = openApp({ dataDir: app.dataDir });
    const [row] = (await call(restarted.ctx, 'history.list', { certificateId: id })).entries;
    expect(row).toMatchObject({ status: 'unknown', attempts: 1 });

    const { results } = await call(restarted.ctx, 'history.check', { ids: [row!.id] });

    expect(results[0]!.entry).toMatchObject({ status: 'uploaded', remoteId: clouds.tencent.state.store.list()[0]!.id });
    expect(clouds.tencent.state.store.size).toBe(1);
    // Uploading it again now is a duplicate, not a second copy.
    const { jobId } = await call(restarted.ctx, 'uploads.start', { certificateId: id, targets: [{ accountId: tencent.id }] });
    expect((await waitForJob(restarted, jobId)).results[0]!.status).toBe('duplicate');
    expect(clouds.tencent.state.store.size).toBe(1);
  }, 60_000);

  it('the app and two CLI processes upload to the same accounts at the same time', async () => {
    clouds.tencent.state.reset();
    clouds.aliyun.state.reset();
    const id = await importEntry(app, leaves[1]!.fullchain + leaves[1]!.key);
    const files = [2, 3].map((i) => {
      const file = path.join(app.dataDir, `leaf${i}.pem`);
      fs.writeFileSync(file, leaves[i]!.fullchain + leaves[i]!.key);
      return file;
    });

    const [fromApp, ...fromCli] = await Promise.all([
      call(app.ctx, 'uploads.start', { certificateId: id, targets: [{ accountId: tencent.id }, { accountId: aliyun.id }] }).then(({ jobId }) => waitForJob(app, jobId)),
      ...files.map((file) => run(['upload', '--json', '--cert', file, '--to', 'tencent-prod,aliyun-prod'])),
    ]);

    expect(fromApp.results.map((r) => r.status)).toEqual(['uploaded', 'uploaded']);
    for (const result of fromCli) {
      expect(result.stderr).not.toMatch(/busy|internal/i);
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).results.map((r: { status: string }) => r.status)).toEqual(['uploaded', 'uploaded']);
    }
    expect(clouds.tencent.state.store.size).toBe(3);
    expect(clouds.aliyun.state.store.size).toBe(3);
    const history = await call(app.ctx, 'history.list', { status: ['uploaded'] });
    const fingerprints = new Set(history.entries.map((e) => e.fingerprintSha256));
    expect(fingerprints.size).toBeGreaterThanOrEqual(3);
    expect(history.entries.filter((e) => e.status === 'pending')).toEqual([]);
  }, 90_000);
});
