import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { nodeVersionProblem } from '../../../main/cli/node-version';
import { useCliVault, type CliFixtures } from './fixtures';
import { certvault } from './io';

// Issue 8 §5 on a plain vault (no private keys, so no keychain needed): JSON Lines, exit codes,
// export to stdout and --force, edit, import --name on an existing entry, and validation messages
// written for a person.

let fx: CliFixtures;
let home: string;
useCliVault('certvault-contract-', (made) => (fx = made), (made) => (home = made));

async function importChain(): Promise<string> {
  const run = await certvault(['import', '--json', fx.fullchain], { home });
  expect(run.code).toBe(0);
  const imported = (JSON.parse(run.stdout) as { imported: { id: string; duplicate: boolean }[] }).imported;
  return imported[0]!.id;
}

/** One compact JSON document on one line: what `>> uploads.jsonl` needs. */
function expectJsonLine(stdout: string): unknown {
  expect(stdout.endsWith('\n')).toBe(true);
  expect(stdout.slice(0, -1)).not.toContain('\n');
  return JSON.parse(stdout);
}

describe('--json is JSON Lines', () => {
  it('every library command prints one line; --pretty indents', async () => {
    const id = await importChain();
    const out = path.join(home, 'leaf.pem');
    const commands = [
      ['import', '--json', fx.fullchain],
      ['inspect', '--json', fx.fullchain],
      ['list', '--json'],
      ['show', '--json', id],
      ['export', '--json', id, '--format', 'pem', '--out', out],
      ['edit', '--json', id, '--notes', 'rotated\nby hand'],
      ['history', '--json'],
      ['account', 'list', '--json'],
      ['remove', '--json', id],
    ];
    for (const args of commands) {
      const run = await certvault(args, { home });
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(0);
      expectJsonLine(run.stdout);
    }
    const pretty = await certvault(['list', '--json', '--pretty'], { home });
    expect(pretty.stdout.split('\n').length).toBeGreaterThan(2);
    expect(JSON.parse(pretty.stdout)).toEqual(JSON.parse((await certvault(['list', '--json'], { home })).stdout));
  });
});

describe('exit codes', () => {
  it('2 for an unknown ID, an unknown account and bad account JSON; documented in --help', async () => {
    expect((await certvault(['show', 'ffffffff'], { home })).code).toBe(2);
    expect((await certvault(['remove', 'ffffffff'], { home })).code).toBe(2);
    expect((await certvault(['account', 'test', 'nobody'], { home })).code).toBe(2);
    const badJson = await certvault(['account', 'add', '--cloud', 'tencent', '--name', 'x', '--secret-stdin'], { home, stdin: '{"secretId": "AKID"' });
    expect(badJson.code).toBe(2);
    const help = (await certvault(['--help'], { home })).stdout;
    expect(help).toMatch(/^ {2}2 +unusable input.*unknown ID or account, bad account JSON$/m);
    expect(help).toMatch(/^ {2}5 +no OS keychain is reachable/m);
    expect(help).toMatch(/^ {2}6 +the team vault is offline: the change was refused, nothing was written/m);
    expect(help).toMatch(/--pretty/);
  });
});

describe('certvault export', () => {
  it('--out - writes certificates and chains to stdout, DER as bytes', async () => {
    const id = await importChain();
    const pem = await certvault(['export', id, '--format', 'fullchain', '--out', '-'], { home });
    expect(pem.code).toBe(0);
    expect(pem.stdout.match(/-----BEGIN CERTIFICATE-----/g)).toHaveLength(3);
    const der = await certvault(['export', id, '--format', 'der', '--out', '-'], { home });
    expect(der.code).toBe(0);
    expect(der.stdoutBytes.equals(execFileSync('openssl', ['x509', '-in', fx.leaf, '-outform', 'DER']))).toBe(true);
    // Not onto a terminal: the bytes would reach it raw.
    const onTerminal = await certvault(['export', id, '--format', 'der', '--out', '-'], { home, terminal: true });
    expect(onTerminal.code).toBe(2);
    expect(onTerminal.stdoutBytes.length).toBe(0);
    expect(onTerminal.stderr).toMatch(/--format der is binary: redirect standard output/);
  });

  it('--out - refuses a private key without --force, and --json', async () => {
    const id = await importChain();
    for (const format of ['key', 'bundle']) {
      const run = await certvault(['export', id, '--format', format, '--out', '-'], { home });
      expect(run.code).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr).toMatch(new RegExp(`^certvault export: --format ${format} holds the private key: add --force`));
    }
    const json = await certvault(['export', '--json', id, '--format', 'pem', '--out', '-'], { home });
    expect(json.code).toBe(2);
  });

  it('never replaces an existing file without --force', async () => {
    const id = await importChain();
    const out = path.join(home, 'existing.pem');
    fs.writeFileSync(out, 'keep me');
    const refused = await certvault(['export', id, '--format', 'pem', '--out', out], { home });
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/existing\.pem already exists: add --force to replace it/);
    expect(fs.readFileSync(out, 'utf8')).toBe('keep me');
    const forced = await certvault(['export', id, '--format', 'pem', '--out', out, '--force'], { home });
    expect(forced.code).toBe(0);
    expect(fs.readFileSync(out, 'utf8')).toMatch(/^-----BEGIN CERTIFICATE-----/);
  });
});

describe('certvault edit', () => {
  it('changes name, tags and notes; --tags "" clears', async () => {
    const id = await importChain();
    const run = await certvault(['edit', id, '--name', 'web front', '--tags', 'prod, web,prod,', '--notes', 'renew in May'], { home });
    expect(run).toMatchObject({ code: 0, stdout: `updated ${id} (web front)\n`, stderr: '' });
    const shown = JSON.parse((await certvault(['show', '--json', id], { home })).stdout) as { name: string; tags: string[]; notes: string };
    expect(shown).toMatchObject({ name: 'web front', tags: ['prod', 'web'], notes: 'renew in May' });
    expect((await certvault(['edit', id, '--tags', ''], { home })).code).toBe(0);
    expect((JSON.parse((await certvault(['show', '--json', id], { home })).stdout) as { tags: string[] }).tags).toEqual([]);
  });

  it('--if-unchanged-since: an entry changed since that time is refused, unchanged, with exit 1', async () => {
    const id = await importChain();
    const before = (JSON.parse((await certvault(['show', '--json', id], { home })).stdout) as { updatedAt: string }).updatedAt;
    const edited = JSON.parse((await certvault(['edit', '--json', id, '--notes', 'first', '--if-unchanged-since', before], { home })).stdout) as { updatedAt: string };
    expect(edited.updatedAt > before).toBe(true);
    const stale = await certvault(['edit', id, '--notes', 'second', '--if-unchanged-since', before], { home });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('was changed at');
    expect((JSON.parse((await certvault(['show', '--json', id], { home })).stdout) as { notes: string }).notes).toBe('first');
  });

  it('needs something to change, and a name that is not empty', async () => {
    const id = await importChain();
    expect((await certvault(['edit', id], { home })).stderr).toMatch(/^certvault edit: nothing to change: give --name, --tags or --notes/);
    expect((await certvault(['edit', id, '--name', ' '], { home })).code).toBe(2);
    expect((await certvault(['edit', 'ffffffff', '--name', 'x'], { home })).code).toBe(2);
  });
});

describe('certvault import --name on an entry already in the library', () => {
  it('renames it and says so', async () => {
    const id = await importChain();
    const run = await certvault(['import', '--name', 'renamed', fx.leaf], { home });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^merged +${id} +[0-9a-f]{64} +renamed to renamed$`, 'm'));
    expect((JSON.parse((await certvault(['show', '--json', id], { home })).stdout) as { name: string }).name).toBe('renamed');
  });
});

describe('validation messages are written for a person', () => {
  const jargon = /Invalid request|library\.|accounts\.|history\.|inspect\.|Too (small|big)|expected|zod|\bstring\b|\barray\b|ipc/i;
  const long = 'x'.repeat(300);
  const invocations: string[][] = [
    ['show', ''],
    ['show', ' '],
    ['show', long],
    ['remove', ''],
    ['export', '', '--format', 'pem', '--out', '-'],
    ['edit', '', '--name', 'x'],
    ['edit', 'abc', '--name', long],
    ['edit', 'abc', '--tags', `ok,${'t'.repeat(70)}`],
    ['edit', 'abc', '--tags', Array.from({ length: 60 }, (_, i) => `t${i}`).join(',')],
    ['edit', 'abc', '--notes', 'n'.repeat(10_001)],
    ['import', '--name', long, 'whatever.pem'],
    ['import', '--name', '', 'whatever.pem'],
    ['import', '--tag', '', 'whatever.pem'],
    ['list', '--search', 's'.repeat(1000)],
    ['list', '--expiring-within', 'soon'],
    ['history', '--limit', '0'],
    ['history', '--cert', ''],
    ['account', 'test', ''],
    ['account', 'remove', ''],
    ['account', 'add', '--cloud', 'tencent', '--name', long, '--secret-stdin'],
    ['upload', 'abc', '--to', ''],
    ['inspect', ''],
  ];
  it.each(invocations.map((args) => [args.join(' ').slice(0, 60), args] as const))('%s', async (_, args) => {
    const run = await certvault(args, { home, stdin: '{"secretId":"AKIDx","secretKey":"y"}' });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toHaveLength(2);
    expect(run.stderr).toMatch(/^certvault [a-z]+: /);
    expect(run.stderr).not.toMatch(jargon);
  });

  it('names the argument and what is wrong with it', async () => {
    expect((await certvault(['show', ''], { home })).stderr).toBe('certvault show: the ID is empty (see certvault show --help)\n');
    expect((await certvault(['edit', 'abc', '--name', 'x'.repeat(201)], { home })).stderr).toBe('certvault edit: --name is longer than 200 characters\n');
  });
});

describe('the Node version check', () => {
  it('accepts the Node in package.json engines and newer, and names it otherwise', () => {
    expect(nodeVersionProblem('22.12.0')).toBeNull();
    expect(nodeVersionProblem('24.1.0')).toBeNull();
    expect(nodeVersionProblem('22.11.9')).toMatch(/needs Node\.js 22\.12 or later, this is Node\.js 22\.11\.9/);
    expect(nodeVersionProblem('20.19.2')).toMatch(/^certvault: needs Node\.js 22\.12 or later, this is Node\.js 20\.19\.2; .*https:\/\/nodejs\.org/);
  });
});
