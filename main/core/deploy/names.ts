// Does a certificate cover a host name? RFC 6125 §6.4.3 as browsers apply it: a name matches
// itself (case-insensitive, trailing dot ignored); `*.example.com` matches exactly one more label
// (`a.example.com`, never `example.com` nor `a.b.example.com`). A resource that itself serves a
// wildcard name needs the same wildcard.

function normal(name: string): string {
  return name.trim().toLowerCase().replace(/\.$/, '');
}

export function covers(certificateNames: readonly string[], domain: string): boolean {
  const host = normal(domain);
  const names = new Set(certificateNames.map(normal));
  if (names.has(host)) return true;
  if (host.startsWith('*.')) return false;
  const dot = host.indexOf('.');
  return dot > 0 && names.has(`*.${host.slice(dot + 1)}`);
}

/** The domains of `domains` that the certificate does not cover, in order, without repeats. */
export function uncovered(certificateNames: readonly string[], domains: readonly string[]): string[] {
  return [...new Set(domains.map(normal))].filter((domain) => domain !== '' && !covers(certificateNames, domain));
}
