// Files an attacker or an accident hands over: devices, named pipes, unreadable folders, text
// saved by Windows editors, and inputs holding nothing at all.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { inspectContent, inspectPaths } from '../../../main/core/inspect';
import { makeCa, makeLeaf, type Issued } from '../vault/helpers/pki';
import { openTestVault, type TestVault } from '../vault/helpers/vault';
import { certvault } from '../cli/io';
import { log } from '../../../main/core/log';

const now = new Date();
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-hostile-files-'));
let ca: Issued;
let leaf: Issued;
let t: TestVault | undefined;

beforeAll(async () => {
  ca = await makeCa('Files CA');
  leaf = await makeLeaf(ca, { commonName: 'files.example.com' });
  log.setSink(null);
});
afterEach(() => {
  t?.cleanup();
  t = undefined;
  vi.restoreAllMocks();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

async function failure(run: () => Promise<unknown>): Promise<VaultError> {
  const error = await run().then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof VaultError)) throw new Error(`expected a VaultError, got ${String(error)}`);
  return error;
}

describe('devices and special files', () => {
  it('refuses /dev/zero on import as a device instead of reading gigabytes', async () => {
    t = openTestVault();
    const result = await t.vault.importPaths(['/dev/zero']);
    expect(result.imported).toEqual([]);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.error).toMatchObject({ code: 'input.unreadable_file', params: { file: '/dev/zero', reason: 'it is a device, not a file' } });
  });

  it('refuses /dev/zero on inspect', async () => {
    const error = await failure(() => inspectPaths(['/dev/zero'], { now }));
    expect(error.params).toEqual({ file: '/dev/zero', reason: 'it is a device, not a file' });
  });

  it.skipIf(process.platform === 'win32')('refuses a named pipe at once instead of waiting for a writer', async () => {
    const fifo = path.join(dir, 'pipe.pem');
    execFileSync('mkfifo', [fifo]);
    const error = await failure(() => inspectPaths([fifo], { now }));
    expect(error.toInfo()).toMatchObject({ code: 'input.unreadable_file', params: { file: fifo, reason: 'it is a named pipe (FIFO), not a file' } });
    t = openTestVault();
    const result = await t.vault.importPaths([fifo]);
    expect(result.failed[0]!.error.params).toMatchObject({ reason: 'it is a named pipe (FIFO), not a file' });
  });

  it('counts the bytes read, not the size stat() reports, on import', async () => {
    // /proc files say size 0 and still have content; one that is not a certificate is named as such.
    t = openTestVault();
    const result = await t.vault.importPaths(['/proc/self/status']);
    expect(result.failed[0]!.error.code).toBe('input.not_certificate');
  });
});

describe('folders', () => {
  it('reports an unreadable subfolder and imports the rest of the folder', async () => {
    const root = path.join(dir, 'walk');
    fs.mkdirSync(path.join(root, 'a-locked'), { recursive: true });
    fs.mkdirSync(path.join(root, 'b-open'), { recursive: true });
    fs.writeFileSync(path.join(root, 'b-open', 'cert.pem'), leaf.certPem);
    fs.writeFileSync(path.join(root, 'z.pem'), (await makeCa('Sibling CA')).certPem);
    // Tests run as root here, where chmod cannot make a folder unreadable: the listing fails instead.
    const readdir = fsp.readdir.bind(fsp);
    vi.spyOn(fsp, 'readdir').mockImplementation(((folder: string, options: never) => {
      if (String(folder).endsWith('a-locked')) return Promise.reject(Object.assign(new Error('EACCES'), { code: 'EACCES' }));
      return readdir(folder, options);
    }) as typeof fsp.readdir);
    t = openTestVault();
    const result = await t.vault.importPaths([root]);
    expect(result.failed).toEqual([{ file: path.join(root, 'a-locked'), error: expect.objectContaining({ code: 'input.unreadable_file', params: { file: path.join(root, 'a-locked'), reason: 'permission denied' } }) }]);
    expect(result.imported.length).toBe(2);
  });
});

describe('text encodings', () => {
  const windows = () => leaf.certPem.replace(/\n/g, '\r\n');

  it('reads a PEM saved by Notepad as UTF-8 with a byte-order mark and CRLF', async () => {
    const data = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(windows())]);
    const inspection = await inspectContent([{ name: 'bom.pem', data }], undefined, { now });
    expect(inspection.certificates.map((c) => c.commonName)).toEqual(['files.example.com']);
  });

  it('reads UTF-16 LE and BE text with a byte-order mark', async () => {
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(windows(), 'utf16le')]);
    const be = Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(windows(), 'utf16le').swap16()]);
    for (const data of [le, be]) {
      const inspection = await inspectContent([{ name: 'utf16.pem', data }], undefined, { now });
      expect(inspection.certificates).toHaveLength(1);
    }
  });

  it('says when text holds no certificate, key, CSR or CRL at all', async () => {
    const error = await failure(() => inspectContent([{ name: 'notes.txt', data: Buffer.from('see -----BEGIN CERTIFICATE----- below\n') }], undefined, { now }));
    expect(error.toInfo()).toMatchObject({ code: 'input.nothing_found', params: { file: 'notes.txt' }, message: 'No certificate or key found in notes.txt.' });
  });

  it('exits 2 from inspect and import when a file holds nothing', async () => {
    const file = path.join(dir, 'empty-bundle.pem');
    fs.writeFileSync(file, 'header only: -----BEGIN CERTIFICATE----- (the rest was lost)\r\n');
    const home = fs.mkdtempSync(path.join(dir, 'home-'));
    const inspect = await certvault(['inspect', file], { home });
    expect(inspect.code).toBe(2);
    expect(inspect.stderr).toContain(`No certificate or key found in ${file}.`);
    const imported = await certvault(['import', file], { home });
    expect(imported.code).toBe(2);
    expect(imported.stderr).toContain(`No certificate or key found in ${file}.`);
  });
});
