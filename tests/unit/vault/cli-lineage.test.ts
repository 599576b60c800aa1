import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo, Command, CommandContext } from '../../../main/cli/command';
import { cliHandlerContext } from '../../../main/cli/handler-context';
import { importCommand } from '../../../main/cli/import';
import { keychainCommand } from '../../../main/cli/keychain';
import { listCommand } from '../../../main/cli/list';
import { showCommand } from '../../../main/cli/show';
import { runCli } from '../../../main/cli/run';
import { days, makeCa, makeLeaf, type Issued } from './helpers/pki';
import { openTestVault, type TestVault } from './helpers/vault';

// Renewal lineage, name addressing and the lost data key, as `certvault` shows them; in-process,
// on a vault over an in-memory keychain.

let ca: Issued;
let old: Issued;
let renewed: Issued;
let t: TestVault;
const now = new Date();

beforeAll(async () => {
  ca = await makeCa('CLI Lineage CA');
  old = await makeLeaf(ca, { commonName: 'shop.example.com', notBefore: days(-100, now), notAfter: days(-10, now) });
  renewed = await makeLeaf(ca, { commonName: 'shop.example.com', notBefore: days(-20, now), notAfter: days(70, now) });
});
afterEach(() => t?.cleanup());

function context(io: CliIo): CommandContext {
  const handlers = cliHandlerContext({ dataDir: t.dir, appVersion: 'test', env: {}, now: () => now });
  return { io, handlers: () => ({ ...handlers, vault: () => t.vault }) };
}

function capture(): { io: CliIo; out: { stdout: string; stderr: string } } {
  const out = { stdout: '', stderr: '' };
  return { io: { stdout: (s) => void (out.stdout += s), stderr: (s) => void (out.stderr += s), readStdin: async () => '', env: {} }, out };
}

async function run(command: Command, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const { io, out } = capture();
  return { code: await command.run(args, context(io)), ...out };
}

function write(name: string, ...parts: string[]): string {
  const file = path.join(t.dir, name);
  fs.writeFileSync(file, parts.join(''));
  return file;
}

async function importId(file: string): Promise<string> {
  return JSON.parse((await run(importCommand, ['--json', file])).stdout).imported[0].id as string;
}

async function importBoth(withKeys = true): Promise<{ oldId: string; newId: string }> {
  // The renewal first: the lineage does not depend on the order.
  const newId = await importId(write('new.pem', renewed.certPem, withKeys ? renewed.keyPem : ''));
  const oldId = await importId(write('old.pem', old.certPem, withKeys ? old.keyPem : ''));
  return { oldId, newId };
}

describe('certvault show: renewals', () => {
  it('says what an entry renews and what renewed it, in text and JSON', async () => {
    t = openTestVault(() => now);
    const { oldId, newId } = await importBoth();
    const newer = await run(showCommand, [newId]);
    expect(newer.stdout).toContain(`Renews:       ${oldId}  shop.example.com (expires ${old.cert.notAfter.toISOString().slice(0, 10)})`);
    expect(newer.stdout).not.toContain('Renewed by:');
    const older = await run(showCommand, [oldId]);
    expect(older.stdout).toContain(`Renewed by:   ${newId}  shop.example.com`);
    expect(older.stdout).toContain(`Current:      ${newId}  shop.example.com`);
    const json = JSON.parse((await run(showCommand, ['--json', oldId])).stdout);
    expect(json.lineage).toEqual({
      renews: null,
      renewedBy: [{ id: newId, name: 'shop.example.com', notAfter: expect.any(String) }],
      currentVersion: { id: newId, name: 'shop.example.com', notAfter: expect.any(String) },
    });
  });
});

describe('certvault list --current', () => {
  it('hides the entries a renewal replaces', async () => {
    t = openTestVault(() => now);
    const { oldId, newId } = await importBoth();
    const all = JSON.parse((await run(listCommand, ['--json'])).stdout).certificates.map((c: { id: string }) => c.id);
    expect(all.sort()).toEqual([oldId, newId].sort());
    const current = await run(listCommand, ['--json', '--current']);
    expect(JSON.parse(current.stdout).certificates.map((c: { id: string }) => c.id)).toEqual([newId]);
    const text = await run(listCommand, ['--current']);
    expect(text.stdout).toContain(newId);
    expect(text.stdout).not.toContain(oldId);
  });
});

describe('addressing an entry by name', () => {
  it('a unique name works; a shared name exits 2 listing the candidates', async () => {
    t = openTestVault(() => now);
    // Certificates only: runCli opens the vault with the OS keychain, which a key would ask.
    const { oldId, newId } = await importBoth(false);
    const other = await makeLeaf(ca, { commonName: 'mail.example.com' });
    const mailId = await importId(write('mail.pem', other.certPem));
    const { io, out } = capture();
    // Through runCli, for the exit code and the one stderr line.
    await t.vault.close();
    const byName = await runCli(['--home', t.dir, 'show', '--json', 'mail.example.com'], { ...io, env: { CERTVAULT_HOME: t.dir } });
    expect(byName).toBe(0);
    expect(JSON.parse(out.stdout).id).toBe(mailId);
    const ambiguous = await runCli(['--home', t.dir, 'show', 'shop.example.com'], { ...io, env: { CERTVAULT_HOME: t.dir } });
    expect(ambiguous).toBe(2);
    expect(out.stderr).toBe(
      `certvault show: "shop.example.com" is the name of several certificates: ${newId} (expires ${renewed.cert.notAfter.toISOString().slice(0, 10)}), ${oldId} (expires ${old.cert.notAfter.toISOString().slice(0, 10)}). Give one of these ids instead.\n`,
    );
    t.reopen();
  });
});

describe('a lost data key on the command line', () => {
  it('list says "lost", import still files certificates and names the key it could not store, reset needs --confirm', async () => {
    t = openTestVault(() => now);
    await importId(write('old.pem', old.certPem, old.keyPem));
    t.secrets.secrets.clear();
    t.reopen();
    expect((await run(listCommand, [])).stdout).toMatch(/ lost +shop\.example\.com/);
    expect(JSON.parse((await run(listCommand, ['--json'])).stdout).certificates[0].keyState).toBe('unrecoverable');

    const blocked = await run(importCommand, [write('new.pem', renewed.certPem, renewed.keyPem)]);
    expect(blocked.code).toBe(3);
    expect(blocked.stdout.trimEnd().split('\n').at(-1)).toBe('1 new entry, 0 already in the library, 1 private key not stored (below)');
    expect(blocked.stderr).toMatch(/^certvault import: .*new\.pem: certificate imported as [0-9a-f]{12}, private key not stored: The vault data key is missing/);
    expect(blocked.stderr).toContain('certvault keychain reset --confirm');

    const status = await run(keychainCommand, ['status', '--json']);
    expect(JSON.parse(status.stdout)).toEqual({ dataKey: 'missing', sealedKeys: 1, retiredKeys: 0 });
    await expect(run(keychainCommand, ['reset'])).rejects.toThrow(/leaves 1 private key sealed with the old one unrecoverable for good; run again with --confirm/);
    const reset = await run(keychainCommand, ['reset', '--confirm']);
    expect(reset).toMatchObject({ code: 0, stdout: 'New data key stored in the keychain. 1 private key stays unrecoverable; import a key again to restore it.\n' });
    await expect(run(keychainCommand, ['reset', '--confirm'])).rejects.toMatchObject({ code: 'keychain.reset_not_needed' });
    expect((await run(keychainCommand, ['status'])).stdout).toBe(
      'Data key: in the keychain; 0 private keys sealed with it.\nUnrecoverable (sealed with an earlier, lost data key): 1 private key.\n',
    );

    const stored = await run(importCommand, [write('new.pem', renewed.certPem, renewed.keyPem)]);
    expect(stored).toMatchObject({ code: 0, stderr: '' });
    const list = (await run(listCommand, [])).stdout;
    expect(list).toMatch(/ key +shop\.example\.com/);
    expect(list).toMatch(/ lost +shop\.example\.com/);
  });
});
