import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';
import type { CliIo } from '../../../main/cli/command';
import { log } from '../../../main/core/log';
import { defaultCredentials } from '../../emulators/credentials';
import { resourcesOf, seedResource } from '../../emulators/seed';
import type { RunningEmulator } from '../../emulators/server';
import { seedTencentCertificate, startTencentEmulator } from '../../emulators/tencent';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { makeCerts } from './world';

// Binding NEW where OLD is not bound, on Tencent, through the CLI in-process with the real
// deployer and the emulator: a first deployment to an account that holds no older copy, a
// deployment that replaces and binds at once, a resource serving an unrelated certificate left
// alone unless named, a failed bind rolled back, and a run killed mid-bind settled by checking
// Tencent's deployment records, never by sending again.
assertThrowawayKeyring();
log.setSink(null);

const account = defaultCredentials.tencent.accessKeyId;
const name = 'acct-bind';
let emulator: RunningEmulator;
let home: string;

beforeAll(async () => {
  emulator = await startTencentEmulator({ latencyMs: 0 });
  // Discovery and update tasks answer at once: the runs below are about binding, not waiting.
  emulator.state.taskPollsBeforeDone = 0;
  emulator.state.deploy.preparingCalls = 0;
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-deploy-bind-'));
  const secret = JSON.stringify({ secretId: account, secretKey: defaultCredentials.tencent.accessKeySecret });
  const added = await cli(['account', 'add', '--cloud', 'tencent', '--name', name, '--endpoint', emulator.url, '--project-id', '0'], secret);
  expect(added.stderr).toBe('');
}, 60_000);
afterAll(async () => {
  await emulator.close();
  fs.rmSync(home, { recursive: true, force: true });
});

async function cli(args: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (chunk) => void (stdout += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('latin1')),
    stderr: (chunk) => void (stderr += chunk),
    readStdin: async () => stdin,
    env: {},
  };
  const code = await runCli(['--home', home, ...args], io);
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
}

/** Imports a certificate (with its key) and returns its library id. */
async function importCert(file: string, cert: { pem: string; key: string }): Promise<string> {
  const target = path.join(home, file);
  fs.writeFileSync(target, cert.pem + cert.key);
  return ((await cli(['import', '--json', target])).json().imported as { id: string }[])[0]!.id;
}

async function upload(id: string): Promise<string> {
  const uploaded = await cli(['upload', '--json', id, '--to', name]);
  expect(uploaded.code).toBe(0);
  return (uploaded.json().results as { remoteId: string }[])[0]!.remoteId;
}

const cdn = (certificateId: string, domain: string) =>
  seedResource(emulator.state, { account, certificateId, type: 'cdn', region: '', instance: { Domain: domain, CertId: certificateId, Status: 'online', HttpsBillingSwitch: 'on' } });
const live = (certificateId: string, domain: string) => seedResource(emulator.state, { account, certificateId, type: 'live', region: '', instance: { Domain: domain, CertId: certificateId } });
const serving = (domains: readonly string[]) => domains.map((domain) => resourcesOf(emulator.state, account).find((r) => r.instance.Domain === domain)!.certificateId);

interface PlanJson {
  oldRemoteId: string | null;
  newRemoteId: string | null;
  resources: { type: string; id: string; action: string; reason: string | null; currentRemoteId?: string | null }[];
}
interface ResultJson {
  status: string;
  resources: { id: string; status: string; error: { code: string; message: string } | null }[];
}

/** NEW (names `label.bind.test` and `*.label.bind.test`) in the library and on the account; OLD too when asked. */
async function entry(label: string, withOld: boolean) {
  const names = [`${label}.bind.test`, `*.${label}.bind.test`];
  const [older, newer] = makeCerts([
    { names, days: 30 },
    { names, days: 365 },
  ]) as [{ pem: string; key: string }, { pem: string; key: string }];
  const oldRemote = withOld ? await upload(await importCert(`old-${label}.pem`, older)) : null;
  const newId = await importCert(`new-${label}.pem`, newer);
  const newRemote = await upload(newId);
  return { newId, newRemote, oldRemote };
}

describe('Tencent: binding the new certificate where the old one is not bound', () => {
  it('first deployment to an account: the dry run lists bind rows and changes nothing; the run binds NEW everywhere', async () => {
    const { newId, newRemote } = await entry('first', false);
    const domains = ['first.bind.test', 'live.first.bind.test'];
    cdn('', domains[0]!);
    live('', domains[1]!);

    const dry = await cli(['deploy', newId, '--account', name, '--dry-run', '--json']);
    expect(dry.code).toBe(0);
    expect(dry.json().plan).toEqual([
      expect.objectContaining({
        oldRemoteId: null,
        newRemoteId: newRemote,
        resources: [
          { type: 'cdn', id: domains[0], name: domains[0], action: 'bind', reason: 'serves no certificate yet', currentRemoteId: null },
          { type: 'live', id: domains[1], name: domains[1], action: 'bind', reason: 'serves no certificate yet', currentRemoteId: null },
        ],
      }),
    ]);
    expect(emulator.state.callsOf('DeployCertificateInstance')).toHaveLength(0);
    expect(serving(domains)).toEqual(['', '']);

    const text = await cli(['deploy', newId, '--account', name, '--dry-run']);
    expect(text.stdout).toMatch(/cdn first\.bind\.test\s+bind\s+serves no certificate yet/);

    const run = await cli(['deploy', newId, '--account', name, '--json']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const [result] = run.json().results as ResultJson[];
    expect(result).toMatchObject({ status: 'deployed', resources: [{ id: domains[0], status: 'deployed' }, { id: domains[1], status: 'deployed' }] });
    expect(serving(domains)).toEqual([newRemote, newRemote]);
  }, 60_000);

  it('replaces where OLD is bound and binds where nothing is, in one run: every resource ends serving NEW', async () => {
    const { newId, newRemote, oldRemote } = await entry('mix', true);
    const domains = ['mix.bind.test', 'www.mix.bind.test', 'live.mix.bind.test'];
    cdn(oldRemote!, domains[0]!);
    cdn('', domains[1]!);
    live('', domains[2]!);
    const updates = emulator.state.callsOf('UpdateCertificateInstance').length;
    const deploys = emulator.state.callsOf('DeployCertificateInstance').length;

    const dry = await cli(['deploy', newId, '--account', name, '--dry-run', '--json']);
    const [plan] = dry.json().plan as PlanJson[];
    expect(plan!.oldRemoteId).toBe(oldRemote);
    expect(plan!.resources.map((r) => [r.id, r.action])).toEqual([
      [domains[0], 'replace'],
      [domains[1], 'bind'],
      [domains[2], 'bind'],
    ]);

    const run = await cli(['deploy', newId, '--account', name, '--json']);
    expect(run.code).toBe(0);
    expect((run.json().results as ResultJson[])[0]!.resources.map((r) => r.status)).toEqual(['deployed', 'deployed', 'deployed']);
    expect(serving(domains)).toEqual([newRemote, newRemote, newRemote]);
    expect(emulator.state.callsOf('UpdateCertificateInstance')).toHaveLength(updates + 1);
    // One task per resource type: CDN and Live.
    expect(emulator.state.callsOf('DeployCertificateInstance')).toHaveLength(deploys + 2);
  }, 60_000);

  it('a resource serving another valid certificate is skipped with why, and bound only when named', async () => {
    const { newId, newRemote } = await entry('other', false);
    const [unrelated] = makeCerts([{ names: ['x.other.bind.test', 'shop.example.test'], days: 200 }]) as [{ pem: string; key: string }];
    const other = seedTencentCertificate(emulator.state, { account, certificatePem: unrelated.pem, privateKeyPem: unrelated.key }).id;
    const domains = ['x.other.bind.test', 'y.other.bind.test'];
    cdn(other, domains[0]!);
    cdn('', domains[1]!);
    // The account's inventory then knows what `other` is (its names and expiry) for the reason.
    expect((await cli(['sync', '--account', name])).code).toBe(0);

    const dry = await cli(['deploy', newId, '--account', name, '--dry-run', '--json']);
    const [plan] = dry.json().plan as PlanJson[];
    expect(plan!.resources).toEqual([
      expect.objectContaining({ id: domains[0], action: 'skip', currentRemoteId: other, reason: expect.stringContaining(`serves another certificate (${other}, x.other.bind.test, valid until`) }),
      expect.objectContaining({ id: domains[1], action: 'bind', currentRemoteId: null }),
    ]);
    expect(plan!.resources[0]!.reason).toContain(`--bind ${domains[0]}`);

    const unnamed = await cli(['deploy', newId, '--account', name, '--json']);
    expect(unnamed.code).toBe(0);
    // Left alone: not recorded as deployed, not touched.
    expect((unnamed.json().results as ResultJson[])[0]!.resources).toEqual([expect.objectContaining({ id: domains[1], status: 'deployed' })]);
    expect(serving(domains)).toEqual([other, newRemote]);

    const typo = await cli(['deploy', newId, '--account', name, '--bind', 'nope.other.bind.test', '--json']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain('nope.other.bind.test');

    const named = await cli(['deploy', newId, '--account', name, '--bind', domains[0]!, '--json']);
    expect(named.code).toBe(0);
    expect((named.json().plan as PlanJson[])[0]!.resources.find((r) => r.id === domains[0])).toMatchObject({ action: 'bind', reason: expect.stringContaining('named to be bound') });
    expect(serving(domains)).toEqual([newRemote, newRemote]);
  }, 60_000);

  it('a bind Tencent fails is reported; the rollback puts back what the bound one served before', async () => {
    const { newId, newRemote } = await entry('fail', false);
    const domains = ['a.fail.bind.test', 'b.fail.bind.test'];
    cdn('', domains[0]!);
    cdn('', domains[1]!);
    emulator.state.deploy.failing.add(domains[1]!);
    try {
      const run = await cli(['deploy', newId, '--account', name, '--json']);
      expect(run.code).toBe(3);
      const [partial] = run.json().results as ResultJson[];
      expect(partial).toMatchObject({ status: 'partial', resources: [{ status: 'deployed', error: null }, { status: 'failed', error: { code: 'deploy.resource-failed', message: expect.stringContaining('emulated failure') } }] });
      expect(serving(domains)).toEqual([newRemote, '']);

      const back = await cli(['rollback', String(run.json().deploymentId), '--json']);
      expect(back.code).toBe(0);
      expect((back.json().results as ResultJson[])[0]!.resources).toEqual([expect.objectContaining({ id: domains[0], status: 'rolled-back' })]);
      expect(serving(domains)).toEqual(['', '']);
    } finally {
      emulator.state.deploy.failing.clear();
    }
  }, 60_000);
});

const ROOT = path.resolve(__dirname, '../../..');

async function until(condition: () => boolean, what: string): Promise<void> {
  for (const started = Date.now(); !condition(); ) {
    if (Date.now() - started > 30_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('Tencent: a run killed mid-bind', () => {
  it('check finds the task in Tencent deployment records and watches it to the end; nothing is sent twice', async () => {
    const { newId, newRemote } = await entry('crash', false);
    const domains = ['crash.bind.test'];
    cdn('', domains[0]!);
    const deploys = () => emulator.state.callsOf('DeployCertificateInstance');
    const before = deploys().length;
    // Tencent creates the task, and the answer never comes back: the child is killed waiting for it.
    emulator.faults.hangAfterReceive(1, 'DeployCertificateInstance');
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'main', 'cli', 'certvault.ts'), '--home', home, 'deploy', newId, '--account', name, '--json'], {
      cwd: ROOT, env: { ...process.env, CERTVAULT_LOG: 'off' }, stdio: 'ignore',
    });
    try {
      await until(() => deploys().some((call) => call.outcome === 'hang'), 'the child to send its bind');
    } finally {
      child.kill('SIGKILL');
    }
    await new Promise((resolve) => child.once('exit', resolve));
    expect(serving(domains)).toEqual(['']);

    const checked = await cli(['history', '--kind', 'deployments', '--check', '--json']);
    expect(checked.code).toBe(0);
    const [latest] = checked.json().deployments as { certificateId: string; results: ResultJson[] }[];
    expect(latest).toMatchObject({ certificateId: newId, results: [{ status: 'deployed', resources: [{ id: domains[0], status: 'deployed' }] }] });
    expect(serving(domains)).toEqual([newRemote]);
    expect(deploys()).toHaveLength(before + 1);
    expect(emulator.state.callsOf('DescribeHostDeployRecord').length).toBeGreaterThan(0);
  }, 60_000);
});
