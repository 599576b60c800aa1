import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { APP_ENTRY_URL, isAppUrl, mimeTypeFor, resolveAppUrl } from '../../../main/electron/app-url';

const root = path.resolve('/opt/cert-vault/dist/renderer');

describe('resolveAppUrl', () => {
  it('maps app:// URLs to files of the renderer build', () => {
    expect(resolveAppUrl(APP_ENTRY_URL, root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppUrl('app://cert-vault/assets/index-3f2a.js', root)).toBe(path.join(root, 'assets', 'index-3f2a.js'));
    expect(resolveAppUrl('app://cert-vault/assets/font%20name.woff2', root)).toBe(path.join(root, 'assets', 'font name.woff2'));
  });

  it('serves index.html for the bare origin and ignores query and fragment', () => {
    expect(resolveAppUrl('app://cert-vault/', root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppUrl('app://cert-vault', root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppUrl('app://cert-vault/index.html?x=1#top', root)).toBe(path.join(root, 'index.html'));
  });

  it.each(['app://cert-vault/../../../etc/passwd', 'app://cert-vault/assets/../../secret', 'app://cert-vault/%2e%2e/%2e%2e/etc/passwd'])(
    'keeps dot segments inside the build: %s',
    (url) => {
      // The URL parser already folds these away; whatever remains must name a file under root.
      const resolved = resolveAppUrl(url, root);
      expect(resolved === null || resolved.startsWith(root + path.sep)).toBe(true);
    },
  );

  it.each([
    'app://cert-vault/..%2f..%2fetc%2fpasswd',
    'app://cert-vault/..%5c..%5cwindows%5csystem.ini',
    'app://cert-vault/assets%2f..%2f..%2fsecret',
    'app://cert-vault/%2e%2e%2fsecret',
    'app://cert-vault/%00index.html',
    'app://cert-vault/C:%5cWindows%5cwin.ini',
    'app://cert-vault/c:/windows/win.ini',
    'app://cert-vault/%E0%A4%A',
  ])('refuses encoded separators, NUL, drive letters and bad escapes: %s', (url) => {
    expect(resolveAppUrl(url, root)).toBeNull();
  });

  it.each(['https://cert-vault/index.html', 'file:///etc/passwd', 'app://other-host/index.html', 'app:index.html', 'not a url'])(
    'refuses URLs that are not ours: %s',
    (url) => {
      expect(resolveAppUrl(url, root)).toBeNull();
    },
  );
});

describe('isAppUrl', () => {
  it('recognises our origin only', () => {
    expect(isAppUrl('app://cert-vault/index.html')).toBe(true);
    expect(isAppUrl('app://cert-vault.evil.example/index.html')).toBe(false);
    expect(isAppUrl('http://cert-vault/index.html')).toBe(false);
  });
});

describe('mimeTypeFor', () => {
  it('names the types the renderer build contains', () => {
    expect(mimeTypeFor('/x/index.html')).toBe('text/html; charset=utf-8');
    expect(mimeTypeFor('/x/a.JS')).toBe('text/javascript; charset=utf-8');
    expect(mimeTypeFor('/x/a.css')).toBe('text/css; charset=utf-8');
    expect(mimeTypeFor('/x/a.bin')).toBe('application/octet-stream');
  });
});
