import net from 'node:net';

// Where a request never leaves this machine: plain http is allowed there (endpoint.ts) and a proxy
// is never used for it (proxy.ts).

/** A bare IPv6 literal from URL.hostname ('[::1]' -> '::1'). */
export function bareHostname(url: URL): string {
  return url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
}

const loopback = new net.BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

/** 127.0.0.0/8, ::1 (also IPv4-mapped), `localhost` and its subdomains (RFC 6761 §6.3). */
export function isLoopback(url: URL): boolean {
  const host = bareHostname(url).toLowerCase().replace(/\.$/, '');
  const family = net.isIP(host);
  if (family !== 0) return loopback.check(host, family === 4 ? 'ipv4' : 'ipv6');
  return host === 'localhost' || host.endsWith('.localhost');
}
