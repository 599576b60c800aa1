import dns from 'node:dns/promises';
import net from 'node:net';
import tls from 'node:tls';
import type { X509Certificate } from 'node:crypto';
import { VaultError } from '../../../shared/errors';
import type { ServedCertificate } from '../../../shared/deploy';
import { ipAddressOf, parseTarget, portOf } from './target';

// Reads the certificate a TLS server serves for a name: SNI = the name, the chain exactly as sent,
// and whether it validates against the system's roots. The server may be anything (a plain HTTP
// port, a tarpit, a chain of a thousand certificates), so every way it can fail ends as one of the
// tls.* errors naming the domain and port, and nothing waits longer than the timeout.
//
// The connection is direct, never through HTTPS_PROXY (main/clouds/proxy.ts): those variables
// are for HTTP clients, and a proxy's CONNECT would resolve the name itself, so neither "connect
// to this IP" nor the resolver override could choose the server, and a TLS-intercepting proxy
// would show its own certificate instead of what visitors get.

export interface Endpoint {
  readonly address: string;
  readonly port: number;
}

/**
 * Where to connect for `host` (a name, or the IP the user gave) and `port`. The default asks the
 * system's resolver; tests and the deploy engine's integration tests map names to loopback servers.
 */
export type TlsResolver = (host: string, port: number) => Promise<Endpoint>;

export interface ReadServedOptions {
  /** A host name, `host:port`, or an https:// address (its host and port are used). */
  readonly domain: string;
  /** Connect to this address instead of the one DNS gives (split DNS, one node behind a balancer). */
  readonly ip?: string;
  /** Overrides a port in `domain`; 443 when neither gives one. */
  readonly port?: number;
  /** For resolving and handshaking together (default 10 s). */
  readonly timeoutMs?: number;
  readonly resolve?: TlsResolver;
  readonly signal?: AbortSignal;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 10_000;
/**
 * Real chains are 2 to 4 certificates. OpenSSL already refuses a certificate message over 100 KB
 * (its default max_cert_list), so this bound is on what is walked, not on memory.
 */
export const MAX_CHAIN_CERTIFICATES = 10;

export const systemResolver: TlsResolver = async (host, port) => {
  if (net.isIP(host) !== 0) return { address: host, port };
  const { address } = await dns.lookup(host);
  return { address, port };
};

export async function readServed(options: ReadServedOptions): Promise<ServedCertificate> {
  const target = parseTarget(options.domain);
  const { domain } = target;
  const port = portOf(options.port ?? target.port ?? 443);
  const ip = options.ip === undefined || options.ip.trim() === '' ? null : ipAddressOf(options.ip, domain);
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const deadline = new Deadline(timeoutMs, options.signal);
  try {
    const endpoint = await deadline.race(resolveEndpoint(options.resolve ?? systemResolver, ip ?? domain, port, domain), () =>
      timeoutError(domain, ip ?? domain, port, timeoutMs),
    );
    return await handshake(domain, endpoint, deadline, timeoutMs);
  } finally {
    deadline.clear();
  }
}

async function resolveEndpoint(resolve: TlsResolver, host: string, port: number, domain: string): Promise<Endpoint> {
  try {
    return await resolve(host, port);
  } catch (error) {
    throw new VaultError('tls.resolve_failed', { domain, reason: reasonOf(error) });
  }
}

function handshake(domain: string, endpoint: Endpoint, deadline: Deadline, timeoutMs: number): Promise<ServedCertificate> {
  const where = { domain, address: endpoint.address, port: endpoint.port };
  return new Promise((resolve, reject) => {
    let connected = false;
    const socket = tls.connect({
      host: endpoint.address,
      port: endpoint.port,
      // SNI cannot carry an IP address (RFC 6066); without it the server picks its default.
      ...(net.isIP(domain) === 0 ? { servername: domain } : {}),
      // Facts are reported, not judged: a self-signed or expired chain is exactly what the user
      // wants to see. Whether it validates is still computed (authorized, authorizationError).
      rejectUnauthorized: false,
    });
    // Settles once, reading the socket before closing it.
    const finish = (outcome: () => ServedCertificate): void => {
      deadline.clear();
      try {
        resolve(outcome());
      } catch (error) {
        reject(error);
      }
      socket.removeAllListeners('error');
      // A late error after destroy (the peer's reset) has nobody to tell.
      socket.on('error', () => undefined);
      socket.destroy();
    };
    deadline.onExpire((aborted) => finish(() => {
      throw aborted ? new VaultError('cancelled') : timeoutError(domain, endpoint.address, endpoint.port, timeoutMs);
    }));
    socket.once('connect', () => (connected = true));
    socket.once('error', (error) =>
      finish(() => {
        throw new VaultError(connected ? 'tls.handshake_failed' : 'tls.unreachable', { ...where, reason: reasonOf(error) });
      }),
    );
    socket.once('secureConnect', () => finish(() => servedFrom(socket, where)));
  });
}

function servedFrom(socket: tls.TLSSocket, where: { domain: string; address: string; port: number }): ServedCertificate {
  const leaf = socket.getPeerX509Certificate();
  if (!leaf) throw new VaultError('tls.handshake_failed', { ...where, reason: 'the server sent no certificate' });
  const chain = servedChain(leaf);
  if (!chain) throw new VaultError('tls.chain_too_large', { ...where, limit: MAX_CHAIN_CERTIFICATES });
  const authorizationError = socket.authorizationError;
  return {
    domain: where.domain,
    address: where.address,
    port: where.port,
    protocol: socket.getProtocol(),
    chainPem: chain.map((cert) => cert.toString()).join(''),
    leafFingerprintSha256: hexFingerprint(leaf.fingerprint256),
    authorized: socket.authorized,
    authorizationError: socket.authorized || !authorizationError ? null : String(authorizationError),
  };
}

/**
 * The leaf and its issuers as the server sent them. `issuerCertificate` of a peer certificate is
 * looked up among the certificates the peer sent, never the local trust store (unlike
 * getPeerCertificate(true), which appends the store's root), so a chain missing its intermediate
 * shows as missing. Null when longer than MAX_CHAIN_CERTIFICATES.
 */
function servedChain(leaf: X509Certificate): X509Certificate[] | null {
  const chain: X509Certificate[] = [];
  const seen = new Set<string>();
  for (let cert: X509Certificate | undefined = leaf; cert && !seen.has(cert.fingerprint256); cert = cert.issuerCertificate) {
    if (chain.length === MAX_CHAIN_CERTIFICATES) return null;
    seen.add(cert.fingerprint256);
    chain.push(cert);
  }
  return chain;
}

/** `AB:CD:…` → `abcd…`, as the library keeps fingerprints. */
export function hexFingerprint(colonHex: string): string {
  return colonHex.replace(/:/g, '').toLowerCase();
}

function timeoutError(domain: string, address: string, port: number, timeoutMs: number): VaultError {
  return new VaultError('tls.timeout', { domain, address, port, seconds: Math.round((timeoutMs / 1000) * 10) / 10 });
}

/** The system's short word for it (ECONNREFUSED, wrong version number), never a stack. */
function reasonOf(error: unknown): string {
  const err = error as { code?: unknown; reason?: unknown; message?: unknown };
  const text = typeof err.reason === 'string' ? err.reason : typeof err.code === 'string' ? err.code : typeof err.message === 'string' ? err.message : String(error);
  const oneLine = text.replace(/\s+/g, ' ').trim();
  return oneLine.length > 120 ? `${oneLine.slice(0, 117)}...` : oneLine || 'unknown error';
}

/** One timer and one abort signal for the whole probe: resolving and handshaking share the budget. */
class Deadline {
  private timer: ReturnType<typeof setTimeout> | null = null;
  private listeners: ((aborted: boolean) => void)[] = [];
  private expired: boolean | null = null;
  private readonly onAbort = () => this.expire(true);

  constructor(
    timeoutMs: number,
    private readonly signal?: AbortSignal,
  ) {
    if (signal?.aborted) {
      this.expired = true;
      return;
    }
    this.timer = setTimeout(() => this.expire(false), timeoutMs);
    signal?.addEventListener('abort', this.onAbort, { once: true });
  }

  onExpire(listener: (aborted: boolean) => void): void {
    if (this.expired !== null) listener(this.expired);
    else this.listeners.push(listener);
  }

  /** `work`, unless the deadline passes first (then `onTimeout()` is thrown, or `cancelled`). */
  race<T>(work: Promise<T>, onTimeout: () => VaultError): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.onExpire((aborted) => reject(aborted ? new VaultError('cancelled') : onTimeout()));
      work.then(resolve, reject);
    });
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.listeners = [];
    this.signal?.removeEventListener('abort', this.onAbort);
  }

  private expire(aborted: boolean): void {
    if (this.expired !== null) return;
    this.expired = aborted;
    const listeners = this.listeners;
    this.listeners = [];
    for (const listener of listeners) listener(aborted);
  }
}
