import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { version } from '../../../package.json';
import { certvault } from './io';

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-home-'));
});
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('certvault', () => {
  it('prints its version', async () => {
    expect(await certvault(['--version'], { home })).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists the commands in --help', async () => {
    const run = await certvault(['--help'], { home });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: certvault \[--home DIR\] \[--vault NAME\] COMMAND/);
    expect(run.stdout).toMatch(/^ {2}inspect +show what certificate/m);
  });

  it('shows a command help with COMMAND --help', async () => {
    const run = await certvault(['inspect', '--help'], { home });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: certvault inspect \[--json\]/);
  });

  it('exits 2 with usage on stderr when no command is given', async () => {
    const run = await certvault([], { home });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^Usage: certvault/);
  });

  it('exits 2 on an unknown command or global option, in one line', async () => {
    expect(await certvault(['inpsect', 'a.pem'], { home })).toMatchObject({
      code: 2,
      stdout: '',
      stderr: 'certvault: unknown command "inpsect" (see certvault --help)\n',
    });
    const run = await certvault(['--verbose', 'inspect'], { home });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe('certvault: unknown option "--verbose" (see certvault --help)\n');
  });
});
