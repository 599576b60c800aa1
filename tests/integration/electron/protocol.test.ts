import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Runtime } from '../../electron-double';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { built, removeTempDirs, root, start } from './harness';

// app:// as the built app serves it: requests go through the handler the app registered on the
// session, with URLs canonicalised as Chromium does for a standard scheme.
assertThrowawayKeyring();

let double: Runtime;

beforeAll(async () => {
  ({ double } = await start());
});

afterAll(() => {
  double.app.quit();
  removeTempDirs();
});

const policy =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'none'; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : [full];
  });
}

describe('app://cert-vault/', () => {
  it('serves every file of the built renderer, byte for byte, under the CSP', async () => {
    const files = filesUnder(built.renderer);
    expect(files.length).toBeGreaterThan(2);
    for (const file of files) {
      const url = `app://cert-vault/${path.relative(built.renderer, file).split(path.sep).map(encodeURIComponent).join('/')}`;
      const response = await double.request(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-security-policy'), url).toBe(policy);
      expect(response.headers.get('x-content-type-options'), url).toBe('nosniff');
      expect(Buffer.from(await response.arrayBuffer()).equals(fs.readFileSync(file)), url).toBe(true);
    }
  });

  it('answers the root with index.html as text/html', async () => {
    const response = await double.request('app://cert-vault/');
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(await response.text()).toBe(fs.readFileSync(path.join(built.renderer, 'index.html'), 'utf8'));
  });

  // Each names a real file outside dist/renderer; none may be served, whatever the spelling.
  it.each([
    'app://cert-vault/../../package.json',
    'app://cert-vault/%2e%2e/%2e%2e/package.json',
    'app://cert-vault/..%2F..%2Fpackage.json',
    'app://cert-vault/assets/..%2F..%2F..%2Fpackage.json',
    'app://cert-vault/..%5C..%5Cpackage.json',
    'app://cert-vault/..\\..\\package.json',
    'app://cert-vault/%2E%2E%2Fmain%2Fapp.cjs',
    `app://cert-vault/${encodeURIComponent(path.join(root, 'package.json'))}`,
    'app://cert-vault/index.html%00.png',
    'app://other-host/index.html',
  ])('refuses %s', async (url) => {
    const response = await double.request(url);
    expect(response.status).toBe(404);
    expect(response.headers.get('content-security-policy')).toBe(policy);
    expect(await response.text()).toBe('Not Found');
  });

  it('answers only GET', async () => {
    const response = await double.request('app://cert-vault/index.html', { method: 'POST', body: 'x' });
    expect(response.status).toBe(405);
  });
});
