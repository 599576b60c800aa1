import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { MAX_CHAIN_CERTIFICATES, readServed } from '../../../main/core/tls';
import { TlsFront, type ServedMaterial } from '../../emulators/tls-front';
import { makeDeepChain, makeTlsPki, type TlsLeaf, type TlsPki } from './pki';

// readServed against loopback servers: a TLS front choosing certificates by SNI, and hostile
// servers (plain HTTP, silence, a closed port) that must end as classified errors.

let pki: TlsPki;
let front: TlsFront;
const bound = new Map<string, TlsLeaf>();
const served = (leaf: TlsLeaf): ServedMaterial => ({ certPem: leaf.chainPem, keyPem: leaf.keyPem });

beforeAll(async () => {
  pki = makeTlsPki();
  bound.set('www.site.test', pki.old).set('other.site.test', pki.other).set('expired.site.test', pki.expiredSelfSigned);
  front = await TlsFront.start({ lookup: (domain) => (bound.has(domain) ? served(bound.get(domain)!) : null) });
});
afterAll(() => front.close());

async function failureOf(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(() => null, (e: unknown) => e);
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

/** A loopback server that does `onSocket` with every connection; closed after the test. */
async function rawServer(onSocket: (socket: net.Socket) => void): Promise<{ port: number; close: () => Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    onSocket(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return { port, close: () => new Promise((resolve) => { for (const s of sockets) s.destroy(); server.close(() => resolve()); }) };
}

describe('readServed', () => {
  it('sends the domain as SNI and returns the chain as served, leaf first', async () => {
    const result = await readServed({ domain: 'www.site.test', timeoutMs: 5000, resolve: front.resolver });
    expect(result.leafFingerprintSha256).toBe(pki.old.sha256);
    expect(result.chainPem).toBe(pki.old.chainPem.replace(/\r\n/g, '\n'));
    expect(result).toMatchObject({ domain: 'www.site.test', address: '127.0.0.1', port: front.port, protocol: 'TLSv1.3' });
    // The test root is in no system store: reported, not refused.
    expect(result.authorized).toBe(false);
    expect(result.authorizationError).toMatch(/ISSUER|LOCAL/);

    const other = await readServed({ domain: 'Other.Site.Test.', timeoutMs: 5000, resolve: front.resolver });
    expect(other.leafFingerprintSha256).toBe(pki.other.sha256);
    expect(front.handshakes).toContain('other.site.test');
  });

  it('connects to the IP given instead of resolving the name (split DNS), SNI still the name', async () => {
    const result = await readServed({ domain: 'www.site.test', ip: '127.0.0.1', port: front.port, timeoutMs: 5000 });
    expect(result.leafFingerprintSha256).toBe(pki.old.sha256);
    expect(front.handshakes.at(-1)).toBe('www.site.test');
  });

  it('takes host and port from a pasted https:// address', async () => {
    const result = await readServed({ domain: `https://www.site.test:${front.port}/login?x=1`, ip: '127.0.0.1', timeoutMs: 5000 });
    expect(result.port).toBe(front.port);
    expect(result.leafFingerprintSha256).toBe(pki.old.sha256);
  });

  it('reports an expired self-signed certificate as a fact', async () => {
    const result = await readServed({ domain: 'expired.site.test', timeoutMs: 5000, resolve: front.resolver });
    expect(result.leafFingerprintSha256).toBe(pki.expiredSelfSigned.sha256);
    expect(result.authorized).toBe(false);
    expect(result.authorizationError).toMatch(/EXPIRED|SELF_SIGNED/);
  });

  it('a chain longer than any real one is refused, one at the limit is read', async () => {
    bound.set('deep.site.test', makeDeepChain(MAX_CHAIN_CERTIFICATES, 'deep.site.test'));
    const error = await failureOf(readServed({ domain: 'deep.site.test', timeoutMs: 5000, resolve: front.resolver }));
    expect(error.code).toBe('tls.chain_too_large');
    expect(error.params).toMatchObject({ limit: MAX_CHAIN_CERTIFICATES });

    bound.set('deep.site.test', makeDeepChain(MAX_CHAIN_CERTIFICATES - 2, 'deep.site.test'));
    const result = await readServed({ domain: 'deep.site.test', timeoutMs: 5000, resolve: front.resolver });
    expect(result.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(MAX_CHAIN_CERTIFICATES - 1);
  });

  it('a name the server has no certificate for fails the handshake, naming domain and port', async () => {
    const error = await failureOf(readServed({ domain: 'nobody.site.test', timeoutMs: 5000, resolve: front.resolver }));
    expect(error.code).toBe('tls.handshake_failed');
    expect(error.message).toContain('nobody.site.test');
    expect(error.message).toContain(String(front.port));
  });

  it('a plain HTTP port fails the handshake instead of crashing', async () => {
    const http = await rawServer((socket) => socket.once('data', () => socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n')));
    try {
      const error = await failureOf(readServed({ domain: 'www.site.test', ip: '127.0.0.1', port: http.port, timeoutMs: 5000 }));
      expect(error.code).toBe('tls.handshake_failed');
    } finally {
      await http.close();
    }
  });

  it('garbage bytes fail the handshake', async () => {
    const junk = await rawServer((socket) => socket.write(Buffer.alloc(4096, 0x17)));
    try {
      const error = await failureOf(readServed({ domain: 'www.site.test', ip: '127.0.0.1', port: junk.port, timeoutMs: 5000 }));
      expect(error.code).toBe('tls.handshake_failed');
    } finally {
      await junk.close();
    }
  });

  it('a server that never answers times out within the budget', async () => {
    const silent = await rawServer(() => undefined);
    try {
      const error = await failureOf(readServed({ domain: 'www.site.test', ip: '127.0.0.1', port: silent.port, timeoutMs: 300 }));
      expect(error.code).toBe('tls.timeout');
      expect(error.params).toMatchObject({ domain: 'www.site.test', port: silent.port, seconds: 0.3 });
    } finally {
      await silent.close();
    }
  });

  it('a resolver that never answers times out too', async () => {
    const error = await failureOf(readServed({ domain: 'www.site.test', timeoutMs: 200, resolve: () => new Promise(() => undefined) }));
    expect(error.code).toBe('tls.timeout');
  });

  it('a closed port is unreachable', async () => {
    const closed = await rawServer(() => undefined);
    await closed.close();
    const error = await failureOf(readServed({ domain: 'www.site.test', ip: '127.0.0.1', port: closed.port, timeoutMs: 5000 }));
    expect(error.code).toBe('tls.unreachable');
    expect(error.params).toMatchObject({ reason: 'ECONNREFUSED' });
  });

  it('a name that does not resolve is a resolve failure', async () => {
    const error = await failureOf(
      readServed({ domain: 'www.site.test', timeoutMs: 5000, resolve: () => Promise.reject(Object.assign(new Error('x'), { code: 'ENOTFOUND' })) }),
    );
    expect(error.code).toBe('tls.resolve_failed');
    expect(error.message).toContain('ENOTFOUND');
  });

  it('cancels when the signal aborts', async () => {
    const silent = await rawServer(() => undefined);
    try {
      const controller = new AbortController();
      const pending = readServed({ domain: 'www.site.test', ip: '127.0.0.1', port: silent.port, timeoutMs: 10_000, signal: controller.signal });
      setTimeout(() => controller.abort(), 50);
      expect((await failureOf(pending)).code).toBe('cancelled');
    } finally {
      await silent.close();
    }
  });

  it.each([
    ['exa mple.com', 'tls.invalid_domain'],
    ['', 'tls.invalid_domain'],
    ['http://www.example.com/', 'tls.invalid_domain'],
    ['*.example.com', 'tls.invalid_domain'],
    ['www.example.com/path', 'tls.invalid_domain'],
    ['-bad-.example.com', 'tls.invalid_domain'],
    ['www.example.com:99999', 'tls.invalid_port'],
  ])('refuses %j before connecting (%s)', async (domain, code) => {
    const error = await failureOf(readServed({ domain, timeoutMs: 1000, resolve: () => Promise.reject(new Error('must not resolve')) }));
    expect(error.code).toBe(code);
  });

  it('refuses a port or IP that is not one', async () => {
    expect((await failureOf(readServed({ domain: 'www.site.test', port: 0 }))).code).toBe('tls.invalid_port');
    const error = await failureOf(readServed({ domain: 'www.site.test', ip: '10.0.0.300' }));
    expect(error.code).toBe('tls.invalid_address');
    expect(error.message).toContain('10.0.0.300');
  });
});
