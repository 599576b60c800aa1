import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { translate } from '../../../shared/i18n';
import { runCli } from '../../../main/cli/run';
import type { CliIo } from '../../../main/cli/command';
import { osKeychain } from '../../../main/core/keychain';
import { createHttpClient } from '../../../main/clouds/http-client';
import { getProvider } from '../../../main/clouds/registry';
import { openSqliteVaultDb } from '../../../main/core/db/vault-db';
import { materialFromFiles } from '../../../main/core/uploads/material';
import { UploadService } from '../../../main/core/uploads/service';
import { log } from '../../../main/core/log';
import { defaultCredentials } from '../../emulators/credentials';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { makeLeaves, type TestLeaf } from './certs';
import { startClouds, stopClouds, type Clouds } from './harness';

// `certvault account|upload|history` in-process, on a temp vault and the throwaway keychain,
// against the emulators: the JSON shapes and exit codes of issue 5 section 4.
assertThrowawayKeyring();
log.setSink(null);

let clouds: Clouds;
let home: string;
let leaves: TestLeaf[];

beforeAll(async () => {
  clouds = await startClouds();
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-cli-'));
  leaves = makeLeaves(3, { prefix: 'cli' });
}, 60_000);
afterAll(async () => {
  await stopClouds(clouds);
  fs.rmSync(home, { recursive: true, force: true });
});

async function cli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}) {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    stdout: (text) => void (stdout += typeof text === 'string' ? text : Buffer.from(text).toString('latin1')),
    stderr: (text) => void (stderr += text),
    readStdin: async () => options.stdin ?? '',
    env: options.env ?? {},
  };
  const code = await runCli(['--home', home, ...args], io);
  // --json is JSON Lines (issue 8 §5): every document these tests read is one line.
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

describe('certvault account', () => {
  it('adds accounts with the secret from stdin JSON or the environment, never showing it', async () => {
    const tencent = defaultCredentials.tencent;
    const added = await cli(['account', 'add', '--json', '--cloud', 'tencent', '--name', 'tprod', '--endpoint', clouds.tencent.url, '--project-id', '0'], {
      stdin: JSON.stringify({ secretId: tencent.accessKeyId, secretKey: tencent.accessKeySecret }),
    });
    expect(added.code).toBe(0);
    const account = added.json().account as { id: string; secretStored: boolean };
    expect(account).toMatchObject({ name: 'tprod', cloud: 'tencent', endpoint: clouds.tencent.url, fields: { projectId: '0' }, secretStored: true });
    expect(added.stdout).not.toContain(tencent.accessKeySecret);
    expect(JSON.parse((await osKeychain().get(`cloud-account:${account.id}`))!)).toEqual({ accessKeyId: tencent.accessKeyId, accessKeySecret: tencent.accessKeySecret });

    const ali = defaultCredentials.aliyun;
    const fromEnv = await cli(['account', 'add', '--cloud', 'aliyun', '--name', 'ali', '--endpoint', clouds.aliyun.url], {
      env: { ALIBABA_CLOUD_ACCESS_KEY_ID: ali.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: ali.accessKeySecret },
    });
    expect(fromEnv).toMatchObject({ code: 0, stderr: '' });

    const wrong = await cli(['account', 'add', '--cloud', 'tencent', '--name', 'tbad', '--endpoint', clouds.tencent.url], { stdin: '{"ak":"AKIDWRONG","sk":"wrong-secret"}' });
    expect(wrong.code).toBe(0);

    const list = await cli(['account', 'list', '--json']);
    expect((list.json().accounts as { name: string }[]).map((a) => a.name)).toEqual(['ali', 'tbad', 'tprod']);
    for (const secret of [tencent.accessKeySecret, ali.accessKeySecret, 'wrong-secret']) expect(list.stdout).not.toContain(secret);
  });

  it('refuses a secret on the command line and a missing secret', async () => {
    const argv = await cli(['account', 'add', '--cloud', 'tencent', '--name', 'x', 'SECRETKEY']);
    expect(argv.code).toBe(2);
    expect(argv.stderr).toMatch(/never from arguments/);
    const none = await cli(['account', 'add', '--cloud', 'huawei', '--name', 'x']);
    // Bad input, not a failure: exit 2 (issue 8 §5).
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK/);
  });

  it('--shared is for a team vault: the local vault refuses it, saying so, and stores nothing', async () => {
    const secret = JSON.stringify(defaultCredentials.tencent);
    const local = await cli(['account', 'add', '--cloud', 'tencent', '--name', 'local-shared', '--shared'], { stdin: secret });
    expect(local.code).not.toBe(0);
    expect(local.stderr).toContain(translate('en', 'error.account.shared_needs_team', { name: 'local-shared' }));
    expect(local.stderr).not.toContain(defaultCredentials.tencent.accessKeySecret);
    const withEnv = await cli(['account', 'add', '--cloud', 'tencent', '--name', 'local-shared', '--shared', '--secret-from-env']);
    expect(withEnv.code).toBe(2);
    expect(withEnv.stderr).toMatch(/--shared and --secret-from-env cannot be used together/);
    expect((await cli(['account', 'list', '--json'])).json().accounts).not.toContainEqual(expect.objectContaining({ name: 'local-shared' }));
  });

  it('refuses a Huawei account with neither --region nor --endpoint, saying which flag is missing', async () => {
    const huawei = defaultCredentials.huawei;
    const stdin = JSON.stringify({ ak: huawei.accessKeyId, sk: huawei.accessKeySecret });
    const nowhere = await cli(['account', 'add', '--cloud', 'huawei', '--name', 'hw-nowhere'], { stdin });
    expect(nowhere.code).toBe(2);
    expect(nowhere.stderr).toMatch(/"region": a Huawei Cloud API Gateway account needs a region such as cn-north-4/);
    expect((await cli(['account', 'list', '--json'])).json().accounts).not.toContainEqual(expect.objectContaining({ name: 'hw-nowhere' }));
    const regional = await cli(['account', 'add', '--cloud', 'huawei', '--name', 'hw-regional', '--region', 'cn-north-4'], { stdin });
    expect(regional.code).toBe(0);
    expect((await cli(['account', 'remove', 'hw-regional'])).code).toBe(0);
  });

  it('tests a connection: works exits 0, a wrong key exits 1 with the verdict', async () => {
    expect((await cli(['account', 'test', 'tprod'])).code).toBe(0);
    const bad = await cli(['account', 'test', '--json', 'tbad']);
    expect(bad.code).toBe(1);
    expect(bad.json()).toMatchObject({ account: 'tbad', verdict: 'wrong_key', error: { code: 'AuthFailure.SecretIdNotFound' } });
  });
});

describe('certvault upload and history', () => {
  it('uploads a library entry to several accounts with --set, in the documented JSON shape', async () => {
    const imported = await cli(['import', '--json', file('one.pem', leaves[0]!.fullchain + leaves[0]!.key)]);
    const id = (imported.json().imported as { id: string }[])[0]!.id;

    const result = await cli(['upload', '--json', id, '--to', 'tprod,ali', '--set', 'tprod:alias=web-1', '--set', 'name=ali-web-1']);

    expect(result.code).toBe(0);
    const results = result.json().results as Record<string, unknown>[];
    expect(results.map((r) => Object.keys(r).sort())).toEqual(Array(2).fill(['account', 'attempts', 'cloud', 'error', 'remoteId', 'requestId', 'status']));
    expect(results).toMatchObject([
      { account: 'tprod', cloud: 'tencent', status: 'uploaded', attempts: 1, error: null },
      { account: 'ali', cloud: 'aliyun', status: 'uploaded', attempts: 1, error: null },
    ]);
    expect(clouds.tencent.state.store.list()[0]!.name).toBe('web-1');
    expect(clouds.aliyun.state.store.list()[0]!.name).toBe('ali-web-1');

    const again = await cli(['upload', '--json', id, '--to', 'tprod']);
    expect(again.json().results).toMatchObject([{ status: 'duplicate', remoteId: results[0]!.remoteId }]);
  });

  it('uploads files without importing them; any failed target exits 3 with the cloud code on stderr', async () => {
    const cert = file('fullchain.pem', leaves[1]!.fullchain);
    const key = file('privkey.pem', leaves[1]!.key);

    const result = await cli(['upload', '--json', '--cert', cert, '--key', key, '--to', 'tprod,tbad']);

    expect(result.code).toBe(3);
    expect(result.json().results).toMatchObject([
      { account: 'tprod', status: 'uploaded' },
      { account: 'tbad', status: 'failed', attempts: 0, error: { code: 'AuthFailure.SecretIdNotFound' } },
    ]);
    expect(result.stderr).toMatch(/tbad: AuthFailure.SecretIdNotFound/);
    const list = await cli(['list', '--json']);
    expect((list.json().certificates as unknown[]).length).toBe(1);
  });

  it('refuses bad command lines before sending anything', async () => {
    const calls = clouds.tencent.state.calls.length;
    expect((await cli(['upload', '--cert', 'x.pem'])).code).toBe(2);
    expect((await cli(['upload', '--cert', file('c.pem', leaves[2]!.fullchain), '--to', 'tprod', '--set', 'nosuch=1'])).stderr).toMatch(/no chosen account's cloud has an option "nosuch"/);
    expect((await cli(['upload', '--cert', file('c.pem', leaves[2]!.fullchain), '--to', 'nobody'])).stderr).toMatch(/No cloud account named "nobody"/);
    expect(clouds.tencent.state.calls.length).toBe(calls);
  });

  it('lists the history per cloud and account in the documented JSON shape', async () => {
    const all = await cli(['history', '--json']);
    const uploads = all.json().uploads as Record<string, unknown>[];
    expect(Object.keys(uploads[0]!).sort()).toEqual(['account', 'certificateId', 'cloud', 'error', 'fingerprintSha256', 'finishedAt', 'id', 'remoteId', 'requestId', 'startedAt', 'status']);
    const aliyun = (await cli(['history', '--json', '--cloud', 'aliyun'])).json().uploads as { cloud: string }[];
    expect(aliyun.map((u) => u.cloud)).toEqual(['aliyun']);
    const failed = (await cli(['history', '--json', '--account', 'tbad'])).json().uploads as { status: string; error: { code: string } }[];
    expect(failed).toMatchObject([{ status: 'failed', error: { code: 'AuthFailure.SecretIdNotFound' } }]);
    const text = await cli(['history']);
    expect(text.stdout).toMatch(/STARTED \(UTC\)\s+STATUS/);
    const csv = await cli(['history', '--csv', '--cloud', 'aliyun']);
    expect(csv.stdout.split('\r\n')).toHaveLength(3); // header, one row, final line end
    expect(csv.stdout).toMatch(/^id,started_at,/);
  });

  it('an account reading its secret from the environment needs the variables only where it uploads', async () => {
    const added = await cli(['account', 'add', '--cloud', 'volcengine', '--name', 'volc', '--endpoint', clouds.volcengine.url, '--secret-from-env']);
    expect(added.code).toBe(0);
    expect(added.stderr).toMatch(/VOLCENGINE_ACCESS_KEY and VOLCENGINE_SECRET_KEY are not set/);
    const args = ['upload', '--json', '--cert', file('env.pem', leaves[2]!.fullchain), '--key', file('env.key', leaves[2]!.key), '--to', 'volc'];

    const missing = await cli(args);
    expect(missing.code).toBe(3);
    expect(missing.json().results).toMatchObject([{ status: 'failed', error: { code: 'account.env_missing' } }]);

    const volc = defaultCredentials.volcengine;
    process.env.VOLCENGINE_ACCESS_KEY = volc.accessKeyId;
    process.env.VOLCENGINE_SECRET_KEY = volc.accessKeySecret;
    try {
      const ok = await cli(args);
      expect(ok.code).toBe(0);
      expect(ok.json().results).toMatchObject([{ account: 'volc', cloud: 'volcengine', status: 'uploaded' }]);
    } finally {
      delete process.env.VOLCENGINE_ACCESS_KEY;
      delete process.env.VOLCENGINE_SECRET_KEY;
    }
  });

  it('removing an account deletes its keychain entry', async () => {
    const { accounts } = (await cli(['account', 'list', '--json'])).json() as { accounts: { id: string; name: string }[] };
    const tbad = accounts.find((a) => a.name === 'tbad')!;
    expect(await osKeychain().get(`cloud-account:${tbad.id}`)).not.toBeNull();
    expect((await cli(['account', 'remove', 'tbad'])).code).toBe(0);
    expect(await osKeychain().get(`cloud-account:${tbad.id}`)).toBeNull();
    // Its history stays, under its name.
    expect(((await cli(['history', '--json', '--account', 'tbad'])).json().uploads as unknown[]).length).toBe(1);
  });

  it('an upload whose outcome is unknown says "certvault history --check" on one line; --json says unknown; --check exits 1 until settled', async () => {
    const [leaf] = makeLeaves(1, { prefix: 'unknown' });
    // The answer is a server error (the upload may have gone through), and the list call that would
    // tell is refused (before the upload, after it, and at the first --check): the fate stays
    // unknown. The cloud's text carries terminal escapes.
    clouds.tencent.faults.inject({ kind: 'server', operation: 'UploadCertificate', message: 'boom\x1b]0;pwned\x07\u202e' });
    clouds.tencent.faults.inject({ kind: 'error', operation: 'DescribeCertificates', code: 'FailedOperation.NoProjectPermission', message: 'no\x1b[2J list', count: 3 });
    const args = ['upload', '--cert', file('unknown.pem', leaf!.fullchain), '--key', file('unknown.key', leaf!.key), '--to', 'tprod'];

    const result = await cli([...args, '--json']);

    expect(result.code).toBe(3);
    expect(result.json().results).toMatchObject([{ account: 'tprod', status: 'unknown', error: { code: 'upload.unknown_outcome' } }]);
    const lines = result.stderr.split('\n').filter((line) => line.startsWith('certvault upload:'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^certvault upload: tprod: upload\.unknown_outcome: .*Run "certvault history --check" before uploading again\.$/);
    expect(result.stderr).not.toMatch(/"Check"|[\x1b\x07\u202e]/);
    expect(result.stderr).toContain('\\x1b]0;pwned\\x07\\u202e');

    const stillUnknown = await cli(['history', '--check', '--json', '--status', 'unknown']);
    expect(stillUnknown.code).toBe(1);
    expect(stillUnknown.json().uploads).toHaveLength(1);
    expect(stillUnknown.stderr).toMatch(/still unknown \(FailedOperation\.NoProjectPermission: no\\x1b\[2J list\)/);
    expect(stillUnknown.stderr).toMatch(/^certvault history: 1 upload is still of unknown outcome; run certvault history --check again later$/m);
    expect(stillUnknown.stderr).not.toContain('\x1b');

    clouds.tencent.faults.clear();
    const settled = await cli(['history', '--check', '--json', '--status', 'unknown']);
    expect(settled.code).toBe(0);
    expect(settled.json().uploads).toEqual([]);
  });

  it('an upload cancelled while it waits to retry is in the history as cancelled, in text and --json', async () => {
    // The app's own upload service over the same vault: the CLI has no cancel, the window does.
    const vault = openSqliteVaultDb(home);
    const service = new UploadService({ vault, secrets: osKeychain(), providers: getProvider, http: createHttpClient({ timeoutMs: 10_000 }), emit: () => undefined });
    try {
      const [leaf] = makeLeaves(1, { prefix: 'cancel' });
      const material = await materialFromFiles({ certificate: file('cancel.pem', leaf!.fullchain + leaf!.key) });
      const account = await service.confirmAccount('tprod', async () => true);
      clouds.tencent.faults.throttle(1, 'UploadCertificate');
      let cancelled = false;
      const started = service.jobs.start(
        { certificateId: null, fingerprintSha256: material.leaf.fingerprintSha256, loadMaterial: async () => material, targets: await service.resolveTargets(material, [{ accountId: account.id }]) },
        material,
        (progress) => {
          if (progress.state === 'retrying' && !cancelled) cancelled = service.jobs.cancel(started.jobId);
        },
      );
      const summary = await started.done;
      expect(summary.results).toMatchObject([{ status: 'cancelled', attempts: 1 }]);
    } finally {
      clouds.tencent.faults.clear();
      await vault.close();
    }

    const listed = await cli(['history', '--json', '--status', 'cancelled']);
    expect(listed.code).toBe(0);
    expect(listed.json().uploads).toMatchObject([{ account: 'tprod', status: 'cancelled', error: { code: 'cancelled' } }]);
    expect((await cli(['history', '--status', 'cancelled'])).stdout).toMatch(/\bcancelled\s+tprod \(tencent\)/);
    const refused = await cli(['history', '--status', 'stopped']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--status must be one of pending, uploaded, duplicate, failed, cancelled, unknown');
  });

  it('account test prints a cloud error carrying escapes on one line, visibly', async () => {
    clouds.tencent.faults.inject({ kind: 'error', operation: 'DescribeCertificates', code: 'FailedOperation.NoProjectPermission', message: 'denied\x1b]0;pwned\x07\n\u202eforged line' });
    const run = await cli(['account', 'test', 'tprod']);
    expect(run.code).toBe(1);
    expect(run.stdout.split('\n')).toHaveLength(2);
    expect(run.stdout).toContain('denied\\x1b]0;pwned\\x07\\x0a\\u202eforged line');
    expect(run.stdout + run.stderr).not.toMatch(/[\x1b\x07\u202e]/);
  });
});
