import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';
import { certvault } from '../../unit/cli/io';
import { testHandlerContext } from '../../unit/electron/handler-context';
import { snapshotFile } from '../../../main/core/team/offline/snapshot';
import { TeamSettingsStore } from '../../../main/core/team/team-settings';
import { contextOnVault } from '../../../main/core/team/vault-switch';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';

// `certvault team ...` end to end: two data folders (Ann's and Bob's computers) sharing the
// throwaway keyring of scripts/with-keyring.sh, on one throwaway PostgreSQL as its superuser.

let cluster: PgCluster;
let annHome: string;
let bobHome: string;

beforeAll(async () => {
  assertThrowawayKeyring();
  cluster = await startPgCluster();
  annHome = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-cli-ann-'));
  bobHome = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-cli-bob-'));
});

afterAll(async () => {
  await cluster?.stop();
  for (const home of [annHome, bobHome]) if (home) fs.rmSync(home, { recursive: true, force: true });
});

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

describe('certvault team', () => {
  let request: { requestId: string; fingerprintPhrase: string };

  it('create takes the password from stdin; join from PGPASSWORD; neither is in a file or on screen', async () => {
    const url = cluster.url().replace(`:${cluster.password}@`, '@') + '?sslmode=disable';
    const created = await certvault(['team', 'create', url, '--name', 'ann-ops', '--member', 'Ann', '--password-stdin', '--json'], { home: annHome, stdin: `${cluster.password}\n` });
    expect(created.stderr).toBe('');
    expect(created.code).toBe(0);
    expect(json(created.stdout)).toMatchObject({ team: { name: 'ann-ops' } });

    const joined = await certvault(['team', 'join', url, '--name', 'bob-ops', '--member', 'Bob', '--json'], { home: bobHome, env: { PGPASSWORD: cluster.password } });
    expect(joined.code).toBe(0);
    request = json(joined.stdout) as typeof request;
    expect(Object.keys(request).sort()).toEqual(['fingerprintPhrase', 'requestId']);
    for (const home of [annHome, bobHome]) {
      for (const file of fs.readdirSync(home)) expect(fs.readFileSync(path.join(home, file), 'utf8')).not.toContain(cluster.password);
    }
    expect(created.stdout + joined.stdout).not.toContain(cluster.password);
  });

  it('commands other than create/join act on the vault in use', async () => {
    const none = await certvault(['team', 'requests'], { home: annHome });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No team vault is in use');
    expect((await certvault(['team', 'use', 'ann-ops'], { home: annHome })).code).toBe(0);
    const requests = await certvault(['team', 'requests', '--json'], { home: annHome });
    expect(json(requests.stdout)).toEqual({ requests: [expect.objectContaining({ id: request.requestId, member: 'Bob', fingerprintPhrase: request.fingerprintPhrase })] });
  });

  it('approve without --phrase shows the phrase to compare and approves nothing; a wrong one is refused', async () => {
    const unconfirmed = await certvault(['team', 'approve', request.requestId, '--role', 'operator'], { home: annHome });
    expect(unconfirmed.code).toBe(2);
    expect(unconfirmed.stderr).toContain(request.fingerprintPhrase);
    const wrong = await certvault(['team', 'approve', request.requestId, '--role', 'operator', '--phrase', '12345 12345 12345 12345 12345 12345'], { home: annHome });
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toContain('does not match');
    const members = json((await certvault(['team', 'members', '--json'], { home: annHome })).stdout) as { members: { name: string }[] };
    expect(members.members.map((m) => m.name)).toEqual(['Ann']);
  });

  it('at a terminal, approve asks for the phrase on the new member\'s screen, without showing the expected one', async () => {
    const prompts: string[] = [];
    let stderr = '';
    const atTerminal = (typed: string) => ({
      stdout: () => undefined,
      stderr: (text: string) => void (stderr += text),
      readStdin: async () => '',
      env: { LANG: 'C.UTF-8' },
      askLine: async (prompt: string) => (prompts.push(prompt), typed),
    });
    const code = await runCli(['--home', annHome, 'team', 'approve', request.requestId, '--role', 'viewer'], atTerminal('99999 99999 99999 99999 99999 99999'));
    expect(code).toBe(2);
    expect(prompts).toEqual([expect.stringContaining('Type the phrase shown on their screen')]);
    expect(prompts[0]).not.toContain(request.fingerprintPhrase);
    expect(stderr).toContain('does not match');
    const members = json((await certvault(['team', 'members', '--json'], { home: annHome })).stdout) as { members: { name: string }[] };
    expect(members.members.map((m) => m.name)).toEqual(['Ann']);
  });

  it('approve with the phrase, members, remove, and a verified audit log', async () => {
    const approved = await certvault(['team', 'approve', request.requestId, '--role', 'operator', '--phrase', request.fingerprintPhrase, '--json'], { home: annHome });
    expect(approved.code).toBe(0);
    expect(json(approved.stdout)).toMatchObject({ approved: { name: 'Bob', role: 'operator', status: 'active' } });
    const bobsView = await certvault(['team', 'members', '--vault', 'bob-ops', '--json'], { home: bobHome });
    expect((json(bobsView.stdout) as { members: { name: string; role: string }[] }).members.map((m) => [m.name, m.role])).toEqual([
      ['Ann', 'admin'],
      ['Bob', 'operator'],
    ]);
    const demoted = await certvault(['team', 'role', 'Bob', '--role', 'viewer', '--json'], { home: annHome });
    expect(demoted.code).toBe(0);
    expect(json(demoted.stdout)).toMatchObject({ member: { name: 'Bob', role: 'viewer' }, from: 'operator', keyVersion: 2, rotated: true });
    const told = await certvault(['team', 'role', 'Bob', '--role', 'operator'], { home: annHome });
    expect(told.stdout).toBe('Bob is now operator (was viewer). They were given the team key (version 2).\n');
    const lastAdmin = await certvault(['team', 'role', 'Ann', '--role', 'viewer'], { home: annHome });
    expect(lastAdmin.code).toBe(2);
    expect(lastAdmin.stderr).toContain('Ann');
    const badRole = await certvault(['team', 'role', 'Bob', '--role', 'owner'], { home: annHome });
    expect([badRole.code, badRole.stderr]).toEqual([2, expect.stringContaining('--role must be one of viewer, operator, admin')]);
    const removed = await certvault(['team', 'remove', 'Bob', '--json'], { home: annHome });
    expect(json(removed.stdout)).toMatchObject({ removed: { name: 'Bob', status: 'removed' }, keyVersion: 3 });
    const audit = await certvault(['team', 'audit', '--verify', '--json'], { home: annHome });
    expect(audit.code).toBe(0);
    const report = json(audit.stdout) as { rows: { action: string }[]; verify: unknown };
    expect(report.rows.map((row) => row.action)).toEqual(['team.create', 'member.request', 'member.approve', 'member.role', 'member.role', 'member.remove']);
    expect(report.verify).toEqual({ ok: true, rows: 6 });
  });

  it('reject refuses a join request by its ID; it is then neither listed nor approvable', async () => {
    const asked = await certvault(['team', 'join', cluster.url({ query: 'sslmode=disable' }), '--name', 'bob-again', '--member', 'Bob', '--json'], { home: bobHome });
    expect(asked.code).toBe(0);
    const { requestId } = json(asked.stdout) as { requestId: string };
    const rejected = await certvault(['team', 'reject', requestId, '--json'], { home: annHome });
    expect([rejected.code, json(rejected.stdout)]).toEqual([0, { rejected: { id: requestId, member: 'Bob', machine: os.hostname() } }]);
    expect(json((await certvault(['team', 'requests', '--json'], { home: annHome })).stdout)).toEqual({ requests: [] });
    const again = await certvault(['team', 'reject', requestId], { home: annHome });
    expect(again.code).toBe(2);
  });

  it('every command works on the vault in use; --vault NAME|local picks another for one command', async () => {
    const env = { TENCENTCLOUD_SECRET_ID: 'AKIDexample', TENCENTCLOUD_SECRET_KEY: 'not-a-real-secret' };
    const added = await certvault(['account', 'add', '--cloud', 'tencent', '--name', 'team-lab', '--secret-from-env', '--json'], { home: annHome, env });
    expect(added.stderr).toBe('');
    const names = async (args: string[]) => (json((await certvault([...args, 'account', 'list', '--json'], { home: annHome })).stdout) as { accounts: { name: string }[] }).accounts.map((a) => a.name);
    expect(await names([])).toEqual(['team-lab']);
    expect(await names(['--vault', 'ann-ops'])).toEqual(['team-lab']);
    expect(await names(['--vault', 'local'])).toEqual([]);

    const unknown = await certvault(['--vault', 'nosuch', 'account', 'list'], { home: annHome });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('No team vault named “nosuch”');
    const misplaced = await certvault(['--vault', 'ann-ops', 'team', 'members'], { home: annHome });
    expect(misplaced.code).toBe(2);
    expect(misplaced.stderr).toContain('--vault does not apply to team');
  });

  it('offline, a command reads the app\'s local copy and says so once; a change is refused with exit 6', async () => {
    // The window keeps the copy (a CLI run takes none of its own): open it as the app does, until the copy is taken.
    const window = await contextOnVault(testHandlerContext({ dataDir: annHome }), 'ann-ops', { live: true });
    const copy = snapshotFile(annHome, new TeamSettingsStore(annHome).find('ann-ops').teamId);
    try {
      expect(fs.existsSync(copy)).toBe(true);
      await cluster.halt();
      try {
        const listed = await certvault(['account', 'list', '--json'], { home: annHome });
        // A time of today, else with its date (the copy's clock and the command's are the test's own).
        const clock = '(?:\\d{4}-\\d{2}-\\d{2} )?\\d{2}:\\d{2}';
        expect(listed.code).toBe(0);
        expect(json(listed.stdout)).toMatchObject({ accounts: [expect.objectContaining({ name: 'team-lab' })] });
        expect(listed.stderr).toMatch(new RegExp(`^certvault account: Team vault ann-ops is offline \\(127\\.0\\.0\\.1:${cluster.port} unreachable since ${clock}\\); showing the copy from ${clock}, read-only\\. Nothing was changed\\.\n$`));
        const env = { TENCENTCLOUD_SECRET_ID: 'AKIDexample', TENCENTCLOUD_SECRET_KEY: 'not-a-real-secret' };
        const refused = await certvault(['account', 'add', '--cloud', 'tencent', '--name', 'offline-lab', '--secret-from-env'], { home: annHome, env });
        expect(refused.code).toBe(6);
        expect(refused.stderr.trim().split('\n')).toHaveLength(1);
        expect(refused.stderr).toContain('Team vault ann-ops is offline');
      } finally {
        await cluster.start();
      }
      const names = (json((await certvault(['account', 'list', '--json'], { home: annHome })).stdout) as { accounts: { name: string }[] }).accounts.map((a) => a.name);
      expect(names).toEqual(['team-lab']);
    } finally {
      await window.close();
      // The next test is about a server out of reach with no copy to show.
      fs.rmSync(copy, { force: true });
    }
  });

  it('an unreachable server is one line naming host:port, exit 1, no stack trace', async () => {
    await cluster.stop();
    const result = await certvault(['team', 'members'], { home: annHome });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(new RegExp(`^certvault team: Cannot reach the team database at 127\\.0\\.0\\.1:${cluster.port} \\(ECONNREFUSED\\)`));
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    const onVault = await certvault(['account', 'list'], { home: annHome });
    expect(onVault.code).toBe(1);
    expect(onVault.stderr).toMatch(new RegExp(`^certvault account: Cannot reach the team database at 127\\.0\\.0\\.1:${cluster.port} \\(ECONNREFUSED\\)`));
    expect((await certvault(['--vault', 'local', 'account', 'list'], { home: annHome })).code).toBe(0);
  });
});
