import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/errors';
import type { Channel, Request, Response } from '../../../shared/ipc';
import type { HandlerContext } from '../../../main/core/ipc/context';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { dbPasswordAccount } from '../../../main/core/team/db/password';
import { withConnectionOptions } from '../../../main/core/team/handlers';
import { TEAM_SETTINGS_FILE } from '../../../main/core/team/team-settings';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { testHandlerContext } from '../../unit/electron/handler-context';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';
import { createDatabases } from '../../support/pg-superuser';

// The team channels as the window calls them (dispatch: schema, handler, result), for two
// computers on one throwaway PostgreSQL, each with its own data folder and in-memory keychain:
// what the window is told while a request waits, when the keychain lost the database password,
// and what the schemas refuse before any handler runs.

let cluster: PgCluster;
const homes: string[] = [];

function computer(): { ctx: HandlerContext; keychain: MemorySecretStore } {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-team-ipc-'));
  homes.push(dataDir);
  const keychain = new MemorySecretStore();
  return { ctx: testHandlerContext({ dataDir, secrets: () => keychain, now: () => new Date() }), keychain };
}

async function call<C extends Channel>(ctx: HandlerContext, channel: C, request: Request<C>): Promise<Response<C>> {
  const result = (await dispatch(ctx, channel, request)) as Result<Response<C>>;
  if (!result.ok) throw new Error(`${channel}: ${result.error.code} ${result.error.message}`);
  return result.value;
}

const url = () => `postgres://postgres@127.0.0.1:${cluster.port}/channels`;

beforeAll(async () => {
  cluster = await startPgCluster();
  await createDatabases(cluster, ['channels']);
}, 120_000);

afterAll(async () => {
  await cluster.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

describe('team channels', () => {
  const ann = computer();
  const bob = computer();

  it('create: the password goes to the keychain and nowhere else; the vault is listed and can be put in use', async () => {
    const { vault } = await call(ann.ctx, 'team.create', { url: url(), name: 'ops', memberName: 'Ann', password: cluster.password, sslmode: 'disable' });
    expect(vault).toMatchObject({ name: 'ops', sslmode: 'disable', url: expect.stringMatching(/^postgres:\/\/postgres@127\.0\.0\.1:\d+\/channels\?sslmode=disable$/) });
    expect(await ann.keychain.get(dbPasswordAccount('ops'))).toBe(cluster.password);
    expect(fs.readFileSync(path.join(ann.ctx.dataDir, TEAM_SETTINGS_FILE), 'utf8')).not.toContain(cluster.password);
    expect(await call(ann.ctx, 'team.vaults', {})).toMatchObject({ current: 'local', teams: [{ name: 'ops' }] });
    expect(await call(ann.ctx, 'team.use', { name: 'ops' })).toMatchObject({ current: 'ops' });
    const members = await call(ann.ctx, 'team.members', { vault: 'ops' });
    expect(members.self).toMatchObject({ state: 'member', member: { name: 'Ann', role: 'admin' } });
  });

  it('a waiting join request shows its phrase on the joining computer, the same the admin sees; approval makes it a member', async () => {
    const joined = await call(bob.ctx, 'team.join', { url: url(), name: 'work', memberName: 'Bob', password: cluster.password, sslmode: 'disable' });
    const waiting = await call(bob.ctx, 'team.members', { vault: 'work' });
    expect(waiting.self).toEqual({ state: 'pending', fingerprintPhrase: joined.fingerprintPhrase });
    const { requests } = await call(ann.ctx, 'team.requests', { vault: 'ops' });
    expect(requests).toEqual([expect.objectContaining({ id: joined.requestId, member: 'Bob', fingerprintPhrase: joined.fingerprintPhrase })]);
    const { member } = await call(ann.ctx, 'team.approve', { vault: 'ops', requestId: joined.requestId, role: 'viewer', phrase: joined.fingerprintPhrase });
    expect(member).toMatchObject({ id: joined.requestId, role: 'viewer', status: 'active' });
    expect((await call(bob.ctx, 'team.members', { vault: 'work' })).self).toMatchObject({ state: 'member', member: { role: 'viewer' } });
  });

  it("watching a vault turns another computer's committed change into a team.changed event; null stops it", async () => {
    const seen: unknown[] = [];
    const watcher = testHandlerContext({ ...ann.ctx, events: { emit: (event, payload) => void seen.push({ event, payload }) } });
    expect(await call(watcher, 'team.watch', { vault: 'ops' })).toEqual({ watching: 'ops' });
    const other = computer();
    await call(other.ctx, 'team.join', { url: url(), name: 'ops', memberName: 'Dan', password: cluster.password, sslmode: 'disable' });
    await expect.poll(() => seen).toContainEqual({ event: 'team.changed', payload: { vault: 'ops', action: 'member.request' } });
    expect(await call(watcher, 'team.watch', { vault: null })).toEqual({ watching: null });
    const count = seen.length;
    await call(computer().ctx, 'team.join', { url: url(), name: 'ops', memberName: 'Fay', password: cluster.password, sslmode: 'disable' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(seen).toHaveLength(count);
  });

  it('a phrase that does not match is refused, whatever the window sends; the admin rejects the request, and that computer reads itself as rejected', async () => {
    const again = computer();
    const joined = await call(again.ctx, 'team.join', { url: url(), name: 'ops', memberName: 'Eve', password: cluster.password, sslmode: 'disable' });
    const refused = await dispatch(ann.ctx, 'team.approve', { vault: 'ops', requestId: joined.requestId, role: 'admin', phrase: '12345 67890' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'team.phrase_mismatch' } });
    expect(await call(ann.ctx, 'team.reject', { vault: 'ops', requestId: joined.requestId })).toMatchObject({ request: { id: joined.requestId, member: 'Eve' } });
    expect((await call(again.ctx, 'team.members', { vault: 'ops' })).self).toEqual({ state: 'rejected' });
    expect((await call(ann.ctx, 'team.requests', { vault: 'ops' })).requests.map((request) => request.member)).not.toContain('Eve');
  });

  it('role: a viewer made operator gets the key version in use; made viewer again, the key is rotated', async () => {
    const { members } = await call(ann.ctx, 'team.members', { vault: 'ops' });
    const bobId = members.find((member) => member.name === 'Bob')!.id;
    expect(await call(ann.ctx, 'team.role', { vault: 'ops', member: bobId, role: 'operator' })).toEqual({
      member: expect.objectContaining({ name: 'Bob', role: 'operator' }), from: 'viewer', keyVersion: 1, rotated: false,
    });
    expect(await call(ann.ctx, 'team.role', { vault: 'ops', member: bobId, role: 'viewer' })).toMatchObject({ from: 'operator', keyVersion: 2, rotated: true });
    const annId = members.find((member) => member.name === 'Ann')!.id;
    expect(await dispatch(ann.ctx, 'team.role', { vault: 'ops', member: annId, role: 'viewer' })).toMatchObject({ ok: false, error: { code: 'team.last_admin' } });
  });

  it('a lost keychain password is asked for: team.password_missing, then the typed one works and is kept', async () => {
    await bob.keychain.delete(dbPasswordAccount('work'));
    expect(await dispatch(bob.ctx, 'team.members', { vault: 'work' })).toMatchObject({ ok: false, error: { code: 'team.password_missing' } });
    expect(await dispatch(bob.ctx, 'team.members', { vault: 'work', password: 'wrong' })).toMatchObject({ ok: false, error: { code: 'team.auth_failed' } });
    expect(await bob.keychain.get(dbPasswordAccount('work'))).toBeNull();
    await call(bob.ctx, 'team.members', { vault: 'work', password: cluster.password });
    expect(await bob.keychain.get(dbPasswordAccount('work'))).toBe(cluster.password);
  });

  it('remove: the member is marked removed and the key version moves on; that computer then reads itself as removed', async () => {
    const { members } = await call(ann.ctx, 'team.members', { vault: 'ops' });
    const bobId = members.find((member) => member.name === 'Bob')!.id;
    expect(await call(ann.ctx, 'team.remove', { vault: 'ops', member: bobId })).toMatchObject({ member: { name: 'Bob', status: 'removed' }, keyVersion: 3 });
    expect((await call(bob.ctx, 'team.members', { vault: 'work' })).self).toEqual({ state: 'removed' });
    const audit = await call(ann.ctx, 'team.audit', { vault: 'ops', verify: true });
    expect(audit.rows.map((row) => row.action)).toEqual([
      'team.create', 'member.request', 'member.approve', 'member.request', 'member.request', 'member.request', 'member.reject', 'member.role', 'member.role', 'member.remove',
    ]);
    expect(audit.verdict).toEqual({ ok: true, rows: 10 });
    expect((await call(ann.ctx, 'team.audit', { vault: 'ops' })).verdict).toBeNull();
    // What this computer remembers of the verified log stays in main: the window gets the address and ids.
    expect(Object.keys((await call(ann.ctx, 'team.vaults', {})).teams[0]!).sort()).toEqual(['memberId', 'name', 'sslmode', 'teamId', 'url']);
  });

  it('the schemas refuse malformed requests before any handler runs', async () => {
    const cases: [Channel, unknown, string][] = [
      ['team.approve', { vault: 'ops', requestId: 'not-a-uuid', role: 'viewer', phrase: '1' }, 'requestId'],
      ['team.approve', { vault: 'ops', requestId: '00000000-0000-4000-8000-000000000000', role: 'owner', phrase: '1' }, 'role'],
      ['team.create', { url: url(), name: 'x', sslmode: 'prefer' }, 'sslmode'],
      ['team.remove', { vault: 'ops', member: 'Bob' }, 'member'],
      ['team.role', { vault: 'ops', member: '00000000-0000-4000-8000-000000000000', role: 'owner' }, 'role'],
      ['team.reject', { vault: 'ops', requestId: 'Eve' }, 'requestId'],
      ['team.members', { vault: '' }, 'vault'],
      ['team.use', { name: 'ops', extra: 1 }, ''],
    ];
    for (const [channel, request, field] of cases) {
      expect(await dispatch(ann.ctx, channel, request), channel).toMatchObject({ ok: false, error: { code: 'ipc.bad_request', params: { field } } });
    }
  });

  it('an unknown vault name is a clear error, not a crash', async () => {
    expect(await dispatch(ann.ctx, 'team.use', { name: 'nope' })).toMatchObject({ ok: false, error: { code: 'team.not_found', params: { name: 'nope' } } });
  });
});

describe('set-up form options', () => {
  it('writes sslmode and the CA file into the URL, over what it said; leaves an unparseable URL to the service', () => {
    expect(withConnectionOptions('postgres://u@h:5432/db?sslmode=disable', 'verify-full', '/etc/ca.pem')).toBe('postgres://u@h:5432/db?sslmode=verify-full&sslrootcert=%2Fetc%2Fca.pem');
    expect(withConnectionOptions('postgres://u@h/db', undefined, undefined)).toBe('postgres://u@h/db');
    expect(withConnectionOptions('not a url', 'require', undefined)).toBe('not a url');
  });
});
