// `--dev` loads the renderer from Vite's dev server. Only an unpackaged app honours it, and only
// for a loopback http URL: the window must never load a remote page.

export const DEFAULT_DEV_SERVER_URL = 'http://127.0.0.1:5173/';

const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

export function devServerUrl(
  argv: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  isPackaged: boolean,
): URL | null {
  if (isPackaged || !argv.includes('--dev')) return null;
  const raw = env.CERTVAULT_DEV_SERVER_URL ?? DEFAULT_DEV_SERVER_URL;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`CERTVAULT_DEV_SERVER_URL is not a URL: ${raw}`);
  }
  if (url.protocol !== 'http:' || !loopbackHosts.has(url.hostname)) {
    throw new Error(`CERTVAULT_DEV_SERVER_URL must be an http URL on this machine (127.0.0.1, localhost or [::1]), got ${url.origin}`);
  }
  return url;
}
