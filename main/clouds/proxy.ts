// Which proxy, if any, a request to a URL goes through: the conventional HTTPS_PROXY / HTTP_PROXY /
// NO_PROXY variables (lower-case spellings win, as in curl), read from an injected environment.

export type Environment = Readonly<Record<string, string | undefined>>;

function variable(env: Environment, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

/** A bare IPv6 literal from URL.hostname ('[::1]' -> '::1'). */
export function bareHostname(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

export function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/**
 * NO_PROXY entries: `*`, a host name or IP, optionally with `:port`; a leading `.` or `*.` means
 * "this domain and its subdomains", and a bare domain also covers its subdomains (curl's rule).
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = bareHostname(url).toLowerCase();
  const port = defaultPort(url);
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const portMatch = /^(.*?):(\d+)$/.exec(entry);
    const entryHost = (portMatch && !entry.includes('::') ? portMatch[1]! : entry).replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    const entryPort = portMatch && !entry.includes('::') ? Number(portMatch[2]) : null;
    if (entryPort !== null && entryPort !== port) continue;
    if (host === entryHost || host.endsWith(`.${entryHost}`)) return true;
  }
  return false;
}

/** The proxy URL for this request, or null for a direct connection. */
export function proxyFor(url: URL, env: Environment): URL | null {
  const configured = variable(env, url.protocol === 'https:' ? 'https_proxy' : 'http_proxy');
  if (!configured || bypassesProxy(url, variable(env, 'no_proxy'))) return null;
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(configured) ? configured : `http://${configured}`);
}

/** `Proxy-Authorization` for a proxy URL carrying user:password, else undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}
