import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { log } from '../../../main/core/log';
import { contentSecurityPolicy } from '../../../main/electron/content-security-policy';

// serveRenderer's app:// handler, driven with real files through a stand-in session.

type ProtocolHandler = (request: Request) => Promise<Response>;
let handler: ProtocolHandler | undefined;
const privileged: unknown[] = [];

vi.mock('electron', () => ({
  protocol: { registerSchemesAsPrivileged: (schemes: unknown[]) => privileged.push(...schemes) },
}));

const { registerAppScheme, serveRenderer } = await import('../../../main/electron/protocol');

let dir: string;
let renderer: string;

beforeAll(() => {
  log.setSink(null);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-protocol-'));
  renderer = path.join(dir, 'renderer');
  fs.mkdirSync(path.join(renderer, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(renderer, 'index.html'), '<!doctype html><title>Cert Vault</title>');
  fs.writeFileSync(path.join(renderer, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(dir, 'secret.txt'), 'do not serve');
  fs.symlinkSync(path.join(dir, 'secret.txt'), path.join(renderer, 'assets', 'link.txt'));
  const session = { protocol: { handle: (_scheme: string, h: ProtocolHandler) => (handler = h) } };
  serveRenderer(session as never, renderer);
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  log.setSink((line) => process.stderr.write(`${line}\n`));
});

const get = (url: string, method = 'GET') => {
  if (!handler) throw new Error('no handler registered');
  return handler(new Request(url, { method }));
};

describe('app:// protocol', () => {
  it('registers app as a standard, secure scheme', () => {
    registerAppScheme();
    expect(privileged).toEqual([{ scheme: 'app', privileges: expect.objectContaining({ standard: true, secure: true }) }]);
  });

  it('serves the build with its type, nosniff and the CSP', async () => {
    const page = await get('app://cert-vault/index.html');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toContain('<title>Cert Vault</title>');
    const script = await get('app://cert-vault/assets/app.js');
    expect(script.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it.each([
    'app://cert-vault/..%2fsecret.txt',
    'app://cert-vault/assets/..%2f..%2fsecret.txt',
    'app://cert-vault/assets/link.txt',
    'app://cert-vault/missing.js',
    'app://other/index.html',
  ])('answers 404 for %s', async (url) => {
    const response = await get(url);
    expect(response.status).toBe(404);
    expect(await response.text()).not.toContain('do not serve');
    expect(response.headers.get('content-security-policy')).toBe(contentSecurityPolicy());
  });

  it('accepts only GET', async () => {
    expect((await get('app://cert-vault/index.html', 'POST')).status).toBe(405);
  });
});
