import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../../package.json';
import { MOZILLA, opensslFacts } from './fixtures';

// The CLI as users run it: the esbuild bundle with its shebang, as its own process.

const repo = path.resolve(__dirname, '../../..');
let out: string;
let cli: string;

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bundle-'));
  execFileSync(process.execPath, [path.join(repo, 'scripts/build.mjs'), '--main-only', '--outdir', out], { cwd: repo, stdio: 'pipe' });
  cli = path.join(out, 'cli/certvault.cjs');
}, 120_000);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

function run(args: string[]) {
  const result = spawnSync(cli, args, {
    encoding: 'utf8',
    // The bundle lives outside the repository here; its external native modules come from the repo.
    env: { ...process.env, NODE_PATH: path.join(repo, 'node_modules'), CERTVAULT_HOME: path.join(out, 'home'), CERTVAULT_LOG: 'off' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('dist/cli/certvault.cjs', () => {
  it('is an executable node script', () => {
    expect(fs.readFileSync(cli, 'utf8').startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(fs.statSync(cli).mode & 0o111).not.toBe(0);
    expect(run(['--version'])).toEqual({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('inspects a real certificate with --json', () => {
    const file = path.join(MOZILLA, 'ISRG_Root_X1.crt');
    const result = run(['inspect', '--json', file]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).certificates[0].fingerprintSha256).toBe(opensslFacts(file).fingerprintSha256);
  });

  it('fails with exit 2 and one stderr line, never a stack', () => {
    const result = run(['inspect', '/etc/hostname-that-does-not-exist.pem']);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^certvault inspect: [^\n]*hostname-that-does-not-exist\.pem[^\n]*\n$/);
  });

  it('exits 5, in one line, when no keychain is reachable', () => {
    const result = spawnSync(cli, ['account', 'add', '--cloud', 'tencent', '--name', 'x', '--secret-stdin'], {
      encoding: 'utf8',
      input: '{"secretId":"AKIDexample","secretKey":"not-a-secret"}',
      env: { ...process.env, NODE_PATH: path.join(repo, 'node_modules'), CERTVAULT_HOME: path.join(out, 'home'), CERTVAULT_LOG: 'off', DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent' },
    });
    expect(result.status).toBe(5);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/^certvault account: No OS keychain is reachable [^\n]*\n$/);
  });

  it('checks the Node version before it loads a native module', () => {
    const bundle = fs.readFileSync(cli, 'utf8');
    const check = bundle.indexOf('nodeVersionProblem(process.versions.node)');
    expect(check).toBeGreaterThan(0);
    for (const native of ['require("better-sqlite3")', 'require("@napi-rs/keyring")']) {
      expect(bundle.indexOf(native)).toBeGreaterThan(check);
    }
  });

  // The system Node of this machine (and of Debian servers) is 20: loading better-sqlite3 13 there
  // crashed with SIGSEGV. Where no such Node exists the check above still holds the order.
  const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((file) => {
    const probe = spawnSync(file, ['-p', 'process.versions.node'], { encoding: 'utf8' });
    return probe.status === 0 && Number(probe.stdout.split('.')[0]) < 22;
  });
  it.skipIf(!oldNode)('under an older Node, exits 1 with one line naming the Node it needs', () => {
    for (const args of [['--version'], ['list', '--json']]) {
      const result = spawnSync(oldNode!, [cli, ...args], {
        encoding: 'utf8',
        env: { ...process.env, NODE_PATH: path.join(repo, 'node_modules'), CERTVAULT_HOME: path.join(out, 'home') },
      });
      expect(result.signal).toBeNull();
      expect(result.status).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^certvault: needs Node\.js 22\.12 or later, this is Node\.js \d+\.\d+\.\d+; [^\n]*https:\/\/nodejs\.org[^\n]*\n$/);
    }
  });
});
