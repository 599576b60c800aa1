import net from 'node:net';
import { domainToASCII } from 'node:url';
import { VaultError } from '../../../shared/errors';

// What the user typed as "the site to check", made into a host name and maybe a port. An
// https:// address is accepted and its host (and explicit port) used: people copy the address
// bar, and nothing in it is ambiguous. Any other scheme (http://, ftp://) is refused, because
// checking port 443 of a URL that says plain HTTP would answer a question nobody asked.

export interface Target {
  /** Lower-case ASCII (IDNs as punycode), no trailing dot; an IP literal when the user gave one. */
  readonly domain: string;
  /** From `host:port` or the https:// address; null when the input names none. */
  readonly port: number | null;
}

const LABEL = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
const MAX_NAME = 253;

export function parseTarget(input: string): Target {
  const trimmed = input.trim();
  const invalid = () => new VaultError('tls.invalid_domain', { input: shorten(input) });
  if (trimmed === '' || trimmed.length > 2048) throw invalid();

  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(trimmed)) {
    let url: URL;
    try {
      url = new URL(trimmed);
    } catch {
      throw invalid();
    }
    if (url.protocol !== 'https:' || url.username || url.password) throw invalid();
    const host = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
    return { domain: hostName(host, invalid), port: url.port ? Number(url.port) : null };
  }

  // `[v6]:port`, `name:port`, or a bare name / address (a bare v6 literal has several colons).
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(trimmed);
  if (bracketed) return { domain: hostName(bracketed[1]!, invalid), port: bracketed[2] ? portOf(bracketed[2]) : null };
  const withPort = /^([^:]+):(\d{1,5})$/.exec(trimmed);
  if (withPort) return { domain: hostName(withPort[1]!, invalid), port: portOf(withPort[2]!) };
  return { domain: hostName(trimmed, invalid), port: null };
}

function hostName(host: string, invalid: () => VaultError): string {
  if (net.isIP(host) !== 0) return host.toLowerCase();
  // A wildcard is a certificate's name, not a server's: there is nothing to connect to.
  if (/[\s/\\?#@*]/.test(host)) throw invalid();
  const ascii = domainToASCII(host.replace(/\.$/, '')).toLowerCase();
  if (ascii === '' || ascii.length > MAX_NAME) throw invalid();
  if (!ascii.split('.').every((label) => LABEL.test(label))) throw invalid();
  return ascii;
}

export function portOf(value: string | number): number {
  const port = typeof value === 'number' ? value : /^\d{1,5}$/.test(value.trim()) ? Number(value.trim()) : NaN;
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new VaultError('tls.invalid_port', { input: shorten(String(value)) });
  return port;
}

export function ipAddressOf(value: string, domain: string): string {
  const address = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (net.isIP(address) === 0) throw new VaultError('tls.invalid_address', { input: shorten(value), domain });
  return address;
}

/** Echoes of user input stay short enough to read in one line of an error. */
function shorten(text: string): string {
  const oneLine = text.replace(/\s+/g, ' ');
  return oneLine.length > 80 ? `${oneLine.slice(0, 77)}...` : oneLine;
}
