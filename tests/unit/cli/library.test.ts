import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { printable } from '../../../shared/printable';
import { displayWidth, table } from '../../../main/cli/output';
import { MOZILLA, useCliVault, type CliFixtures } from './fixtures';
import { certvault } from './io';

// The library commands as a person at a terminal reads them. Certificates without private keys
// need no keychain, so these run on a plain temporary vault.

let fx: CliFixtures;
let home: string;
useCliVault('certvault-library-', (made) => (fx = made), (made) => (home = made));

const mozillaFolder = (names: string[]) => {
  const folder = path.join(home, 'roots');
  fs.mkdirSync(folder);
  for (const name of names) fs.copyFileSync(path.join(MOZILLA, name), path.join(folder, name));
  return folder;
};

describe('certvault import (text)', () => {
  it('ends with a summary of new entries, existing ones and failed files', async () => {
    const folder = mozillaFolder(['ISRG_Root_X1.crt', 'ISRG_Root_X2.crt']);
    const first = await certvault(['import', folder], { home });
    expect(first.code).toBe(0);
    expect(first.stdout.trimEnd().split('\n').at(-1)).toBe('2 new entries, 0 already in the library');

    const junk = path.join(home, 'junk.pem');
    fs.writeFileSync(junk, 'not a certificate\n');
    const again = await certvault(['import', folder, junk], { home });
    expect(again.code).toBe(3);
    expect(again.stdout.trimEnd().split('\n').at(-1)).toBe('0 new entries, 2 already in the library, 1 file failed (below)');
    expect(again.stderr).toMatch(/^certvault import: .*junk\.pem/);
  });
});

describe('certvault list (text)', () => {
  it('tells a new user how to fill an empty library, and says when nothing matches', async () => {
    const empty = await certvault(['list'], { home });
    expect(empty).toMatchObject({ code: 0, stdout: 'The library is empty. Add certificates with: certvault import FILE-OR-FOLDER...\n' });
    await certvault(['import', path.join(MOZILLA, 'ISRG_Root_X1.crt')], { home });
    const none = await certvault(['list', '--search', 'no-such-certificate'], { home });
    expect(none.stdout).toBe('No certificates match.\n');
  });

  it('keeps columns aligned when a name is Chinese (two terminal columns per character)', async () => {
    await certvault(['import', '--name', '生产环境网站证书', fx.leaf], { home });
    await certvault(['import', path.join(MOZILLA, 'ISRG_Root_X1.crt')], { home });
    const run = await certvault(['list'], { home });
    const lines = run.stdout.trimEnd().split('\n');
    const namesColumn = displayWidth(lines[0]!.slice(0, lines[0]!.indexOf('NAMES')));
    const leafLine = lines.find((line) => line.includes('生产环境网站证书'))!;
    expect(displayWidth(leafLine.slice(0, leafLine.indexOf('www.example.test')))).toBe(namesColumn);
  });
});

describe('certvault show (text)', () => {
  it('prints the import time as the inspector prints dates', async () => {
    const imported = await certvault(['import', '--json', path.join(MOZILLA, 'ISRG_Root_X1.crt')], { home });
    const id = JSON.parse(imported.stdout).imported[0].id as string;
    const run = await certvault(['show', id], { home });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Imported: {5}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC from .*ISRG_Root_X1\.crt$/m);
  });
});

describe('certvault export: bad command lines', () => {
  it('asks for a PKCS#12 password in command-line terms before touching the vault', async () => {
    const out = path.join(home, 'out.pfx');
    const run = await certvault(['export', 'abc', '--format', 'pfx', '--out', out], { home });
    expect(run.code).toBe(2);
    expect(run.stderr).toBe(
      'certvault export: --format pfx needs a password: give it with --password-file FILE or --password-stdin (see certvault export --help)\n',
    );
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe('text output is terminal-safe', () => {
  it('escapes control characters a crafted certificate carries instead of sending them to the terminal', async () => {
    // Same length as ".exa", so the DER stays well-formed: "www<ESC>[2Jmple.test" clears a screen.
    const der = execFileSync('openssl', ['x509', '-in', fx.leaf, '-outform', 'DER']);
    const crafted = Buffer.from(der.toString('latin1').replaceAll('www.example.test', 'www\x1b[2Jmple.test'), 'latin1');
    const file = path.join(home, 'crafted.der');
    fs.writeFileSync(file, crafted);
    const run = await certvault(['inspect', file], { home });
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('\x1b');
    expect(run.stdout).toMatch(/^ {2}DNS names +www\\x1b\[2Jmple\.test, example\.test$/m);
  });

  it('printable() and table() keep text on its line', () => {
    expect(printable('a\nb\x07c\u009bd')).toBe('a\\x0ab\\x07c\\x9bd');
    expect(printable('生产 ok')).toBe('生产 ok');
    expect(table(['A', 'B'], [['x\ny', 'z']])).toBe('A       B\nx\\x0ay  z\n');
  });
});
