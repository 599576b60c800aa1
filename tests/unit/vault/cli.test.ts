import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo, Command, CommandContext } from '../../../main/cli/command';
import { cliHandlerContext } from '../../../main/cli/handler-context';
import { importCommand } from '../../../main/cli/import';
import { listCommand } from '../../../main/cli/list';
import { showCommand } from '../../../main/cli/show';
import { exportCommand } from '../../../main/cli/export';
import { removeCommand } from '../../../main/cli/remove';
import { makeCa, makeLeaf, days, type Issued } from './helpers/pki';
import { openTestVault, type TestVault } from './helpers/vault';

// The vault commands run in-process on a vault over an in-memory keychain.

let ca: Issued;
let leaf: Issued;
let old: Issued;
let t: TestVault;
const now = new Date();

beforeAll(async () => {
  ca = await makeCa('CLI Test CA');
  leaf = await makeLeaf(ca, { commonName: 'cli.example.com', dnsNames: ['cli.example.com', 'www.cli.example.com'], notAfter: days(20, now) });
  old = await makeLeaf(ca, { commonName: 'old.example.com', notBefore: days(-100, now), notAfter: days(-1, now) });
});
afterEach(() => t?.cleanup());

async function run(command: Command, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = { stdout: (s) => void (stdout += s), stderr: (s) => void (stderr += s), readStdin: async () => '', env: {} };
  const handlers = cliHandlerContext({ dataDir: t.dir, appVersion: 'test', env: {}, now: () => now });
  const ctx: CommandContext = { io, handlers: () => ({ ...handlers, vault: () => t.vault }) };
  return { code: await command.run(args, ctx), stdout, stderr };
}

function write(name: string, ...parts: string[]): string {
  const file = path.join(t.dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, parts.join(''));
  return file;
}

describe('certvault import', () => {
  it('prints the documented JSON and exits 0 when everything imported', async () => {
    t = openTestVault(() => now);
    const result = await run(importCommand, ['--json', '--tag', 'prod', '--tag', 'web', write('site/fullchain.pem', leaf.certPem, ca.certPem), write('site/privkey.pem', leaf.keyPem)]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(json).toEqual({ imported: [{ id: expect.stringMatching(/^[0-9a-f]{12}$/), fingerprintSha256: expect.stringMatching(/^[0-9a-f]{64}$/), duplicate: false }], failed: [], keysNotStored: [], counts: { new: 1, merged: 0, failed: 0, keysNotStored: 0 } });
    expect(await t.vault.entry(json.imported[0].id)).toMatchObject({ hasKey: true, tags: ['prod', 'web'] });
    const again = JSON.parse((await run(importCommand, ['--json', path.join(t.dir, 'site')])).stdout);
    expect(again.imported).toEqual([{ ...json.imported[0], duplicate: true }]);
  });

  it('exits 3 when some files failed and 2 when none could be read', async () => {
    t = openTestVault(() => now);
    const bad = write('bad.pem', 'not a certificate at all');
    const partial = await run(importCommand, ['--json', write('ok.pem', leaf.certPem), bad]);
    expect(partial.code).toBe(3);
    expect(JSON.parse(partial.stdout).failed).toEqual([{ file: bad, error: { code: 'input.not_certificate', message: expect.stringContaining(bad) } }]);
    expect(partial.stderr).toContain(bad);
    const none = await run(importCommand, ['--json', bad, path.join(t.dir, 'missing.pem')]);
    expect(none.code).toBe(2);
    expect(JSON.parse(none.stdout).failed).toHaveLength(2);
  });

  it('takes --name and refuses a missing PATH', async () => {
    t = openTestVault(() => now);
    expect((await run(importCommand, ['--name', 'Front door', write('c.pem', leaf.certPem)])).code).toBe(0);
    expect((await t.vault.list()).entries[0]!.name).toBe('Front door');
    await expect(run(importCommand, [])).rejects.toThrow('no PATH given');
  });
});

describe('certvault list', () => {
  it('prints the documented JSON, with search and expiry filters', async () => {
    t = openTestVault(() => now);
    await run(importCommand, [write('a.pem', leaf.certPem, leaf.keyPem), write('b.pem', old.certPem)]);
    const all = JSON.parse((await run(listCommand, ['--json'])).stdout);
    expect(all.certificates).toHaveLength(2);
    expect(Object.keys(all.certificates[0]).sort()).toEqual(['commonName', 'dnsNames', 'fingerprintSha256', 'hasKey', 'id', 'keyState', 'name', 'notAfter', 'tags']);
    const names = async (...args: string[]) => JSON.parse((await run(listCommand, ['--json', ...args])).stdout).certificates.map((c: { name: string }) => c.name);
    expect(await names('--search', 'WWW.CLI')).toEqual(['cli.example.com']);
    expect(await names('--expiring-within', '30')).toEqual(['cli.example.com']);
    expect(await names('--expiring-within', '10')).toEqual([]);
    expect(await names('--expired')).toEqual(['old.example.com']);
    const table = (await run(listCommand, [])).stdout;
    expect(table).toMatch(/^ID\s+EXPIRES\s+KEY\s+NAME\s+NAMES\n/);
    expect(table).toContain('expired');
    await expect(run(listCommand, ['--expiring-within', 'soon'])).rejects.toThrow('whole number');
  });
});

describe('certvault show, export, remove', () => {
  it('shows by id prefix, exports, removes; unknown ids are clear errors', async () => {
    t = openTestVault(() => now);
    const id = JSON.parse((await run(importCommand, ['--json', write('a.pem', leaf.certPem, ca.certPem, leaf.keyPem)])).stdout).imported[0].id as string;

    const shown = JSON.parse((await run(showCommand, ['--json', id.slice(0, 6)])).stdout);
    expect(shown).toMatchObject({ id, name: 'cli.example.com', keyState: 'sealed', inspection: { certificates: expect.any(Array) } });
    expect(shown.inspection.chain.order).toHaveLength(2);
    expect((await run(showCommand, [id])).stdout).toMatch(/Private key:\s+sealed in the vault/);

    const out = path.join(t.dir, 'out', 'site.key');
    fs.mkdirSync(path.dirname(out));
    const exported = await run(exportCommand, [id, '--format', 'key', '--out', out, '--json']);
    expect(exported.code).toBe(0);
    expect(JSON.parse(exported.stdout)).toEqual({ file: out, bytes: fs.statSync(out).size });
    expect(fs.readFileSync(out, 'utf8')).toBe(leaf.keyPem);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);

    const passwordFile = write('pass.txt', 'hunter2\nignored second line\n');
    expect((await run(exportCommand, [id, '--format', 'pfx', '--legacy', '--password-file', passwordFile, '--out', path.join(t.dir, 'out', 'a.pfx')])).code).toBe(0);
    await expect(run(exportCommand, [id, '--format', 'pfx', '--out', path.join(t.dir, 'x.pfx')])).rejects.toThrow('--format pfx needs a password');
    await expect(run(exportCommand, [id, '--format', 'zip', '--out', 'x'])).rejects.toThrow('--format must be one of');
    await expect(run(exportCommand, [id, '--format', 'pem', '--legacy', '--out', 'x'])).rejects.toThrow('--legacy applies');

    expect((await run(removeCommand, ['--json', id])).stdout).toBe(`{"removed":{"id":"${id}"}}\n`);
    await expect(run(showCommand, [id])).rejects.toMatchObject({ code: 'vault.not_found' });
    await expect(run(removeCommand, [id])).rejects.toMatchObject({ code: 'vault.not_found' });
  });
});
