import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/core/db/open';
import { log } from '../../../main/core/log';
import { alertVault, inDays } from '../../unit/alerts/fixture';
import { certvault } from '../../unit/cli/io';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { startReceiver, type Receiver } from './receivers';

// `certvault alert` and `certvault notify` with the real (throwaway) keychain: the URL and secret
// go in through stdin, out only to the receiver, never to stdout, stderr or the log.

const repo = path.resolve(__dirname, '../../..');
const TOKEN = 'cli-token-0f1e2d3c';
const SECRET = 'SECcli-secret-4b5a6978';
const homes: string[] = [];
const logLines: string[] = [];
let ding: Receiver;
let slack: Receiver;

beforeAll(async () => {
  assertThrowawayKeyring();
  log.setSink((line) => void logLines.push(line));
  ding = await startReceiver('dingtalk', TOKEN, SECRET);
  slack = await startReceiver('slack', TOKEN);
});
afterAll(async () => {
  log.setSink((line) => process.stderr.write(`${line}\n`));
  await Promise.all([ding.close(), slack.close()]);
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

function home(now: Date): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-alert-'));
  homes.push(dir);
  const db = openDatabase(dir);
  const vault = alertVault(db);
  vault.entry('lib-1', { cn: 'soon.example.com', notAfter: inDays(3, now) });
  vault.copy('aliyun-prod', 'cas-7', { cn: 'shop.example.com', notAfter: inDays(25, now) });
  db.close();
  return dir;
}

describe('certvault alert and notify', () => {
  it('adds a webhook from stdin, lists it, tests it, notifies once, and removes it with its keychain entry', async () => {
    const now = new Date();
    const dir = home(now);
    const run = (args: string[], stdin?: string) => certvault(args, { home: dir, now, ...(stdin === undefined ? {} : { stdin }) });
    const outputs: string[] = [];
    const record = async (args: string[], stdin?: string) => {
      const result = await run(args, stdin);
      outputs.push(result.stdout, result.stderr);
      return result;
    };

    const added = await record(['alert', 'add', '--kind', 'dingtalk', '--name', 'ops-ding'], JSON.stringify({ url: ding.url, secret: SECRET }));
    expect(added.code).toBe(0);
    expect(added.stdout).toBe('added ops-ding (dingtalk); URL stored in the OS keychain\n');
    expect((await record(['alert', 'add', '--kind', 'dingtalk', '--name', 'OPS-DING'], JSON.stringify({ url: ding.url }))).code).toBe(2);
    expect((await record(['alert', 'add', '--kind', 'teams', '--name', 'x'], '{}')).code).toBe(2);

    const listed = await record(['alert', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual({ webhooks: [{ name: 'ops-ding', kind: 'dingtalk', createdAt: now.toISOString() }] });

    const tested = await record(['alert', 'test', 'ops-ding']);
    expect(tested.code).toBe(0);
    expect(ding.received.at(-1)!.verified).toBe(true);

    const notified = await record(['notify', '--json']);
    expect(notified.code).toBe(0);
    const document = JSON.parse(notified.stdout) as { notifications: { remoteId: string | null; threshold: unknown; daysLeft: number }[]; webhooks: unknown[] };
    expect(document.notifications.map((n) => [n.remoteId, n.threshold, n.daysLeft])).toEqual([[null, 7, 3], ['cas-7', 30, 25]]);
    expect(document.webhooks).toEqual([{ name: 'ops-ding', kind: 'dingtalk', status: 'sent', error: null }]);
    expect(ding.received.at(-1)!.text).toContain('shop.example.com expires in 25 day(s)');

    const again = await record(['notify']);
    expect([again.code, again.stdout]).toEqual([0, 'Nothing new to notify.\n']);

    expect((await record(['alert', 'remove', 'ops-ding'])).code).toBe(0);
    expect((await record(['alert', 'test', 'ops-ding'])).code).toBe(2);
    const none = await record(['notify']);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('No webhook to send alerts to');

    const everything = outputs.join('\n') + logLines.join('\n');
    for (const secret of [TOKEN, SECRET]) expect(everything).not.toContain(secret);
  });

  it('exits 3 when a webhook fails, naming it on stderr without its URL', async () => {
    const now = new Date();
    const dir = home(now);
    const wrong = slack.url.replace(TOKEN, 'revoked-token-77');
    expect((await certvault(['alert', 'add', '--kind', 'slack', '--name', 'chat'], { home: dir, now, stdin: JSON.stringify({ url: wrong }) })).code).toBe(0);
    const secretGiven = await certvault(['alert', 'add', '--kind', 'slack', '--name', 'chat2'], { home: dir, now, stdin: JSON.stringify({ url: slack.url, secret: 'x' }) });
    expect([secretGiven.code, secretGiven.stderr]).toEqual([2, expect.stringContaining('a slack webhook has no signing secret')]);
    const run = await certvault(['notify', '--days', '10'], { home: dir, now });
    expect(run.code).toBe(3);
    expect(run.stdout).toBe('1 alert(s) not sent\n');
    expect(run.stderr).toContain('Webhook "chat" (slack) did not take the message: HTTP 404');
    expect(run.stdout + run.stderr).not.toContain('revoked-token-77');
    // Nothing was taken: the same alert is due on the next run.
    expect((await certvault(['notify', '--days', '10', '--json'], { home: dir, now })).stdout).toContain('"threshold":7');
  });

  it('exits 5 when the keychain holding the URLs is unavailable', async () => {
    const now = new Date();
    const dir = home(now);
    expect((await certvault(['alert', 'add', '--kind', 'slack', '--name', 'chat'], { home: dir, now, stdin: JSON.stringify({ url: slack.url }) })).code).toBe(0);
    // A process of its own: the keychain connection of this one is already made.
    const withoutKeychain = (args: string[]) =>
      spawnSync(path.join(repo, 'node_modules/.bin/tsx'), [path.join(repo, 'main/cli/certvault.ts'), '--home', dir, ...args], {
        encoding: 'utf8',
        env: { ...process.env, CERTVAULT_LOG: 'off', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
      });
    const notify = withoutKeychain(['notify']);
    expect(notify.status).toBe(5);
    expect(notify.stderr).toMatch(/^certvault notify: No OS keychain is reachable/);
    const test = withoutKeychain(['alert', 'test', 'chat']);
    expect(test.status).toBe(5);
    expect(test.stderr).toMatch(/^certvault alert: No OS keychain is reachable/);
    // Two CLI processes started from source (tsx compiles the CLI in each): on a loaded 2-core machine
    // that alone has taken 39 s, past the suite's 30 s default.
  }, 120_000);
});
