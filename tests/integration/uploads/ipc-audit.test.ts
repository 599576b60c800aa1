import { createPrivateKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channels, type Channel } from '../../../shared/ipc';
import type { CloudAccount } from '../../../shared/uploads';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { inventoryOf } from '../../../main/core/inventory';
import { log } from '../../../main/core/log';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { teamEnvironment } from '../../../main/core/team/handlers';
import { joinTeam, listRequests } from '../../../main/core/team/membership';
import { contextOnVault, type VaultOnContext } from '../../../main/core/team/vault-switch';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';
import { createDatabases } from '../../support/pg-superuser';
import { TlsFront } from '../../emulators/tls-front';
import { makeLeaves, type TestLeaf } from './certs';
import { accountInput, importEntry, openApp, startClouds, stopClouds, waitForJob, type Clouds, type TestApp } from './harness';

// Every IPC channel, called the way the window calls it, over a vault that holds cloud secrets and
// a sealed private key: no response and no pushed event may carry a secret or key material. The
// one exception is the explicit export, whose key goes into the file the user chose (never into
// the response). A new channel fails this test until it is added to `requests` below. The team
// channels run against a throwaway PostgreSQL: its password goes in once and must never come back.
assertThrowawayKeyring();

const AUDIT_SECRET = 'AuditSecretKey-7d1f0c9e5b2a4f68a3c1';
const AUDIT_TOKEN = 'AuditStsToken-0f9e8d7c6b5a4938271605';

let clouds: Clouds;
let app: TestApp;
let leaf: TestLeaf;
let entryId: string;
let accountIds: string[];
let jobId: string;
let front: TlsFront;
let cluster: PgCluster;
/** Bob's join request from another computer, which the team channels approve and then remove. */
let bobRequest: { requestId: string; fingerprintPhrase: string };
let onTeamVault: VaultOnContext | null = null;
const bobHome = () => path.join(app.dataDir, 'bob-home');
const logged: string[] = [];

const keyBody = (pem: string) =>
  pem
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .slice(1, -1); // whole base64 lines from inside the key

/**
 * 48 bytes from the private half of the key's DER (its tail: the primes and CRT exponents; the
 * head holds the modulus, which the certificate shares), at a 3-byte boundary so that its base64
 * is a substring of the whole key's base64 however that is wrapped.
 */
function privateBytes(pem: string): Buffer {
  const der = createPrivateKey(pem).export({ type: 'pkcs8', format: 'der' });
  const start = Math.floor((der.length - 200) / 3) * 3;
  return der.subarray(start, start + 48);
}

/** The key in the other spellings a leak could take: DER as hex, and base64 without PEM's line breaks. */
const keyEncodings = (pem: string) => [privateBytes(pem).toString('hex'), privateBytes(pem).toString('base64')];

/**
 * Every string in a response or event, unescaped (JSON.stringify would hide a PEM's newlines),
 * and the paths of any raw bytes: no channel answers with bytes, so bytes there are a leak.
 */
function walk(value: unknown, at: string, strings: string[], bytes: string[]): void {
  if (typeof value === 'string') strings.push(value);
  else if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) bytes.push(at);
  else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) {
      strings.push(key);
      walk(item, `${at}.${key}`, strings, bytes);
    }
  }
}

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
  // A server serving the vault's own certificate with its key: the check must show the chain only.
  front = await TlsFront.start({ lookup: (domain) => (domain === leaf.host ? { certPem: leaf.fullchain, keyPem: leaf.key } : null) });
  cluster = await startPgCluster();
  await createDatabases(cluster, ['audit_team', 'audit_team_2']);
  const created = await dispatch(app.ctx, 'team.create', { url: teamUrl('audit_team'), name: 'audit-team', memberName: 'Alice', password: cluster.password, sslmode: 'disable' });
  if (!created.ok) throw new Error(JSON.stringify(created.error));
  fs.mkdirSync(bobHome());
  const bob = { dataDir: bobHome(), secrets: new MemorySecretStore(), now: () => new Date(), machine: 'bob-laptop' };
  bobRequest = await joinTeam(bob, { url: cluster.url({ database: 'audit_team', query: 'sslmode=disable' }), name: 'audit-team', memberName: 'Bob' });
}, 120_000);

afterAll(async () => {
  log.setSink(null);
  await front.close();
  await dispatch(app.ctx, 'team.watch', { vault: null });
  await onTeamVault?.close();
  await cluster.stop();
  await stopClouds(clouds);
  app.close();
});

const out = (name: string) => path.join(app.dataDir, name);
/** A team database's address as typed into the window: the password goes in its own field. */
const teamUrl = (database: string) => `postgres://postgres@127.0.0.1:${cluster.port}/${database}`;

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
  'library.resetDataKey': () => ({ confirm: true }),
  'library.import': () => {
    fs.writeFileSync(out('again.pem'), leaf.fullchain + leaf.key);
    return { paths: [out('again.pem')] };
  },
  'library.importContent': () => ({ files: [{ name: 'again.pem', data: new TextEncoder().encode(leaf.fullchain + leaf.key) }] }),
  'library.update': async () => {
    const current = await dispatch(app.ctx, 'library.get', { id: entryId });
    if (!current.ok) throw new Error(current.error.message);
    return { id: entryId, baseUpdatedAt: (current.value as { updatedAt: string }).updatedAt, notes: 'audited' };
  },
  'library.export': () => ({ id: entryId, format: 'bundle', path: out('export.pem') }),
  'accounts.list': () => ({}),
  'accounts.save': () => ({ id: accountIds[1], cloud: 'aliyun', name: 'audit-aliyun', endpoint: clouds.aliyun.url, secret: { accessKeyId: 'LTAIAUDITID', accessKeySecret: AUDIT_SECRET, token: AUDIT_TOKEN } }),
  'accounts.test': () => ({ id: accountIds[1] }),
  'accounts.confirm': () => ({ id: accountIds[1] }),
  'uploads.plan': () => ({ certificateId: entryId, targets: accountIds.map((accountId) => ({ accountId })) }),
  'uploads.start': () => ({ certificateId: entryId, targets: accountIds.map((accountId) => ({ accountId })), force: true }),
  'uploads.job': () => ({ jobId }),
  'uploads.cancel': () => ({ jobId }),
  'uploads.retryFailed': () => ({ jobId }),
  'history.list': () => ({}),
  'history.check': () => ({}),
  'history.exportCsv': () => ({ path: out('history.csv') }),
  'history.deployments': () => ({ certificateIds: [entryId] }),
  'vault.backup': () => ({ path: out('vault.cvbackup'), passphrase: 'audit passphrase 1', includeSecrets: true }),
  'vault.restore': () => ({ path: out('vault.cvbackup'), passphrase: 'audit passphrase 1', replace: true }),
  'inventory.sync': () => ({ accounts: [accountIds[0]] }),
  'inventory.cancel': () => ({}),
  'inventory.list': () => ({}),
  'inventory.accounts': () => ({}),
  'inventory.overview': () => ({}),
  // The copy the upload left on the Tencent account, imported again from what the sync stored.
  'inventory.importRemote': async () => ({ accountId: accountIds[0], remoteId: (await inventoryOf(app.ctx).list())[0]?.remoteId ?? 'none' }),
  // Tencent can deploy, but no emulated resource serves a certificate this entry renews: the plan
  // is empty, a run has nothing to replace, and there is no deployment to roll back.
  'deploy.plan': () => ({ certificateId: entryId, options: { retire: 'keep', verify: false } }),
  'deploy.run': () => ({ certificateId: entryId, options: { retire: 'keep', verify: false } }),
  'deploy.cancel': () => ({ deploymentId: 'none' }),
  'deploy.rollback': () => ({ deploymentId: 'none' }),
  'deploy.history': () => ({}),
  'deploy.check': () => ({}),
  'tls.served': () => ({ domain: leaf.host, ip: '127.0.0.1', port: front.port }),
  'team.vaults': () => ({}),
  'team.use': () => ({ name: 'audit-team' }),
  // Watching from here on: the approval and removal below arrive as events, audited with the rest.
  'team.watch': () => ({ vault: 'audit-team' }),
  'team.create': () => ({ url: teamUrl('audit_team_2'), name: 'audit-team-2', password: cluster.password, sslmode: 'disable' }),
  'team.join': () => ({ url: teamUrl('audit_team'), name: 'audit-join', memberName: 'Alice again', password: cluster.password, sslmode: 'disable' }),
  'team.requests': () => ({ vault: 'audit-team' }),
  'team.approve': () => ({ vault: 'audit-team', requestId: bobRequest.requestId, role: 'operator', phrase: bobRequest.fingerprintPhrase, password: cluster.password }),
  // The request team.join above sent to this team, refused.
  'team.reject': async () => ({ vault: 'audit-team', requestId: (await listRequests(teamEnvironment(app.ctx), 'audit-team'))[0]!.id }),
  'team.members': () => ({ vault: 'audit-team' }),
  'team.role': () => ({ vault: 'audit-team', member: bobRequest.requestId, role: 'viewer' }),
  'team.remove': () => ({ vault: 'audit-team', member: bobRequest.requestId }),
  'team.audit': () => ({ vault: 'audit-team', verify: true }),
  // Opens the vault's connection and its local copy: sealed keys stay sealed in it, and no status carries a password.
  'team.status': () => ({ vault: 'audit-team' }),
  // Last: they delete what the others use.
  'accounts.remove': () => ({ id: accountIds[1] }),
  'library.remove': () => ({ id: entryId }),
};

describe('IPC audit: no secret or key material crosses the boundary', () => {
  it('covers every channel of the contract', () => {
    expect(Object.keys(requests).sort()).toEqual([...channels].sort());
  });

  it('no response, event or log line carries a cloud secret, a token or the private key', async () => {
    const keyMaterial = [...keyBody(leaf.key), ...keyEncodings(leaf.key), 'PRIVATE KEY-----\nMII'];
    const forbidden = [AUDIT_SECRET, AUDIT_TOKEN, 'SECRETKEYEXAMPLE00000000000000000', cluster.password, ...keyMaterial];
    const order = Object.keys(requests) as Channel[];
    const failed: string[] = [];
    for (const channel of order) {
      // team.status answers for the vault a window works on: the window's context on the team vault (its connection and local copy).
      if (channel === 'team.status') onTeamVault ??= await contextOnVault(app.ctx, 'audit-team', { live: true });
      const result = await dispatch(channel === 'team.status' ? onTeamVault!.ctx : app.ctx, channel, await requests[channel]());
      if (!result.ok) failed.push(`${channel}: ${result.error.code}`);
      // Let background work started by the request (upload jobs) emit its events.
      if (channel === 'uploads.start' && result.ok) await waitForJob(app, (result.value as { jobId: string }).jobId);
      if (channel === 'uploads.retryFailed') await waitForJob(app, jobId);
      const strings: string[] = [];
      const bytes: string[] = [];
      walk(result, channel, strings, bytes);
      expect(bytes, `${channel} response carries raw bytes`).toEqual([]);
      const text = strings.join('\n');
      for (const secret of forbidden) expect(text.includes(secret), `${channel} response carries secret material`).toBe(false);
    }
    // The audit means something only if the requests did their work (the dialogs are cancelled stubs).
    // The data key is in the keychain, so a reset is refused: its answer is audited all the same.
    expect(failed).toEqual(['library.resetDataKey: keychain.reset_not_needed', 'deploy.run: deploy.nothing_to_deploy', 'deploy.rollback: deploy.not_found']);
    // The team vault's live updates were among the events audited.
    await vi.waitFor(() => expect(app.events.map((event) => event.name)).toContain('team.changed'));
    const eventStrings: string[] = [];
    const eventBytes: string[] = [];
    walk(app.events, 'events', eventStrings, eventBytes);
    expect(eventBytes, 'an event carries raw bytes').toEqual([]);
    const events = eventStrings.join('\n');
    const logStrings: string[] = [];
    walk(logged.map((line) => JSON.parse(line) as unknown), 'log', logStrings, []);
    const logs = logStrings.join('\n');
    for (const secret of forbidden) {
      expect(events.includes(secret), 'an event carries secret material').toBe(false);
      expect(logs.includes(secret), 'a log line carries secret material').toBe(false);
    }
    // The explicit export did write the key (so `forbidden` names real key material), to the chosen file only.
    expect(fs.readFileSync(out('export.pem'), 'utf8')).toContain(keyBody(leaf.key)[0]);
    // The secrets are in the keychain and the key is sealed: neither is anywhere in the vault's files.
    const files = fs.readdirSync(app.dataDir).filter((f) => f.startsWith('vault.db')).map((f) => fs.readFileSync(path.join(app.dataDir, f)));
    expect(files.length).toBeGreaterThan(0);
    for (const bytes of files) {
      for (const secret of [AUDIT_SECRET, AUDIT_TOKEN, ...keyMaterial]) expect(bytes.includes(Buffer.from(secret)), `vault.db holds ${secret.slice(0, 12)}…`).toBe(false);
      expect(bytes.includes(privateBytes(leaf.key)), 'vault.db holds the private key in DER').toBe(false);
    }
    // The probes are real: the export (which holds the key) contains them.
    const exported = fs.readFileSync(out('export.pem'), 'utf8').replace(/\s+/g, '');
    expect(exported).toContain(keyEncodings(leaf.key)[1]);
  }, 60_000);
});
