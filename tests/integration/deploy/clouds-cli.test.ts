import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';
import type { CliIo } from '../../../main/cli/command';
import { log } from '../../../main/core/log';
import { readServed } from '../../../main/core/tls';
import { defaultCredentials } from '../../emulators/credentials';
import { resourcesOf, seedResource } from '../../emulators/seed';
import type { RunningEmulator } from '../../emulators/server';
import { startTencentEmulator } from '../../emulators/tencent';
import { emulatorLookup, TlsFront } from '../../emulators/tls-front';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { makeCerts, type TestCert } from './world';

// `certvault deploy ID --verify --json` then `certvault rollback` in-process with nothing scripted:
// the real Tencent deployer against the Tencent emulator, and --verify probing over TLS through
// the loopback front, which serves for each name whatever the emulator binds to it right now.
assertThrowawayKeyring();
log.setSink(null);

const secretId = defaultCredentials.tencent.accessKeyId;
const domains = ['www.deploy.test', 'api.deploy.test'];
let emulator: RunningEmulator;
let front: TlsFront;
let home: string;
let OLD: TestCert;
let NEW: TestCert;

const fingerprint = (cert: TestCert) => new X509Certificate(cert.pem).fingerprint256.replace(/:/g, '').toLowerCase();

beforeAll(async () => {
  emulator = await startTencentEmulator({ latencyMs: 0 });
  // The record exists on the first UpdateCertificateInstance, so the deployer never waits its 2 s.
  emulator.state.deploy.preparingCalls = 0;
  front = await TlsFront.start({ lookup: emulatorLookup(emulator.state, (resource) => [String(resource.instance.Domain ?? '')]) });
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-deploy-tls-'));
  [OLD, NEW] = makeCerts([
    { names: domains, days: 30 },
    { names: domains, days: 365 },
  ]) as [TestCert, TestCert];
}, 60_000);
afterAll(async () => {
  await front.close();
  await emulator.close();
  fs.rmSync(home, { recursive: true, force: true });
});

async function cli(args: string[], stdin = '') {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += typeof text === 'string' ? text : Buffer.from(text).toString('latin1')),
    stderr: (text) => void (stderr += text),
    readStdin: async () => stdin,
    env: {},
  };
  const code = await runCli(['--home', home, ...args], io, { tlsResolver: front.resolver });
  return { code, stdout, stderr, json: () => JSON.parse(stdout) as Record<string, unknown> };
}

function file(name: string, text: string): string {
  const target = path.join(home, name);
  fs.writeFileSync(target, text);
  return target;
}

const served = async (domain: string) => (await readServed({ domain, resolve: front.resolver, timeoutMs: 5000 })).leafFingerprintSha256;

describe('certvault deploy --verify over the Tencent emulator and the TLS front', () => {
  it('deploys NEW to every CDN domain, proves it over TLS, and rolls back to OLD', async () => {
    const tencent = defaultCredentials.tencent;
    expect((await cli(['account', 'add', '--cloud', 'tencent', '--name', 'tprod', '--endpoint', emulator.url, '--project-id', '0'], JSON.stringify({ secretId: tencent.accessKeyId, secretKey: tencent.accessKeySecret }))).code).toBe(0);
    const oldId = ((await cli(['import', '--json', file('old.pem', OLD.pem + OLD.key)])).json().imported as { id: string }[])[0]!.id;
    const newId = ((await cli(['import', '--json', file('new.pem', NEW.pem + NEW.key)])).json().imported as { id: string }[])[0]!.id;
    const oldRemote = ((await cli(['upload', '--json', oldId, '--to', 'tprod'])).json().results as { remoteId: string }[])[0]!.remoteId;
    for (const domain of domains) {
      seedResource(emulator.state, { account: secretId, certificateId: oldRemote, type: 'cdn', region: '', instance: { Domain: domain, CertId: oldRemote, Status: 'online', HttpsBillingSwitch: 'on' } });
    }
    front.snapshot(domains);
    expect(await served('www.deploy.test')).toBe(fingerprint(OLD));

    const result = await cli(['deploy', newId, '--verify', '--verify-timeout', '30', '--json']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout.endsWith('\n') && !result.stdout.slice(0, -1).includes('\n')).toBe(true);
    const newRemote = emulator.state.store.list().map((c) => c.id).find((id) => id !== oldRemote)!;
    const doc = result.json();
    expect(Object.keys(doc)).toEqual(['deploymentId', 'plan', 'results']);
    expect(doc.plan).toEqual([
      {
        account: 'tprod', cloud: 'tencent', oldRemoteId: oldRemote, newRemoteId: null, uploadFirst: true, blockedBecause: null,
        resources: domains.map((id) => ({ type: 'cdn', id, name: id, action: 'replace', reason: null })),
      },
    ]);
    expect(doc.results).toEqual([
      {
        account: 'tprod', cloud: 'tencent', status: 'deployed', error: null,
        resources: domains.map((id) => ({ type: 'cdn', id, action: 'replace', status: 'deployed', error: null, source: null })),
        retired: [],
        verified: expect.arrayContaining(domains.map((domain) => ({ domain, served: fingerprint(NEW), ok: true }))),
        // This computer and its OS user ran it (a team vault names the member).
        ranBy: { machine: os.hostname(), name: os.userInfo().username },
      },
    ]);
    expect(resourcesOf(emulator.state, secretId).map((r) => r.certificateId)).toEqual([newRemote, newRemote]);
    // The verification went through the front, not DNS.
    expect(front.handshakes).toEqual(expect.arrayContaining(domains));

    const back = await cli(['rollback', String(doc.deploymentId), '--json']);
    expect(back.code).toBe(0);
    // A rollback's results keep the action they undo.
    expect(back.json()).toMatchObject({ results: [{ status: 'rolled-back', resources: domains.map((id) => ({ id, action: 'replace', status: 'rolled-back' })) }] });
    expect(resourcesOf(emulator.state, secretId).map((r) => r.certificateId)).toEqual([oldRemote, oldRemote]);
    for (const domain of domains) expect(await served(domain)).toBe(fingerprint(OLD));
  }, 60_000);

  it('refuses --verify-timeout without --verify or out of range, before anything is sent', async () => {
    const calls = emulator.state.callsOf('UpdateCertificateInstance').length;
    expect((await cli(['deploy', 'ffffffffffff', '--verify-timeout', '30'])).stderr).toContain('--verify-timeout needs --verify');
    const bad = await cli(['deploy', 'ffffffffffff', '--verify', '--verify-timeout', '1.5']);
    expect(bad).toMatchObject({ code: 2, stderr: expect.stringContaining('whole seconds from 0 to 3600') });
    expect((await cli(['deploy', 'ffffffffffff', '--verify', '--verify-timeout', '3601'])).code).toBe(2);
    expect(emulator.state.callsOf('UpdateCertificateInstance')).toHaveLength(calls);
  });
});
