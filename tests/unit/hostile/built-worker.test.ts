// The parse worker as shipped: scripts/build.mjs writes parse-worker.cjs beside the CLI bundle,
// and the bundled CLI parses through it (no tsx, no sources) even when moved out of the repository.
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(__dirname, '../../..');
let out: string;

beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-built-worker-'));
  execFileSync(process.execPath, [path.join(repo, 'scripts/build.mjs'), '--main-only', '--outdir', out], { cwd: repo, stdio: 'pipe' });
}, 120_000);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

const run = (args: string[]) =>
  spawnSync(path.join(out, 'cli/certvault.cjs'), args, {
    encoding: 'utf8',
    env: { ...process.env, NODE_PATH: path.join(repo, 'node_modules'), CERTVAULT_HOME: path.join(out, 'home'), CERTVAULT_LOG: 'off' },
  });

describe('built parse worker', () => {
  it('is built beside the app and the CLI bundles', () => {
    expect(fs.existsSync(path.join(out, 'main/parse-worker.cjs'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'cli/parse-worker.cjs'))).toBe(true);
  });

  it('leaves the IPC contract out of the worker: zod schemas of every channel it never checks', () => {
    // esbuild marks each module's code with its path in an unminified bundle.
    const contract = '\n// shared/ipc.ts\n';
    expect(fs.readFileSync(path.join(out, 'cli/certvault.cjs'), 'utf8')).toContain(contract);
    for (const dir of ['main', 'cli']) {
      const worker = fs.readFileSync(path.join(out, dir, 'parse-worker.cjs'), 'utf8');
      expect(worker).toContain('\n// shared/limits.ts\n');
      expect(worker).not.toContain(contract);
    }
  });

  it('parses for the bundled CLI: a Notepad PEM (BOM, CRLF) inspects, /dev/zero is refused', () => {
    const pem = fs.readFileSync('/usr/share/ca-certificates/mozilla/ISRG_Root_X1.crt', 'utf8').replace(/\n/g, '\r\n');
    const file = path.join(out, 'notepad.pem');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(pem)]));
    const ok = run(['inspect', '--json', file]);
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout).certificates[0].commonName).toBe('ISRG Root X1');
    const zero = run(['inspect', '/dev/zero']);
    expect(zero.status).toBe(2);
    expect(zero.stderr).toBe('certvault inspect: Cannot read /dev/zero: it is a device, not a file.\n');
  });

  it('reads and parses the files of a folder for the bundled CLI: certificates imported, a device refused by name', () => {
    const folder = path.join(out, 'roots');
    fs.mkdirSync(folder);
    for (const name of ['ISRG_Root_X1.crt', 'ISRG_Root_X2.crt']) fs.copyFileSync(path.join('/usr/share/ca-certificates/mozilla', name), path.join(folder, name));
    fs.writeFileSync(path.join(folder, 'notes.txt'), 'not a certificate');
    const imported = run(['import', '--json', folder, '/dev/zero']);
    const result = JSON.parse(imported.stdout) as { counts: { new: number; failed: number }; failed: { file: string; error: { message: string } }[] };
    expect(result.counts).toMatchObject({ new: 2, failed: 1 });
    expect(result.failed).toEqual([{ file: '/dev/zero', error: expect.objectContaining({ message: 'Cannot read /dev/zero: it is a device, not a file.' }) }]);
  });
});
