import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';
import type { CliIo } from '../../../main/cli/command';
import { log } from '../../../main/core/log';
import { defaultCredentials } from '../../emulators/credentials';
import type { RunningEmulator } from '../../emulators/server';
import { startTencentEmulator } from '../../emulators/tencent';
import { FakeClock } from '../../unit/uploads/support/fake-clock';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { FakeDeployCloud } from './fake-deploy-cloud';
import { makeCerts, type TestCert } from './world';

// `certvault deploy|rollback|history --kind deployments` in-process, on a temp vault and the
// throwaway keychain. Accounts, sync and the upload of NEW go to the Tencent emulator through the
// real provider; the deploy verbs are the scripted fake's (the Tencent deployer is another
// branch's work), keyed by the same account key and remote ids.
assertThrowawayKeyring();
log.setSink(null);

const secretId = defaultCredentials.tencent.accessKeyId;
let emulator: RunningEmulator;
let home: string;
let fake: FakeDeployCloud;
let OLD: TestCert;
let NEW: TestCert;

beforeAll(async () => {
  emulator = await startTencentEmulator({ latencyMs: 0 });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-deploy-cli-'));
  fake = new FakeDeployCloud(new FakeClock());
  // Real time here: the first poll finds the task done.
  fake.pollsBeforeDone = 0;
  [OLD, NEW] = makeCerts([
    { names: ['www.deploy.test'], days: 30 },
    { names: ['www.deploy.test', 'api.deploy.test'], days: 365 },
  ]) as [TestCert, TestCert];
}, 60_000);
afterAll(async () => {
  await emulator.close();
  fs.rmSync(home, { recursive: true, force: true });
});

async function cli(args: string[], options: { stdin?: string } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += typeof text === 'string' ? text : Buffer.from(text).toString('latin1')),
    stderr: (text) => void (stderr += text),
    readStdin: async () => options.stdin ?? '',
    env: {},
  };
  const code = await runCli(['--home', home, ...args], io, { deployers: () => fake.deployer });
  const json = () => {
    expect(stdout.slice(0, -1)).not.toContain('\n');
    return JSON.parse(stdout) as Record<string, unknown>;
  };
  return { code, stdout, stderr, json };
}

function file(name: string, text: string): string {
  const target = path.join(home, name);
  fs.writeFileSync(target, text);
  return target;
}

describe('certvault deploy', () => {
  let newId: string;
  let oldRemote: string;

  it('sets up: OLD uploaded to the account and serving two resources, NEW imported', async () => {
    const tencent = defaultCredentials.tencent;
    const added = await cli(['account', 'add', '--cloud', 'tencent', '--name', 'tprod', '--endpoint', emulator.url, '--project-id', '0'], {
      stdin: JSON.stringify({ secretId: tencent.accessKeyId, secretKey: tencent.accessKeySecret }),
    });
    expect(added.code).toBe(0);
    const oldId = ((await cli(['import', '--json', file('old.pem', OLD.pem + OLD.key)])).json().imported as { id: string }[])[0]!.id;
    newId = ((await cli(['import', '--json', file('new.pem', NEW.pem + NEW.key)])).json().imported as { id: string }[])[0]!.id;
    const uploaded = await cli(['upload', '--json', oldId, '--to', 'tprod']);
    oldRemote = (uploaded.json().results as { remoteId: string }[])[0]!.remoteId;
    fake.bind(secretId, oldRemote, { id: 'www.deploy.test' });
    fake.bind(secretId, oldRemote, { id: 'legacy', domains: ['legacy.other.test'] });
  });

  it('--dry-run --json prints the plan in the documented shape and changes nothing', async () => {
    const result = await cli(['deploy', newId, '--dry-run', '--json']);
    expect(result.code).toBe(0);
    expect(result.json()).toEqual({
      deploymentId: null,
      plan: [
        {
          account: 'tprod', cloud: 'tencent', oldRemoteId: oldRemote, newRemoteId: null, uploadFirst: true, blockedBecause: null,
          resources: [
            { type: 'cdn', id: 'www.deploy.test', name: 'www.deploy.test', action: 'replace', reason: null },
            { type: 'cdn', id: 'legacy', name: 'legacy', action: 'blocked', reason: 'the new certificate does not cover legacy.other.test' },
          ],
        },
      ],
      results: [],
    });
    expect(fake.ops('start')).toEqual([]);
    expect(fake.serving(secretId)).toEqual({ 'www.deploy.test': oldRemote, legacy: oldRemote });
    expect(emulator.state.store.size).toBe(1);
  });

  it('deploys: uploads NEW, moves what NEW covers, exits 3 for the blocked resource, and history lists it', async () => {
    const result = await cli(['deploy', newId, '--json', '--retire', 'delete']);
    expect(result.code).toBe(3);
    const doc = result.json() as { deploymentId: string; plan: unknown[]; results: { status: string; resources: unknown[]; retired: unknown[]; verified: unknown[] }[] };
    expect(Object.keys(doc)).toEqual(['deploymentId', 'plan', 'results']);
    const newRemote = emulator.state.store.list().map((c) => c.id).find((id) => id !== oldRemote)!;
    expect(doc.results).toEqual([
      {
        account: 'tprod', cloud: 'tencent', status: 'partial', error: null,
        // The CLI's user on this machine ran it.
        ranBy: { name: os.userInfo().username, machine: os.hostname() },
        resources: [
          { type: 'cdn', id: 'www.deploy.test', action: 'replace', status: 'deployed', error: null, source: null },
          // Blocked by Cert Vault's check of the names: the error is ours, not the cloud's.
          { type: 'cdn', id: 'legacy', action: 'blocked', status: 'failed', error: { code: 'deploy.not_covered', message: expect.stringContaining('legacy.other.test') }, source: 'app' },
        ],
        retired: [],
        verified: [],
      },
    ]);
    expect(fake.serving(secretId)).toEqual({ 'www.deploy.test': newRemote, legacy: oldRemote });

    const history = await cli(['history', '--kind', 'deployments', '--json']);
    expect(history.code).toBe(0);
    const deployments = history.json().deployments as { id: string; certificateId: string; rollbackOf: string | null; results: { status: string }[] }[];
    expect(deployments).toMatchObject([{ id: doc.deploymentId, certificateId: newId, rollbackOf: null, results: [{ status: 'partial' }] }]);
    const text = await cli(['history', '--kind', 'deployments']);
    expect(text.stdout).toContain(doc.deploymentId.slice(0, 8));
    expect(text.stdout).toContain('partial');

    const back = await cli(['rollback', doc.deploymentId.slice(0, 8), '--json']);
    expect(back.code).toBe(0);
    expect(back.json()).toMatchObject({ results: [{ status: 'rolled-back', resources: [{ id: 'www.deploy.test', status: 'rolled-back' }] }] });
    expect(fake.serving(secretId)).toEqual({ 'www.deploy.test': oldRemote, legacy: oldRemote });
  });

  it('exits 0 when every resource is deployed, without uploading NEW again; human output names the rollback command', async () => {
    fake.resources.get(secretId)!.delete('legacy');
    const result = await cli(['deploy', newId, '--account', 'tprod']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/undo with certvault rollback [0-9a-f]{8}/);
    expect(result.stdout).toMatch(/www\.deploy\.test\s+deployed/);
    expect(emulator.state.store.size).toBe(2);
  });

  it('refuses bad input with exit 2 before anything is sent', async () => {
    const starts = fake.ops('start').length;
    expect((await cli(['deploy', newId, '--retire', 'maybe'])).code).toBe(2);
    expect((await cli(['deploy'])).code).toBe(2);
    const missing = await cli(['deploy', 'ffffffffffff']);
    expect(missing.code).toBe(2);
    const rollback = await cli(['rollback', 'nosuchdeployment']);
    expect(rollback).toMatchObject({ code: 2, stderr: expect.stringContaining('No deployment "nosuchdeployment"') });
    expect((await cli(['history', '--kind', 'deployments', '--csv'])).code).toBe(2);
    expect(fake.ops('start')).toHaveLength(starts);
  });
});
