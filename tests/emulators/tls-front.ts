// A loopback TLS server that serves, for each SNI name, the certificate an emulator currently binds
// to a resource with that domain: what visitors of the emulated cloud would get. Deploy tests point
// the product's TLS probes at it (`front.resolver` maps every name to it) and so prove over TLS
// that every resource serves NEW. An optional propagation delay keeps serving the previous
// certificate for a while after a change, as CDN edges do.

import tls from 'node:tls';
import type { AddressInfo } from 'node:net';
import type { BoundResource, EmulatorState } from './server';

export interface ServedMaterial {
  /** Leaf first, then the chain, as the server sends it. */
  readonly certPem: string;
  readonly keyPem: string;
}

/** What a name serves right now; null: no resource has it (the handshake then fails, as on a real front). */
export type CertificateLookup = (domain: string) => ServedMaterial | null;

export interface TlsFrontOptions {
  readonly lookup: CertificateLookup;
  /** After the binding of a name changes, keep serving the previous certificate this long. */
  readonly propagationDelayMs?: number;
  /** The front's clock, for the delay (default Date.now). */
  readonly now?: () => number;
}

interface NameState {
  current: ServedMaterial | null;
  previous: ServedMaterial | null;
  changedAt: number;
}

export class TlsFront {
  /** Every SNI name a client asked for, in order (null for a handshake without SNI). */
  readonly handshakes: (string | null)[] = [];
  private readonly names = new Map<string, NameState>();
  private readonly contexts = new Map<string, tls.SecureContext>();

  private constructor(
    private readonly server: tls.Server,
    private readonly options: TlsFrontOptions,
  ) {}

  static async start(options: TlsFrontOptions): Promise<TlsFront> {
    let front: TlsFront | null = null;
    const server = tls.createServer({
      SNICallback: (servername, callback) => {
        const context = front?.contextFor(servername) ?? null;
        if (context) callback(null, context);
        else callback(new Error(`no certificate bound for ${servername}`));
      },
    });
    front = new TlsFront(server, options);
    const started = front;
    server.on('tlsClientError', () => undefined);
    // A client without SNI gets no certificate: the handshake fails, as on a front serving many names.
    server.on('secureConnection', (socket) => socket.end());
    server.prependListener('connection', (socket) => socket.on('error', () => undefined));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return started;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** For readServed/verifyServed: every name (and port) reaches this front. */
  readonly resolver = async (): Promise<{ address: string; port: number }> => ({ address: '127.0.0.1', port: this.port });

  /**
   * Records what `domains` serve now, so that a change made afterwards (a deployment) is delayed.
   * Without it the delay starts from the first handshake that sees the name.
   */
  snapshot(domains: readonly string[]): void {
    for (const domain of domains) this.stateOf(domain.toLowerCase());
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private contextFor(servername: string): tls.SecureContext | null {
    const domain = servername.toLowerCase();
    this.handshakes.push(domain);
    const material = this.servedNow(domain);
    if (!material) return null;
    const key = material.certPem + material.keyPem;
    let context = this.contexts.get(key);
    if (!context) {
      context = tls.createSecureContext({ cert: material.certPem, key: material.keyPem });
      this.contexts.set(key, context);
    }
    return context;
  }

  private servedNow(domain: string): ServedMaterial | null {
    const state = this.stateOf(domain);
    const now = this.now();
    const latest = this.options.lookup(domain);
    if (!same(latest, state.current)) {
      state.previous = state.current;
      state.current = latest;
      state.changedAt = now;
    }
    const delay = this.options.propagationDelayMs ?? 0;
    return now - state.changedAt < delay ? state.previous : state.current;
  }

  private stateOf(domain: string): NameState {
    let state = this.names.get(domain);
    if (!state) {
      // What is bound when the front first hears of a name counts as long propagated.
      state = { current: this.options.lookup(domain), previous: null, changedAt: -Infinity };
      this.names.set(domain, state);
    }
    return state;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }
}

function same(a: ServedMaterial | null, b: ServedMaterial | null): boolean {
  return a === b || (a !== null && b !== null && a.certPem === b.certPem && a.keyPem === b.keyPem);
}

/**
 * The lookup for an emulator: the certificate (and key) bound to the first resource one of whose
 * domains is the name. Each cloud keeps a resource's domains in its own instance fields (Tencent
 * `Domain`, Alibaba `Domain`, Huawei `url_domain`, Volcengine `Domain`...), so the caller says
 * where they are.
 */
export function emulatorLookup(state: EmulatorState, domainsOf: (resource: BoundResource) => readonly string[]): CertificateLookup {
  return (domain) => {
    const resource = state.resources.find((candidate) => candidate.certificateId !== '' && domainsOf(candidate).some((name) => name.toLowerCase() === domain));
    if (!resource) return null;
    const stored = state.store.find(resource.account, (entry) => entry.id === resource.certificateId);
    return stored?.privateKeyPem ? { certPem: stored.certificatePem, keyPem: stored.privateKeyPem } : null;
  };
}
