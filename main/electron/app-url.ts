import path from 'node:path';

// Production loads the renderer from app://cert-vault/, a privileged custom scheme served from
// dist/renderer only (file:// would grant the page every file on disk).

export const APP_SCHEME = 'app';
export const APP_HOST = 'cert-vault';
export const APP_ENTRY_URL = `${APP_SCHEME}://${APP_HOST}/index.html`;

export function isAppUrl(url: string): boolean {
  const parsed = parseUrl(url);
  return parsed !== null && parsed.protocol === `${APP_SCHEME}:` && parsed.host === APP_HOST;
}

/**
 * The file under `rootDir` that an app:// URL names, or null when the URL is not ours or tries to
 * leave the root (`..`, encoded separators, NUL, absolute or drive paths).
 */
export function resolveAppUrl(url: string, rootDir: string): string | null {
  const parsed = parseUrl(url);
  if (parsed === null || !isAppUrl(url)) return null;
  const segments = parsed.pathname.split('/').slice(1);
  const decoded: string[] = [];
  for (const raw of segments) {
    const segment = decodeSegment(raw);
    if (segment === null || !isPlainSegment(segment)) return null;
    decoded.push(segment);
  }
  const relative = decoded.length === 0 || decoded.every((s) => s === '') ? 'index.html' : decoded.join(path.sep);
  const root = path.resolve(rootDir);
  const file = path.resolve(root, relative);
  return file !== root && isInside(root, file) ? file : null;
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

function decodeSegment(raw: string): string | null {
  try {
    return decodeURIComponent(raw);
  } catch {
    return null;
  }
}

/** One path component: no separators, no parent/self references, no NUL, no drive letters. */
function isPlainSegment(segment: string): boolean {
  return segment !== '.' && segment !== '..' && !/[/\\\0:]/.test(segment);
}

const mimeTypes: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.ttf': 'font/ttf',
};

export function mimeTypeFor(file: string): string {
  return mimeTypes[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/** True when `file` is `root` itself or below it (both already absolute and resolved). */
export function isInside(root: string, file: string): boolean {
  const relative = path.relative(root, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}
