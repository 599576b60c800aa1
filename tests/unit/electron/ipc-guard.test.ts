import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { log } from '../../../main/core/log';
import { handleInvoke, isTrustedSender, isTrustedUrl } from '../../../main/electron/ipc-guard';
import { PathGrants } from '../../../main/electron/path-grants';
import { isPermissionGranted } from '../../../main/electron/permissions';
import { testHandlerContext } from './handler-context';

const ours = { url: 'app://cert-vault/index.html', isOurMainFrame: true };
const dev = new URL('http://127.0.0.1:5173/');
let logged: string[];

beforeEach(() => {
  logged = [];
  log.setSink((line) => logged.push(line));
});
afterEach(() => {
  log.setSink((line) => process.stderr.write(`${line}\n`));
});

describe('isTrustedSender', () => {
  it("accepts our window's main frame showing our page", () => {
    expect(isTrustedSender(ours, null)).toBe(true);
    expect(isTrustedSender({ url: 'app://cert-vault/index.html#/inspect', isOurMainFrame: true }, null)).toBe(true);
  });

  it.each([
    ['an iframe or another window', { url: 'app://cert-vault/index.html', isOurMainFrame: false }],
    ['a remote page', { url: 'https://evil.example/', isOurMainFrame: true }],
    ['a file:// page', { url: 'file:///home/user/evil.html', isOurMainFrame: true }],
    ['another app:// host', { url: 'app://cert-vault.evil/index.html', isOurMainFrame: true }],
    ['a data: URL', { url: 'data:text/html,<script>1</script>', isOurMainFrame: true }],
    ['about:blank', { url: 'about:blank', isOurMainFrame: true }],
    ['the dev server when not in development', { url: 'http://127.0.0.1:5173/', isOurMainFrame: true }],
  ])('rejects %s', (_name, frame) => {
    expect(isTrustedSender(frame, null)).toBe(false);
  });

  it('rejects a destroyed frame', () => {
    expect(isTrustedSender(null, null)).toBe(false);
  });

  it("accepts Vite's origin in development, and no other port or host", () => {
    expect(isTrustedSender({ url: 'http://127.0.0.1:5173/', isOurMainFrame: true }, dev)).toBe(true);
    expect(isTrustedUrl('http://127.0.0.1:5174/', dev)).toBe(false);
    expect(isTrustedUrl('http://localhost:5173/', dev)).toBe(false);
  });
});

describe('handleInvoke', () => {
  it('answers a trusted, valid request', async () => {
    const result = await handleInvoke(testHandlerContext(), ours, 'app.info', {}, null, new PathGrants());
    expect(result).toEqual({ ok: true, value: { version: '0.0.0-test', platform: 'linux', systemLocale: 'en' } });
  });

  it('refuses an unexpected sender before looking at the request', async () => {
    let called = false;
    const ctx = testHandlerContext({ dialogs: { chooseFiles: async () => ((called = true), []), chooseSave: async () => null, confirmEndpoint: async () => false, confirmAccount: async () => false, confirmDataKeyReset: async () => false } });
    const result = await handleInvoke(ctx, { url: 'https://evil.example/', isOurMainFrame: true }, 'files.choose', { purpose: 'inspect' }, null, new PathGrants());
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'ipc.forbidden_sender' }) });
    expect(called).toBe(false);
    expect(logged.join('\n')).toContain('https://evil.example');
  });

  it('rejects an unknown channel', async () => {
    const result = await handleInvoke(testHandlerContext(), ours, 'fs.readFile', { path: '/etc/passwd' }, null, new PathGrants());
    expect(result).toEqual({
      ok: false,
      error: { code: 'ipc.unknown_channel', message: 'Unknown request "fs.readFile".', params: { channel: 'fs.readFile' } },
    });
  });

  it.each([
    ['a wrong type', 'settings.update', { expiringWithinDays: 'thirty' }],
    ['an out-of-range value', 'settings.update', { expiringWithinDays: 100000 }],
    ['an unexpected field', 'settings.update', { theme: 'dark', __proto__: { polluted: true }, extra: 1 }],
    ['a missing field', 'files.choose', {}],
    ['no request at all', 'inspect.paths', undefined],
    ['too many files', 'library.importContent', { files: Array.from({ length: 1001 }, (_, i) => ({ name: `${i}.pem`, data: new Uint8Array(1) })) }],
  ])('rejects a request with %s', async (_name, channel, request) => {
    const ctx = testHandlerContext();
    const before = ctx.settings.get();
    const result = await handleInvoke(ctx, ours, channel, request, null, new PathGrants());
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe('ipc.bad_request');
      expect(result.error.message).toMatch(new RegExp(`^Invalid request to ${channel.replace('.', '\\.')}: `));
    }
    expect(ctx.settings.get()).toBe(before);
  });

  it('turns an unexpected exception into `internal` with no stack or detail', async () => {
    const ctx = testHandlerContext({
      settings: {
        get: () => {
          throw new Error('ENOENT: /home/alice/.config/Cert Vault/settings.json');
        },
        update: () => {
          throw new Error('unreachable');
        },
      },
    });
    const result = await handleInvoke(ctx, ours, 'settings.get', {}, null, new PathGrants());
    expect(result).toEqual({
      ok: false,
      error: { code: 'internal', message: 'An unexpected error occurred; details are in the log.', params: {} },
    });
    const serialized = JSON.stringify(result);
    expect(serialized).not.toContain('alice');
    expect(serialized).not.toMatch(/\bat \w|\.ts:\d+/);
    expect(logged.join('\n')).toContain('unexpected_error');
  });
});

describe('paths named by the window', () => {
  // A throwaway home: grants compare real paths, so the folders must exist.
  const home = mkdtempSync(join(tmpdir(), 'certvault-grants-'));
  for (const folder of ['certs/sub', 'export', 'outside/deep', '.ssh']) mkdirSync(join(home, folder), { recursive: true });
  writeFileSync(join(home, 'outside', 'server.key'), 'secret');
  writeFileSync(join(home, 'outside', 'deep', 'leaf.pem'), 'x');
  afterAll(() => rmSync(home, { recursive: true, force: true }));
  const chosen = join(home, 'certs', 'site.pem');
  const saved = join(home, 'export', 'site.key');
  const dialogs = { chooseFiles: async () => [chosen], chooseSave: async () => saved, confirmEndpoint: async () => false, confirmAccount: async () => false, confirmDataKeyReset: async () => false };

  it.each([
    ['inspect.paths', { paths: ['/home/alice/.ssh/id_ed25519'] }],
    ['library.import', { paths: ['/etc'] }],
    ['library.export', { id: 'abc', format: 'key', path: '/home/alice/.bashrc' }],
    ['history.exportCsv', { path: '/home/alice/.profile' }],
    ['team.create', { url: 'postgres://u@db.example/certvault', name: 'ops', caFile: '/home/alice/.ssh/id_ed25519' }],
    ['team.join', { url: 'postgres://u@db.example/certvault', name: 'ops', caFile: '/etc/shadow' }],
  ])('refuses %s with a path no dialog returned, before any handler runs', async (channel, request) => {
    const grants = new PathGrants();
    const result = await handleInvoke(testHandlerContext({ dialogs }), ours, channel, request, null, grants);
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'ipc.path_not_chosen' }) });
    expect(logged.join('\n')).toContain('ipc_path_not_chosen');
  });

  it('accepts for reading what files.choose returned, and only for reading', async () => {
    const grants = new PathGrants();
    const ctx = testHandlerContext({ dialogs });
    await handleInvoke(ctx, ours, 'files.choose', { purpose: 'inspect' }, null, grants);
    // Past the guard: the handler runs and finds no such file.
    const read = await handleInvoke(ctx, ours, 'inspect.paths', { paths: [chosen] }, null, grants);
    expect(read).toEqual({ ok: false, error: expect.objectContaining({ code: 'input.unreadable_file' }) });
    const mixed = await handleInvoke(ctx, ours, 'inspect.paths', { paths: [chosen, '/etc/shadow'] }, null, grants);
    expect(mixed).toEqual({ ok: false, error: expect.objectContaining({ code: 'ipc.path_not_chosen', params: { file: '/etc/shadow' } }) });
    const write = await handleInvoke(ctx, ours, 'history.exportCsv', { path: chosen }, null, grants);
    expect(write).toEqual({ ok: false, error: expect.objectContaining({ code: 'ipc.path_not_chosen' }) });
  });

  it("a team vault's CA file is read only when files.choose returned it; without one, no grant is needed", async () => {
    const grants = new PathGrants();
    const ctx = testHandlerContext({ dialogs });
    const setUp = { url: 'postgres://u@db.example/certvault', name: 'ops' };
    expect(grants.ungranted('team.create', setUp)).toBeNull();
    expect(grants.ungranted('team.join', { ...setUp, caFile: chosen })).toBe(chosen);
    await handleInvoke(ctx, ours, 'files.choose', { purpose: 'teamCa' }, null, grants);
    expect(grants.ungranted('team.join', { ...setUp, caFile: chosen })).toBeNull();
    expect(grants.ungranted('team.create', { ...setUp, caFile: saved })).toBe(saved);
  });

  it('accepts for writing what files.chooseSave returned, and not for reading', async () => {
    const grants = new PathGrants();
    const ctx = testHandlerContext({ dialogs });
    await handleInvoke(ctx, ours, 'files.chooseSave', { purpose: 'export', defaultName: 'site.key' }, null, grants);
    expect(grants.ungranted('library.export', { path: saved })).toBeNull();
    expect(grants.ungranted('inspect.paths', { paths: [saved] })).toBe(saved);
  });

  it('a folder chosen for reading covers its files (an import retried with a password names them), nothing outside it', async () => {
    const grants = new PathGrants();
    const folder = testHandlerContext({ dialogs: { ...dialogs, chooseFiles: async () => [join(home, 'certs')] } });
    await handleInvoke(folder, ours, 'files.choose', { purpose: 'import', folders: true }, null, grants);
    expect(grants.ungranted('library.import', { paths: [join(home, 'certs/sub/site.p12')] })).toBeNull();
    for (const stray of [join(home, 'certs/../.ssh/id_ed25519'), join(home, 'certs-old/site.pem')]) {
      expect(grants.ungranted('library.import', { paths: [stray] })).toBe(stray);
    }
    expect(grants.ungranted('library.export', { path: join(home, 'certs/site.key') })).toBe(join(home, 'certs/site.key'));
  });

  it('judges a path by where it really leads: `chosen/link/../server.key` is beside the link target, not in the chosen folder', async () => {
    symlinkSync(join(home, 'outside', 'deep'), join(home, 'certs', 'link'));
    const grants = new PathGrants();
    const folder = testHandlerContext({ dialogs: { ...dialogs, chooseFiles: async () => [join(home, 'certs')] } });
    await handleInvoke(folder, ours, 'files.choose', { purpose: 'import', folders: true }, null, grants);
    const escape = `${join(home, 'certs', 'link')}/../server.key`;
    expect(grants.ungranted('inspect.paths', { paths: [escape] })).toBe(escape);
    const read = await handleInvoke(folder, ours, 'inspect.paths', { paths: [escape] }, null, grants);
    expect(read).toEqual({ ok: false, error: expect.objectContaining({ code: 'ipc.path_not_chosen' }) });
    // Inside the link's target is outside the chosen folder too; a real subfolder is inside.
    expect(grants.ungranted('inspect.paths', { paths: [join(home, 'certs/link/leaf.pem')] })).toBe(join(home, 'certs/link/leaf.pem'));
    expect(grants.ungranted('inspect.paths', { paths: [`${join(home, 'certs/sub')}/../site.pem`] })).toBeNull();
  });

  it('a save grant covers the file the dialog returned, not one reached through a link beside it', async () => {
    symlinkSync(join(home, '.ssh'), join(home, 'export', 'ssh-link'));
    const grants = new PathGrants();
    await handleInvoke(testHandlerContext({ dialogs }), ours, 'files.chooseSave', { purpose: 'export', defaultName: 'site.key' }, null, grants);
    const escape = `${join(home, 'export', 'ssh-link')}/../export/site.key`;
    // Leads back to the chosen file: same file, accepted.
    expect(grants.ungranted('library.export', { path: escape })).toBeNull();
    const beside = `${join(home, 'export', 'ssh-link')}/authorized_keys`;
    expect(grants.ungranted('library.export', { path: beside })).toBe(beside);
  });


  it('grants nothing for a cancelled dialog or a refused sender', async () => {
    const grants = new PathGrants();
    const cancelled = testHandlerContext({ dialogs: { chooseFiles: async () => [], chooseSave: async () => null, confirmEndpoint: async () => false, confirmAccount: async () => false, confirmDataKeyReset: async () => false } });
    await handleInvoke(cancelled, ours, 'files.chooseSave', { purpose: 'export', defaultName: 'x.pem' }, null, grants);
    await handleInvoke(testHandlerContext({ dialogs }), { url: 'https://evil.example/', isOurMainFrame: true }, 'files.choose', { purpose: 'import' }, null, grants);
    expect(grants.ungranted('inspect.paths', { paths: [chosen] })).toBe(chosen);
    expect(grants.ungranted('library.export', { path: 'null' })).toBe('null');
  });

  it('leaves malformed requests to the schema', async () => {
    const result = await handleInvoke(testHandlerContext(), ours, 'inspect.paths', { paths: [42] }, null, new PathGrants());
    expect(result).toEqual({ ok: false, error: expect.objectContaining({ code: 'ipc.bad_request' }) });
  });
});

describe('isPermissionGranted', () => {
  it('grants clipboard writes to our page only, and nothing else to anyone', () => {
    expect(isPermissionGranted('clipboard-sanitized-write', 'app://cert-vault/index.html', null)).toBe(true);
    expect(isPermissionGranted('clipboard-sanitized-write', 'https://evil.example/', null)).toBe(false);
    for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-read', 'openExternal', 'fullscreen', 'hid']) {
      expect(isPermissionGranted(permission, 'app://cert-vault/index.html', null)).toBe(false);
    }
  });
});
