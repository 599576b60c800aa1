import fs from 'node:fs/promises';
import { protocol, type Session } from 'electron';
import { log } from '../core/log';
import { APP_SCHEME, isInside, mimeTypeFor, resolveAppUrl } from './app-url';
import { contentSecurityPolicy } from './content-security-policy';

/**
 * Must run before the app is ready: privileges are fixed when Chromium starts. Deliberately not
 * `corsEnabled` or `bypassCSP`: other origins cannot read app:// and our CSP applies in full.
 */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves app://cert-vault/ from the built renderer folder and nothing else, every response under our CSP. */
export function serveRenderer(session: Session, rendererDir: string): void {
  session.protocol.handle(APP_SCHEME, async (request) => {
    if (request.method !== 'GET') return plain(405, 'Method Not Allowed');
    const file = resolveAppUrl(request.url, rendererDir);
    if (file === null) return plain(404, 'Not Found');
    try {
      // realpath defeats a symlink inside the build that points outside it.
      const [root, real] = await Promise.all([fs.realpath(rendererDir), fs.realpath(file)]);
      if (!isInside(root, real)) return plain(404, 'Not Found');
      const body = await fs.readFile(real);
      return new Response(body, { status: 200, headers: secureHeaders(mimeTypeFor(real)) });
    } catch (error) {
      log.warn('app_protocol_miss', { path: new URL(request.url).pathname.slice(0, 200), error });
      return plain(404, 'Not Found');
    }
  });
}

/** Development: Vite serves the page, so the same CSP (plus Vite's allowances) is added to its responses. */
export function applyDevServerPolicy(session: Session, devServer: URL): void {
  session.webRequest.onHeadersReceived({ urls: [`${devServer.origin}/*`] }, (details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [contentSecurityPolicy(devServer)] },
    });
  });
}

function secureHeaders(contentType: string): Record<string, string> {
  return {
    'Content-Type': contentType,
    'Content-Security-Policy': contentSecurityPolicy(),
    'X-Content-Type-Options': 'nosniff',
  };
}

function plain(status: number, text: string): Response {
  return new Response(text, { status, headers: secureHeaders('text/plain; charset=utf-8') });
}
