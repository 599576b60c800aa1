import net from 'node:net';
import { bareHostname, isLoopback } from './loopback';

// Which proxy, if any, a request to a URL goes through: the conventional HTTPS_PROXY / HTTP_PROXY /
// NO_PROXY variables (lower-case spellings win, as in curl), read from an injected environment.
// Loopback is never proxied, whatever the variables say: a request to an endpoint on this machine
// carries the Authorization header and a private key, and a proxy would receive them in clear text
// (plain http is allowed only on loopback, main/clouds/endpoint.ts).

export type Environment = Readonly<Record<string, string | undefined>>;

function variable(env: Environment, name: string): string | undefined {
  const value = env[name.toLowerCase()] ?? env[name.toUpperCase()];
  return value && value.trim() !== '' ? value.trim() : undefined;
}

export function defaultPort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

/**
 * NO_PROXY as curl reads it (CURLOPT_NOPROXY): entries separated by commas or spaces; `*` matches
 * every host. A host name matches an entry equal to it or to one of its parent domains (a leading
 * `.`, and the common `*.`, are ignored; trailing dots too). An IP address matches only an IP
 * entry, exactly or within its CIDR block (`192.168.0.0/16`, `fd00::/8`), never as a domain
 * suffix; IPv6 entries are written without brackets. Beyond curl, an entry may end in `:port` to
 * apply to that port only.
 */
export function bypassesProxy(url: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = bareHostname(url).toLowerCase().replace(/\.$/, '');
  const hostFamily = net.isIP(host);
  const port = defaultPort(url);
  return noProxy.split(/[\s,]+/).some((raw) => {
    const entry = raw.trim().toLowerCase();
    if (entry === '') return false;
    if (entry === '*') return true;
    const { name, entryPort } = splitPort(entry);
    if (entryPort !== null && entryPort !== port) return false;
    if (hostFamily !== 0) return ipMatches(host, hostFamily, name);
    const domain = name.replace(/^\*?\./, '').replace(/\.$/, '');
    return domain !== '' && (host === domain || host.endsWith(`.${domain}`));
  });
}

/** `host:port`, `[v6]:port`, or a bare v6 literal (whose colons are not a port). */
function splitPort(entry: string): { name: string; entryPort: number | null } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed) return { name: bracketed[1]!, entryPort: bracketed[2] ? Number(bracketed[2]) : null };
  const withPort = /^([^:]*):(\d+)$/.exec(entry);
  return withPort ? { name: withPort[1]!, entryPort: Number(withPort[2]) } : { name: entry, entryPort: null };
}

function ipMatches(host: string, hostFamily: number, entry: string): boolean {
  const [address = '', bitsText] = entry.split('/');
  const family = net.isIP(address);
  if (family === 0) return false;
  const type = family === 4 ? 'ipv4' : 'ipv6';
  const maxBits = family === 4 ? 32 : 128;
  if (bitsText !== undefined && !/^\d{1,3}$/.test(bitsText)) return false;
  const bits = bitsText === undefined ? maxBits : Number(bitsText);
  if (bits > maxBits) return false;
  const block = new net.BlockList();
  block.addSubnet(address, bits, type);
  return block.check(host, hostFamily === 4 ? 'ipv4' : 'ipv6');
}

/** The proxy URL for this request, or null for a direct connection. */
export function proxyFor(url: URL, env: Environment): URL | null {
  const configured = variable(env, url.protocol === 'https:' ? 'https_proxy' : 'http_proxy');
  if (!configured || isLoopback(url) || bypassesProxy(url, variable(env, 'no_proxy'))) return null;
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(configured) ? configured : `http://${configured}`);
}

/** `Proxy-Authorization` for a proxy URL carrying user:password, else undefined. */
export function proxyAuthorization(proxy: URL): string | undefined {
  if (!proxy.username) return undefined;
  const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
  return `Basic ${Buffer.from(credentials, 'utf8').toString('base64')}`;
}
