import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { channels, type Channel } from '../../../shared/ipc';
import type { CloudAccount } from '../../../shared/uploads';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { log } from '../../../main/core/log';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { makeLeaves, type TestLeaf } from './certs';
import { accountInput, importEntry, openApp, startClouds, stopClouds, waitForJob, type Clouds, type TestApp } from './harness';

// Every IPC channel, called the way the window calls it, over a vault that holds cloud secrets and
// a sealed private key: no response and no pushed event may carry a secret or key material. The
// one exception is the explicit export, whose key goes into the file the user chose (never into
// the response). A new channel fails this test until it is added to `requests` below.
assertThrowawayKeyring();

const AUDIT_SECRET = 'AuditSecretKey-7d1f0c9e5b2a4f68a3c1';
const AUDIT_TOKEN = 'AuditStsToken-0f9e8d7c6b5a4938271605';

let clouds: Clouds;
let app: TestApp;
let leaf: TestLeaf;
let entryId: string;
let accountIds: string[];
let jobId: string;
const logged: string[] = [];

const keyBody = (pem: string) =>
  pem
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .slice(1, -1); // whole base64 lines from inside the key

beforeAll(async () => {
  log.setSink((line) => logged.push(line));
  clouds = await startClouds();
  app = openApp();
  leaf = makeLeaves(1, { rsa: true, prefix: 'audit' })[0]!;
  entryId = await importEntry(app, leaf.fullchain + leaf.key);
  const real = await dispatch(app.ctx, 'accounts.save', accountInput('tencent', 'audit-tencent', clouds.tencent.url));
  // An account whose secret the cloud does not know: its errors must not echo it either.
  const fake = await dispatch(app.ctx, 'accounts.save', {
    ...accountInput('aliyun', 'audit-aliyun', clouds.aliyun.url),
    secret: { accessKeyId: 'LTAIAUDITID', accessKeySecret: AUDIT_SECRET, token: AUDIT_TOKEN },
  });
  if (!real.ok || !fake.ok) throw new Error('account setup failed');
  accountIds = [(real.value as CloudAccount).id, (fake.value as CloudAccount).id];
  const started = await dispatch(app.ctx, 'uploads.start', { certificateId: entryId, targets: accountIds.map((accountId) => ({ accountId })) });
  if (!started.ok) throw new Error(JSON.stringify(started.error));
  jobId = (started.value as { jobId: string }).jobId;
  await waitForJob(app, jobId);
}, 60_000);

afterAll(async () => {
  log.setSink(null);
  await stopClouds(clouds);
  app.close();
});

const out = (name: string) => path.join(app.dataDir, name);

/** One valid request per channel (functions: evaluated after setup). */
const requests: { readonly [C in Channel]: () => unknown } = {
  'app.info': () => ({}),
  'settings.get': () => ({}),
  'settings.update': () => ({ expiringWithinDays: 14 }),
  'files.choose': () => ({ purpose: 'import' }),
  'files.chooseSave': () => ({ purpose: 'export', defaultName: 'x.pem' }),
  'inspect.paths': () => {
    fs.writeFileSync(out('inspect.pem'), leaf.fullchain + leaf.key);
    return { paths: [out('inspect.pem')] };
  },
  'inspect.content': () => ({ files: [{ name: 'k.pem', data: new TextEncoder().encode(leaf.fullchain + leaf.key) }], text: leaf.key }),
  'library.list': () => ({}),
  'library.get': () => ({ id: entryId }),
  'library.status': () => ({}),
  'library.import': () => {
    fs.writeFileSync(out('again.pem'), leaf.fullchain + leaf.key);
    return { paths: [out('again.pem')] };
  },
  'library.importContent': () => ({ files: [{ name: 'again.pem', data: new TextEncoder().encode(leaf.fullchain + leaf.key) }] }),
  'library.update': () => ({ id: entryId, notes: 'audited' }),
  'library.export': () => ({ id: entryId, format: 'bundle', path: out('export.pem') }),
  'accounts.list': () => ({}),
  'accounts.save': () => ({ id: accountIds[1], cloud: 'aliyun', name: 'audit-aliyun', endpoint: clouds.aliyun.url, secret: { accessKeyId: 'LTAIAUDITID', accessKeySecret: AUDIT_SECRET, token: AUDIT_TOKEN } }),
  'accounts.test': () => ({ id: accountIds[1] }),
  'uploads.plan': () => ({ certificateId: entryId, targets: accountIds.map((accountId) => ({ accountId })) }),
  'uploads.start': () => ({ certificateId: entryId, targets: accountIds.map((accountId) => ({ accountId })), force: true }),
  'uploads.job': () => ({ jobId }),
  'uploads.cancel': () => ({ jobId }),
  'uploads.retryFailed': () => ({ jobId }),
  'history.list': () => ({}),
  'history.check': () => ({}),
  'history.exportCsv': () => ({ path: out('history.csv') }),
  'history.deployments': () => ({ certificateIds: [entryId] }),
  // Last: they delete what the others use.
  'accounts.remove': () => ({ id: accountIds[1] }),
  'library.remove': () => ({ id: entryId }),
};

describe('IPC audit: no secret or key material crosses the boundary', () => {
  it('covers every channel of the contract', () => {
    expect(Object.keys(requests).sort()).toEqual([...channels].sort());
  });

  it('no response, event or log line carries a cloud secret, a token or the private key', async () => {
    const forbidden = [AUDIT_SECRET, AUDIT_TOKEN, 'SECRETKEYEXAMPLE00000000000000000', ...keyBody(leaf.key), 'PRIVATE KEY-----\nMII'];
    const order = Object.keys(requests) as Channel[];
    const failed: string[] = [];
    for (const channel of order) {
      const result = await dispatch(app.ctx, channel, requests[channel]());
      if (!result.ok) failed.push(`${channel}: ${result.error.code}`);
      // Let background work started by the request (upload jobs) emit its events.
      if (channel === 'uploads.start' && result.ok) await waitForJob(app, (result.value as { jobId: string }).jobId);
      if (channel === 'uploads.retryFailed') await waitForJob(app, jobId);
      const text = JSON.stringify(result);
      for (const secret of forbidden) expect(text.includes(secret), `${channel} response carries secret material`).toBe(false);
    }
    // The audit means something only if the requests did their work (the dialogs are cancelled stubs).
    expect(failed).toEqual([]);
    const events = JSON.stringify(app.events);
    const logs = logged.join('\n');
    for (const secret of forbidden) {
      expect(events.includes(secret), 'an event carries secret material').toBe(false);
      expect(logs.includes(secret), 'a log line carries secret material').toBe(false);
    }
    // The explicit export did write the key (so `forbidden` names real key material), to the chosen file only.
    expect(fs.readFileSync(out('export.pem'), 'utf8')).toContain(keyBody(leaf.key)[0]);
    // The secret is in the keychain and nowhere in the vault's files.
    const files = fs.readdirSync(app.dataDir).filter((f) => f.startsWith('vault.db')).map((f) => fs.readFileSync(path.join(app.dataDir, f)));
    for (const bytes of files) expect(bytes.includes(Buffer.from(AUDIT_SECRET))).toBe(false);
  }, 60_000);
});
