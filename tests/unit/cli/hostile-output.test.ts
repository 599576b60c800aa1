import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { jsonDocument, terminalIo } from '../../../main/cli/output';
import { log } from '../../../main/core/log';
import { printable, printableLines } from '../../../shared/printable';
import { certvault, type CliRun } from './io';

// Issue 8 §2: a certificate's CN, a file name inside an imported folder or an edited name carry ESC
// sequences (window title, screen clear) and U+202E; nothing of it may reach the terminal raw, on
// stdout or stderr, in any command. --json keeps the exact value for scripts.

const ESC_TITLE = '\x1b]0;pwned\x07';
const CLEAR = '\x1b[2J';
const RLO = '\u202e';
const CSI = '\u009b';
const hostileCn = `evil${ESC_TITLE}${CLEAR}${RLO}gpj.exe${CSI}X`;

/** Any character the terminal would act on, other than the line structure of the output itself. */
const raw = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)/;

function expectTerminalSafe(run: CliRun): void {
  expect(run.stdout, run.stdout).not.toMatch(raw);
  expect(run.stderr, run.stderr).not.toMatch(raw);
}

let dir: string;
let hostileCert: string;
let home: string;

beforeAll(() => {
  log.setSink(null);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-hostile-'));
  hostileCert = path.join(dir, 'hostile.crt');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'hostile.key'),
    '-out', hostileCert, '-subj', `/CN=${hostileCn}`, '-utf8', '-days', '30', '-addext', 'subjectAltName=DNS:evil.test'], { stdio: 'pipe' });
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  log.setSink((line) => process.stderr.write(`${line}\n`));
});
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-hostile-home-'));
  return () => fs.rmSync(home, { recursive: true, force: true });
});

async function importHostile(): Promise<string> {
  const run = await certvault(['import', '--json', hostileCert], { home });
  expect(run.code).toBe(0);
  return (JSON.parse(run.stdout) as { imported: { id: string }[] }).imported[0]!.id;
}

describe('a certificate whose CN carries ESC sequences and U+202E', () => {
  it('is shown with visible escapes by every command that prints it', async () => {
    const id = await importHostile();
    const runs = [
      await certvault(['import', hostileCert], { home }),
      await certvault(['inspect', hostileCert], { home }),
      await certvault(['list'], { home }),
      await certvault(['show', id], { home }),
      await certvault(['export', id, '--format', 'ics', '--out', '-'], { home }),
      await certvault(['edit', id, '--notes', `line one\n${CLEAR}${RLO}line two`], { home }),
      await certvault(['show', id], { home }),
    ];
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(0);
      expectTerminalSafe(run);
    }
    expect(runs[2]!.stdout).toContain('evil\\x1b]0;pwned\\x07\\x1b[2J\\u202egpj.exe\\x9bX');
    expect(runs[3]!.stdout).toMatch(/^Name: +evil\\x1b\]0;pwned\\x07\\x1b\[2J\\u202egpj\.exe\\x9bX$/m);
    expect(runs[6]!.stdout).toMatch(/^Notes: +line one\n +\\x1b\[2J\\u202eline two$/m);
  });

  it('keeps the exact value in --json, written as JSON escapes a terminal shows', async () => {
    const id = await importHostile();
    for (const args of [['list', '--json'], ['show', '--json', id], ['inspect', '--json', hostileCert], ['list', '--json', '--pretty']]) {
      const run = await certvault(args, { home });
      expect(run.code).toBe(0);
      expectTerminalSafe(run);
      expect(run.stdout).toContain('\\u202e');
      expect(run.stdout).toContain('\\u009b');
      // Parsed and written again by a plain JSON.stringify, the value is the CN itself.
      expect(JSON.stringify(JSON.parse(run.stdout))).toContain(JSON.stringify(hostileCn).slice(1, -1));
    }
    const listed = JSON.parse((await certvault(['list', '--json'], { home })).stdout) as { certificates: { commonName: string }[] };
    expect(listed.certificates[0]!.commonName).toBe(hostileCn);
  });

  it('an edited name with escapes is printed visibly and stored exactly', async () => {
    const id = await importHostile();
    const run = await certvault(['edit', id, '--name', `web${ESC_TITLE}${RLO}1`], { home });
    expect(run.code).toBe(0);
    expectTerminalSafe(run);
    expect(run.stdout).toBe(`updated ${id} (web\\x1b]0;pwned\\x07\\u202e1)\n`);
    const shown = JSON.parse((await certvault(['show', '--json', id], { home })).stdout) as { name: string };
    expect(shown.name).toBe(`web${ESC_TITLE}${RLO}1`);
  });
});

describe('file names with escapes inside an imported folder', () => {
  it('are named visibly in the failures on stderr and in --json', async () => {
    const folder = path.join(dir, 'folder');
    fs.mkdirSync(folder, { recursive: true });
    fs.copyFileSync(hostileCert, path.join(folder, 'good.crt'));
    const badName = `bad${CLEAR}${RLO}mep.pem`;
    fs.writeFileSync(path.join(folder, badName), '-----BEGIN CERTIFICATE-----\n!!!! not base64 !!!!\n-----END CERTIFICATE-----\n');

    const text = await certvault(['import', folder], { home });
    expect(text.code).toBe(3);
    expectTerminalSafe(text);
    expect(text.stderr).toContain('bad\\x1b[2J\\u202emep.pem');

    const json = await certvault(['import', '--json', folder], { home });
    expectTerminalSafe(json);
    const failed = (JSON.parse(json.stdout) as { failed: { file: string }[] }).failed;
    expect(failed[0]!.file).toBe(path.join(folder, badName));
  });

  it('an unknown command or option with escapes is echoed visibly', async () => {
    for (const args of [[`in${CLEAR}spect`], ['list', `--se${RLO}arch`], ['show', `id${ESC_TITLE}`]]) {
      const run = await certvault(args, { home });
      expect(run.code).toBe(2);
      expectTerminalSafe(run);
    }
  });
});

describe('the escaping functions', () => {
  it('printable() shows every control and bidi character as an escape', () => {
    expect(printable('a\nb\x07c\u009bd')).toBe('a\\x0ab\\x07c\\x9bd');
    expect(printable('\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c')).toBe(
      '\\u202a\\u202b\\u202c\\u202d\\u202e\\u2066\\u2067\\u2068\\u2069\\u200e\\u200f\\u061c',
    );
    expect(printable('证书 café ✓ 🙂')).toBe('证书 café ✓ 🙂');
  });

  it('printableLines() keeps newlines, tabs and CRLF but not a lone CR', () => {
    expect(printableLines('a\tb\nc\r\nd\re\x1b')).toBe('a\tb\nc\r\nd\\x0de\\x1b');
  });

  it('jsonDocument() is one line unless pretty, and escapes C1 and bidi as JSON does C0', () => {
    const value = { name: `x${CSI}${RLO}\u2028y`, list: [1, 2] };
    const line = jsonDocument(value);
    expect(line).toBe('{"name":"x\\u009b\\u202e\\u2028y","list":[1,2]}\n');
    expect(JSON.parse(line)).toEqual(value);
    expect(jsonDocument(value, true).split('\n').length).toBeGreaterThan(3);
  });

  it('terminalIo() escapes text on both streams and passes binary payloads untouched', () => {
    const written: (string | Uint8Array)[] = [];
    const io = terminalIo({ stdout: (o) => void written.push(o), stderr: (t) => void written.push(t), readStdin: async () => '', env: {} });
    const bytes = new Uint8Array([0x1b, 0x30, 0x82]);
    io.stdout(`a${CLEAR}\n`);
    io.stderr(`${RLO}b\n`);
    io.stdout(bytes);
    expect(written).toEqual(['a\\x1b[2J\n', '\\u202eb\n', bytes]);
  });
});
