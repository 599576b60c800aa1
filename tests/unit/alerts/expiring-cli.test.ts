import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/core/db/open';
import { certvault } from '../cli/io';
import { alertVault, inDays, START } from './fixture';

// `certvault expiring` over a data folder holding library entries and synced remote copies.

const homes: string[] = [];
afterEach(() => homes.splice(0).forEach((home) => fs.rmSync(home, { recursive: true, force: true })));

function home(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-expiring-'));
  homes.push(dir);
  const db = openDatabase(dir);
  const vault = alertVault(db);
  vault.entry('lib-soon', { cn: 'soon.example.com', notAfter: inDays(10) });
  vault.entry('lib-far', { cn: 'far.example.com', notAfter: inDays(200) });
  vault.entry('lib-old', { cn: 'www.example.com', notAfter: inDays(-3) });
  vault.entry('lib-new', { cn: 'www.example.com', notAfter: inDays(80), renews: 'lib-old' });
  vault.copy('tencent-prod', 'cert-OLD', { cn: 'www.example.com', notAfter: inDays(-3), libraryId: 'lib-old' });
  vault.copy('tencent-prod', 'cert-q"\\', { cn: 'odd\n"name"\\', notAfter: inDays(25) });
  vault.copy('tencent-prod', 'no-expiry', { cn: 'x.example.com', notAfter: null });
  db.close();
  return dir;
}

describe('certvault expiring', () => {
  it('lists library and remote certificates due within --days, soonest first, and exits 4', async () => {
    const run = await certvault(['expiring', '--days', '30', '--json'], { home: home(), now: START });
    expect(run.code).toBe(4);
    expect(run.stdout.endsWith('}\n') && !run.stdout.slice(0, -1).includes('\n')).toBe(true);
    const { certificates } = JSON.parse(run.stdout) as { certificates: Record<string, unknown>[] };
    expect(certificates).toEqual([
      { source: 'remote', id: 'lib-old', account: 'tencent-prod', cloud: 'tencent', remoteId: 'cert-OLD', commonName: 'www.example.com', notAfter: inDays(-3), daysLeft: -3 },
      { source: 'library', id: 'lib-soon', account: null, cloud: null, remoteId: null, commonName: 'soon.example.com', notAfter: inDays(10), daysLeft: 10 },
      { source: 'remote', id: null, account: 'tencent-prod', cloud: 'tencent', remoteId: 'cert-q"\\', commonName: 'odd\n"name"\\', notAfter: inDays(25), daysLeft: 25 },
    ]);
  });

  it('exits 0 with an empty list when nothing is due, and indents with --pretty', async () => {
    const dir = home();
    const run = await certvault(['expiring', '--days', '5', '--json', '--pretty'], { home: dir, now: new Date(START.getTime() - 30 * 86_400_000) });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe('{\n  "certificates": []\n}\n');
  });

  it('defaults --days to the Settings threshold (30) and prints a table', async () => {
    const run = await certvault(['expiring'], { home: home(), now: START });
    expect(run.code).toBe(4);
    expect(run.stdout).toContain('renewed locally, not yet deployed');
    expect(run.stdout).not.toContain('far.example.com');
  });

  it('prints every certificate in the node_exporter textfile format, labels escaped', async () => {
    const run = await certvault(['expiring', '--days', '30', '--prometheus'], { home: home(), now: START });
    expect(run.code).toBe(4);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines.slice(0, 2)).toEqual([
      expect.stringMatching(/^# HELP certvault_certificate_not_after_seconds \S/),
      '# TYPE certvault_certificate_not_after_seconds gauge',
    ]);
    const seconds = (days: number) => Math.floor(Date.parse(inDays(days)) / 1000);
    expect(lines.slice(2)).toEqual([
      `certvault_certificate_not_after_seconds{source="remote",cloud="tencent",account="tencent-prod",name="www.example.com",id="cert-OLD"} ${seconds(-3)}`,
      `certvault_certificate_not_after_seconds{source="library",cloud="",account="",name="soon.example.com",id="lib-soon"} ${seconds(10)}`,
      `certvault_certificate_not_after_seconds{source="remote",cloud="tencent",account="tencent-prod",name="odd\\n\\"name\\"\\\\",id="cert-q\\"\\\\"} ${seconds(25)}`,
      `certvault_certificate_not_after_seconds{source="library",cloud="",account="",name="www.example.com",id="lib-new"} ${seconds(80)}`,
      `certvault_certificate_not_after_seconds{source="library",cloud="",account="",name="far.example.com",id="lib-far"} ${seconds(200)}`,
    ]);
  });

  it('refuses a bad --days and --json with --prometheus, exit 2', async () => {
    const dir = home();
    for (const args of [['--days', 'x'], ['--days', '-1'], ['--json', '--prometheus']]) {
      const run = await certvault(['expiring', ...args], { home: dir, now: START });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
    }
  });
});
