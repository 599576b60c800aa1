import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EventName, Events, Response } from '../../../shared/ipc';
import type { HandlerContext } from '../../../main/core/ipc/context';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { teamAudit } from '../../../main/core/team/audit';
import { openTeamDb } from '../../../main/core/team/db/connect';
import { parseTeamUrl } from '../../../main/core/team/db/connection-url';
import { approveRequest, createTeam, joinTeam } from '../../../main/core/team/membership';
import type { TeamEnvironment } from '../../../main/core/team/session';
import { TeamSettingsStore } from '../../../main/core/team/team-settings';
import { VaultSwitcher } from '../../../main/core/team/vault-switch';
import { useVault } from '../../../main/core/team/vaults';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { makeCa, makeLeaf } from '../../unit/vault/helpers/pki';
import { testHandlerContext } from '../../unit/electron/handler-context';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';

// Three windows on one team vault, as the app wires them (VaultSwitcher): Ann (admin), Bob
// (operator), Vic (viewer), each with its own data folder, keychain and event sink. A switch
// opens the chosen vault; an action is checked against the member's role, audited, and reaches
// the other windows live.

let cluster: PgCluster;
const homes: string[] = [];
const switchers: VaultSwitcher[] = [];

interface Window {
  readonly env: TeamEnvironment;
  readonly events: { event: EventName; payload: unknown; at: number }[];
  switcher: VaultSwitcher;
}

function computer(machine: string): TeamEnvironment {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `certvault-window-${machine}-`));
  homes.push(dataDir);
  return { dataDir, secrets: new MemorySecretStore(), now: () => new Date(), machine };
}

async function openWindow(env: TeamEnvironment): Promise<Window> {
  const events: Window['events'] = [];
  const base: HandlerContext = testHandlerContext({
    dataDir: env.dataDir,
    secrets: () => env.secrets,
    now: env.now,
    events: { emit: (event, payload) => events.push({ event, payload, at: performance.now() }) },
  });
  const switcher = await VaultSwitcher.start(base);
  switchers.push(switcher);
  return { env, events, switcher };
}

/** Resolves with the arrival time of the first `team.changed` of `action` in `window` (polling its sink). */
async function arrival(window: Window, action: string, timeoutMs = 5_000): Promise<number> {
  const until = performance.now() + timeoutMs;
  for (;;) {
    const found = window.events.find((e) => e.event === 'team.changed' && (e.payload as Events['team.changed']).action === action);
    if (found) return found.at;
    if (performance.now() > until) throw new Error(`no team.changed ${action} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

const environmentAccount = { cloud: 'tencent', name: 'shared-lab', secretSource: 'environment' } as const;

let ann: Window;
let bob: Window;
let vic: Window;

beforeAll(async () => {
  cluster = await startPgCluster();
  const { address, password } = parseTeamUrl(cluster.url({ query: 'sslmode=disable' }));
  const admin = openTeamDb({ address, password: password ?? '' });
  await sql`CREATE DATABASE certvault`.execute(admin);
  await admin.destroy();
  const url = cluster.url({ database: 'certvault', query: 'sslmode=disable' });
  const [annEnv, bobEnv, vicEnv] = [computer('ann-laptop'), computer('bob-desktop'), computer('vic-desktop')];
  await createTeam(annEnv, { url, name: 'ops', memberName: 'Ann' });
  for (const [env, memberName, role] of [
    [bobEnv, 'Bob', 'operator'],
    [vicEnv, 'Vic', 'viewer'],
  ] as const) {
    const request = await joinTeam(env, { url, name: 'ops', memberName });
    await approveRequest(annEnv, 'ops', { requestId: request.requestId, role, phrase: request.fingerprintPhrase });
    useVault(env, 'ops');
  }
  ann = await openWindow(annEnv);
  bob = await openWindow(bobEnv);
  vic = await openWindow(vicEnv);
});

afterAll(async () => {
  for (const switcher of switchers) await switcher.close();
  await cluster?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

describe('windows on a team vault', () => {
  it('a window starts on the vault in use; switching opens the team vault and tells the window', async () => {
    expect(ann.switcher.name).toBe('local');
    expect(ann.switcher.current.team).toBeUndefined();
    const switched = await dispatch(ann.switcher.current, 'team.use', { name: 'ops' });
    expect(switched).toMatchObject({ ok: true, value: { current: 'ops' } });
    expect(ann.switcher.current.team?.()).toMatchObject({ name: 'ops', role: 'admin', member: { name: 'Ann' } });
    expect(ann.events.filter((e) => e.event === 'vault.changed').map((e) => e.payload)).toEqual([{ current: 'ops' }]);
    expect(bob.switcher.current.team?.().role).toBe('operator');
  });

  it("an operator's account reaches the admin's window live and is in the audit log", async () => {
    const sent = performance.now();
    const saved = await dispatch(bob.switcher.current, 'accounts.save', environmentAccount);
    expect(saved.ok ? null : saved.error).toBeNull();
    // How soon is logged, not asserted (no timed assertions on a shared CI machine); arrival() gives up after 5 s.
    const latencyMs = (await arrival(ann, 'account.save')) - sent;
    console.info(`team window: account.save reached another member's window ${latencyMs.toFixed(0)} ms after it was sent`);
    const listed = await dispatch(ann.switcher.current, 'accounts.list', {});
    expect(listed).toMatchObject({ ok: true, value: { accounts: [expect.objectContaining({ name: 'shared-lab' })] } });
    const { rows, verdict } = await teamAudit(ann.env, 'ops', true);
    // A window's machine is the computer's host name (the test's three "computers" share one).
    expect(rows.at(-1)).toMatchObject({ action: 'account.save', member_name: 'Bob', machine: os.hostname(), detail: { name: 'shared-lab', cloud: 'tencent' } });
    expect(verdict?.ok).toBe(true);
  });

  it('a viewer is refused what needs an operator, by name; backup is for the local vault only', async () => {
    const refused = await dispatch(vic.switcher.current, 'accounts.save', { ...environmentAccount, name: 'vic-lab' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'team.role_required', params: { team: 'ops', role: 'viewer', needed: 'operator', action: 'account' } } });
    const backup = await dispatch(vic.switcher.current, 'vault.backup', { path: path.join(vic.env.dataDir, 'b.cvbak'), passphrase: 'correct horse battery' });
    expect(backup).toMatchObject({ ok: false, error: { code: 'team.local_only', params: { team: 'ops', action: 'backup' } } });
    const listed = await dispatch(vic.switcher.current, 'accounts.list', {});
    expect(listed).toMatchObject({ ok: true, value: { accounts: [expect.objectContaining({ name: 'shared-lab' })] } });
  });

  it("an operator's import reaches the other windows live; an admin exports its key; the viewer's keychain opens nothing", async () => {
    const ca = await makeCa('Team Root');
    const leaf = await makeLeaf(ca, { commonName: 'shop.example.com' });
    const sent = performance.now();
    const imported = await dispatch(bob.switcher.current, 'library.importContent', { files: [{ name: 'shop.pem', data: new TextEncoder().encode(leaf.certPem + leaf.keyPem) }] });
    if (!imported.ok) throw new Error(imported.error.message);
    const id = (imported.value as Response<'library.importContent'>).imported[0]!.id;
    const committed = performance.now();
    const arrived = await arrival(vic, 'vault.import');
    console.info(`team window: vault.import reached another member's window ${(arrived - committed).toFixed(0)} ms after the import returned (${(committed - sent).toFixed(0)} ms to import)`);
    expect(vic.events.some((e) => e.event === 'library.changed' && (e.payload as Events['library.changed']).reason === 'import')).toBe(true);

    const listed = await dispatch(vic.switcher.current, 'library.list', {});
    expect(listed).toMatchObject({ ok: true, value: { entries: [expect.objectContaining({ id, name: expect.stringContaining('shop.example.com') })] } });

    const annFile = path.join(ann.env.dataDir, 'shop.key');
    const exported = await dispatch(ann.switcher.current, 'library.export', { id, format: 'key', path: annFile });
    expect(exported.ok ? null : exported.error).toBeNull();
    expect(fs.readFileSync(annFile, 'utf8')).toBe(leaf.keyPem);

    const vicFile = path.join(vic.env.dataDir, 'shop.key');
    const refused = await dispatch(vic.switcher.current, 'library.export', { id, format: 'key', path: vicFile });
    expect(refused).toMatchObject({ ok: false, error: { code: 'team.viewer_no_key', params: { team: 'ops' } } });
    expect(fs.existsSync(vicFile)).toBe(false);
    const certificate = await dispatch(vic.switcher.current, 'library.export', { id, format: 'pem', path: path.join(vic.env.dataDir, 'shop.pem') });
    expect(certificate.ok).toBe(true);
    const importRefused = await dispatch(vic.switcher.current, 'library.importContent', { files: [{ name: 'again.pem', data: new TextEncoder().encode(leaf.certPem) }] });
    expect(importRefused).toMatchObject({ ok: false, error: { code: 'team.role_required', params: { action: 'import' } } });

    const { rows } = await teamAudit(ann.env, 'ops', false);
    expect(rows.slice(-2).map((row) => [row.action, row.member_name])).toEqual([
      ['vault.import', 'Bob'],
      ['vault.export_key', 'Ann'],
    ]);
  });

  it("an admin's role change and removal reach the member's window live: its standing, and what its actions are checked against", async () => {
    const pem = new TextEncoder().encode((await makeLeaf(await makeCa('Role Root'), { commonName: 'role.example.com' })).certPem);
    const standing = (window: Window) =>
      window.events
        .filter((e) => e.event === 'team.status')
        .map((e) => (e.payload as Events['team.status']).status.standing)
        .at(-1);

    const roster = await dispatch(ann.switcher.current, 'team.members', { vault: 'ops' });
    if (!roster.ok) throw new Error(roster.error.message);
    const idOf = (name: string) => (roster.value as Response<'team.members'>).members.find((member) => member.name === name)!.id;

    expect(await dispatch(vic.switcher.current, 'team.status', { vault: 'ops' })).toMatchObject({ ok: true, value: { standing: { state: 'member', name: 'Vic', role: 'viewer' } } });
    const promoted = await dispatch(ann.switcher.current, 'team.role', { vault: 'ops', member: idOf('Vic'), role: 'operator' });
    expect(promoted.ok ? null : promoted.error).toBeNull();
    await vi.waitFor(() => expect(standing(vic)).toEqual({ state: 'member', name: 'Vic', role: 'operator' }), { timeout: 5_000 });
    expect(vic.switcher.current.team?.().role).toBe('operator');
    // Given the team key with the role: the library reads which keys it can open again.
    await vi.waitFor(() => expect(vic.events.some((e) => e.event === 'library.changed' && (e.payload as Events['library.changed']).reason === 'keychain')).toBe(true), { timeout: 5_000 });
    expect(await dispatch(vic.switcher.current, 'library.importContent', { files: [{ name: 'role.pem', data: pem }] })).toMatchObject({ ok: true });

    expect((await dispatch(ann.switcher.current, 'team.role', { vault: 'ops', member: idOf('Bob'), role: 'viewer' })).ok).toBe(true);
    await vi.waitFor(() => expect(standing(bob)).toEqual({ state: 'member', name: 'Bob', role: 'viewer' }), { timeout: 5_000 });
    const demoted = await dispatch(bob.switcher.current, 'accounts.save', { ...environmentAccount, name: 'bob-lab' });
    expect(demoted).toMatchObject({ ok: false, error: { code: 'team.role_required', params: { role: 'viewer', needed: 'operator', action: 'account' } } });

    expect((await dispatch(ann.switcher.current, 'team.remove', { vault: 'ops', member: idOf('Bob') })).ok).toBe(true);
    await vi.waitFor(() => expect(standing(bob)).toEqual({ state: 'removed', team: 'ops', by: 'Ann' }), { timeout: 5_000 });
    const removed = await dispatch(bob.switcher.current, 'library.importContent', { files: [{ name: 'again.pem', data: pem }] });
    expect(removed).toMatchObject({ ok: false, error: { code: 'team.member_removed', params: { team: 'ops', by: 'Ann' } } });
    expect(await dispatch(bob.switcher.current, 'team.status', { vault: 'ops' })).toMatchObject({ ok: true, value: { online: true, standing: { state: 'removed', by: 'Ann' } } });
  });

  it('switching back to local closes the team connections; the local vault has no roles', async () => {
    const teamContext = vic.switcher.current;
    expect((await dispatch(teamContext, 'team.use', { name: 'local' })).ok).toBe(true);
    expect(vic.switcher.current.team).toBeUndefined();
    expect(await dispatch(vic.switcher.current, 'accounts.list', {})).toMatchObject({ ok: true, value: { accounts: [] } });
    expect(new TeamSettingsStore(vic.env.dataDir).read().current).toBe('local');
  });

  it('a vault that cannot be opened leaves the window where it was, and unrecorded', async () => {
    const far = new TeamSettingsStore(ann.env.dataDir);
    const entry = far.find('ops');
    // Another team (no local copy of it to fall back on).
    far.add({ ...entry, name: 'far', teamId: randomUUID(), url: entry.url.replace(`:${cluster.port}/`, ':1/') });
    await ann.env.secrets.set('team-db:far', 'whatever');
    const refused = await dispatch(ann.switcher.current, 'team.use', { name: 'far' });
    expect(refused).toMatchObject({ ok: false, error: { code: 'team.unreachable', params: { address: '127.0.0.1:1' } } });
    expect(ann.switcher.name).toBe('ops');
    expect(far.read().current).toBe('ops');
  });
});
