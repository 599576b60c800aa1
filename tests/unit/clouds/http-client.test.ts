import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHttpClient } from '../../../main/clouds/http-client';
import { TransportError, type HttpRequest } from '../../../main/clouds/http';
import { sendToCloud } from '../../../main/clouds/transport';
import { CloudError } from '../../../main/clouds/provider';

// The client against real loopback servers: what it sends, and what each failure says about
// whether the request may have reached the server.

type Handler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

function close(server: net.Server): Promise<void> {
  return new Promise((resolve) => {
    (server as http.Server).closeAllConnections?.();
    server.close(() => resolve());
  });
}

async function freePort(): Promise<number> {
  const server = net.createServer();
  const port = await listen(server);
  await close(server);
  return port;
}

async function failure(promise: Promise<unknown>): Promise<TransportError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(TransportError);
  return error as TransportError;
}

let tlsDir: string;
let tlsKey: string;
let tlsCert: string;
let handler: Handler = (_req, res) => res.end('ok');
const plain = http.createServer((req, res) => handler(req, res));
let secure: https.Server;
let plainPort: number;
let securePort: number;

beforeAll(async () => {
  tlsDir = mkdtempSync(join(tmpdir(), 'certvault-http-'));
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,DNS:cloud.test,IP:127.0.0.1',
    '-keyout', join(tlsDir, 'key.pem'), '-out', join(tlsDir, 'cert.pem'),
  ], { stdio: 'ignore' });
  tlsKey = readFileSync(join(tlsDir, 'key.pem'), 'utf8');
  tlsCert = readFileSync(join(tlsDir, 'cert.pem'), 'utf8');
  secure = https.createServer({ key: tlsKey, cert: tlsCert }, (req, res) => handler(req, res));
  plainPort = await listen(plain);
  securePort = await listen(secure);
});

afterAll(async () => {
  await close(plain);
  await close(secure);
  rmSync(tlsDir, { recursive: true, force: true });
});

const echo: Handler = (req, res) => {
  let body = '';
  req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.setHeader('x-multi', ['a', 'b']);
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers, body }));
  });
};

function post(url: string, extra: Partial<HttpRequest> = {}): HttpRequest {
  return { method: 'POST', url: new URL(url), headers: { 'content-type': 'application/json', 'x-tc-action': 'Test' }, body: '{"名":"值"}', ...extra };
}

describe('NodeHttpClient: successful exchanges', () => {
  it('sends method, path, headers, Host with port and the exact body bytes', async () => {
    handler = echo;
    const response = await createHttpClient({ env: {} }).send(post(`http://127.0.0.1:${plainPort}/a/b?x=1`));
    expect(response.status).toBe(200);
    const seen = JSON.parse(response.body);
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/a/b?x=1');
    expect(seen.headers.host).toBe(`127.0.0.1:${plainPort}`);
    expect(seen.headers['x-tc-action']).toBe('Test');
    expect(seen.headers['content-length']).toBe(String(Buffer.byteLength('{"名":"值"}')));
    expect(seen.body).toBe('{"名":"值"}');
    expect(response.headers['x-multi']).toBe('a, b');
  });

  it('speaks TLS to an https endpoint trusted through the ca option', async () => {
    handler = echo;
    const response = await createHttpClient({ env: {}, ca: [tlsCert] }).send(post(`https://localhost:${securePort}/`));
    expect(JSON.parse(response.body).headers.host).toBe(`localhost:${securePort}`);
  });

  it('returns non-2xx answers as responses, not failures', async () => {
    handler = (_req, res) => {
      res.statusCode = 503;
      res.end('{"Code":"ServiceUnavailable"}');
    };
    const response = await createHttpClient({ env: {} }).send(post(`http://127.0.0.1:${plainPort}/`));
    expect(response.status).toBe(503);
    expect(response.body).toContain('ServiceUnavailable');
  });
});

describe('NodeHttpClient: failures and whether the request may have reached the server', () => {
  it('refused connection: never reached, retryable', async () => {
    const port = await freePort();
    const error = await failure(createHttpClient({ env: {} }).send(post(`http://127.0.0.1:${port}/`)));
    expect(error.code).toBe('ECONNREFUSED');
    // Shown as "ECONNREFUSED: <message>": the message does not say the code a second time.
    expect(error.message).toBe(`cannot connect to 127.0.0.1:${port}`);
    expect(error.mayHaveReachedServer).toBe(false);
    expect(error.retryable).toBe(true);
  });

  it('unresolvable host: never reached', async () => {
    const error = await failure(createHttpClient({ env: {} }).send(post('http://certvault-no-such-host.invalid/')));
    expect(['ENOTFOUND', 'EAI_AGAIN']).toContain(error.code);
    expect(error.mayHaveReachedServer).toBe(false);
  });

  it('timeout after the request was written: may have reached the server', async () => {
    let received = false;
    handler = (req) => {
      received = true;
      req.resume();
    };
    const error = await failure(createHttpClient({ env: {} }).send(post(`http://127.0.0.1:${plainPort}/`, { timeoutMs: 300 })));
    expect(received).toBe(true);
    expect(error.code).toBe('timeout');
    expect(error.mayHaveReachedServer).toBe(true);
    expect(error.retryable).toBe(true);
  });

  it('timeout during the TLS handshake: never reached', async () => {
    const silent = net.createServer((socket) => socket.on('data', () => undefined));
    const port = await listen(silent);
    try {
      const error = await failure(createHttpClient({ env: {}, timeoutMs: 300 }).send(post(`https://127.0.0.1:${port}/`)));
      expect(error.code).toBe('timeout');
      expect(error.mayHaveReachedServer).toBe(false);
    } finally {
      await close(silent);
    }
  });

  it('untrusted TLS certificate: never reached, not retryable', async () => {
    const error = await failure(createHttpClient({ env: {} }).send(post(`https://localhost:${securePort}/`)));
    expect(error.code).toBe('tls');
    expect(error.mayHaveReachedServer).toBe(false);
    expect(error.retryable).toBe(false);
  });

  it('connection reset after the request arrived: may have reached the server', async () => {
    handler = (req) => req.socket.destroy();
    const error = await failure(createHttpClient({ env: {} }).send(post(`http://127.0.0.1:${plainPort}/`)));
    expect(error.code).toBe('ECONNRESET');
    expect(error.mayHaveReachedServer).toBe(true);
  });

  it('cancellation by AbortSignal', async () => {
    handler = (req) => req.resume();
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);
    const error = await failure(createHttpClient({ env: {} }).send(post(`http://127.0.0.1:${plainPort}/`, { signal: controller.signal })));
    expect(error.code).toBe('aborted');
    expect(error.retryable).toBe(false);
  });

  it('an oversized answer is cut off', async () => {
    handler = (_req, res) => res.end(Buffer.alloc(64 * 1024, 'x'));
    const error = await failure(createHttpClient({ env: {}, maxResponseBytes: 16 * 1024 }).send(post(`http://127.0.0.1:${plainPort}/`)));
    expect(error.code).toBe('response_too_large');
    expect(error.retryable).toBe(false);
  });

  it('sendToCloud reports a transport failure as that cloud\'s network CloudError', async () => {
    const port = await freePort();
    const error = await sendToCloud('aliyun', createHttpClient({ env: {} }), post(`http://127.0.0.1:${port}/`)).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudError);
    const info = (error as CloudError).info;
    expect(info).toMatchObject({ cloud: 'aliyun', kind: 'network', code: 'ECONNREFUSED', mayHaveReachedServer: false, retryable: true });
    expect(info.hint['zh-CN']).not.toBe('');
  });
});

// Loopback is never proxied, so the proxied requests go to `cloud.test` (a reserved name, RFC 6761),
// which only this proxy knows to be 127.0.0.1.
function onThisMachine(host: string): string {
  return host === 'cloud.test' ? '127.0.0.1' : host;
}

describe('NodeHttpClient: proxies', () => {
  let proxy: http.Server;
  let proxyPort: number;
  const tunnels: string[] = [];
  const forwarded: string[] = [];
  let refuseTunnels = false;
  // Tunnelled sockets leave the server's connection tracking; close them ourselves.
  const tunnelSockets = new Set<net.Socket>();

  beforeAll(async () => {
    proxy = http.createServer((req, res) => {
      // Plain-http proxying: the request line carries the absolute URL.
      forwarded.push(req.url ?? '');
      const target = new URL(req.url ?? '');
      const upstream = http.request({ host: onThisMachine(target.hostname), port: target.port, path: `${target.pathname}${target.search}`, method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      req.pipe(upstream);
    });
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
      tunnelSockets.add(client);
      tunnels.push(`${req.url} auth=${req.headers['proxy-authorization'] ?? ''}`);
      if (refuseTunnels) {
        client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), onThisMachine(host ?? ''), () => {
        tunnelSockets.add(upstream);
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.pipe(client);
        client.pipe(upstream);
      });
      upstream.on('error', () => client.destroy());
    });
    proxyPort = await listen(proxy);
  });

  afterAll(async () => {
    for (const socket of tunnelSockets) socket.destroy();
    await close(proxy);
  });

  it('tunnels https through HTTPS_PROXY with CONNECT, keeping TLS end to end', async () => {
    handler = echo;
    tunnels.length = 0;
    const client = createHttpClient({ env: { HTTPS_PROXY: `http://user:p%40ss@127.0.0.1:${proxyPort}` }, ca: [tlsCert] });
    const response = await client.send(post(`https://cloud.test:${securePort}/x`));
    expect(JSON.parse(response.body).url).toBe('/x');
    expect(tunnels).toEqual([`cloud.test:${securePort} auth=Basic ${Buffer.from('user:p@ss').toString('base64')}`]);
  });

  it('sends plain http through HTTP_PROXY in absolute form', async () => {
    handler = echo;
    forwarded.length = 0;
    const response = await createHttpClient({ env: { http_proxy: `127.0.0.1:${proxyPort}` } }).send(post(`http://cloud.test:${plainPort}/y?z=1`));
    expect(JSON.parse(response.body).url).toBe('/y?z=1');
    expect(forwarded).toEqual([`http://cloud.test:${plainPort}/y?z=1`]);
  });

  it('goes direct for hosts in NO_PROXY', async () => {
    handler = echo;
    tunnels.length = 0;
    const env = { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: 'example.org, .test' };
    // Direct means this machine's resolver, which does not know cloud.test: the failure proves no proxy was asked.
    const error = await failure(createHttpClient({ env, ca: [tlsCert] }).send(post(`https://cloud.test:${securePort}/`)));
    expect(error.mayHaveReachedServer).toBe(false);
    expect(tunnels).toEqual([]);
  });

  it('never sends a loopback request to the proxy, whatever NO_PROXY says', async () => {
    handler = echo;
    tunnels.length = 0;
    forwarded.length = 0;
    const env = { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}`, HTTP_PROXY: `http://127.0.0.1:${proxyPort}`, NO_PROXY: 'example.org' };
    const client = createHttpClient({ env, ca: [tlsCert] });
    expect((await client.send(post(`https://localhost:${securePort}/a`))).status).toBe(200);
    expect((await client.send(post(`https://127.0.0.1:${securePort}/b`))).status).toBe(200);
    expect((await client.send(post(`http://127.0.0.1:${plainPort}/c`))).status).toBe(200);
    expect(tunnels).toEqual([]);
    expect(forwarded).toEqual([]);
  });

  it('a proxy refusing the tunnel: never reached, not retryable', async () => {
    refuseTunnels = true;
    try {
      const error = await failure(createHttpClient({ env: { HTTPS_PROXY: `http://127.0.0.1:${proxyPort}` } }).send(post(`https://cloud.test:${securePort}/`)));
      expect(error.code).toBe('proxy_refused');
      expect(error.mayHaveReachedServer).toBe(false);
    } finally {
      refuseTunnels = false;
    }
  });

  it('a proxy that is down: never reached', async () => {
    const port = await freePort();
    const error = await failure(createHttpClient({ env: { HTTPS_PROXY: `http://127.0.0.1:${port}` } }).send(post(`https://cloud.test:${securePort}/`)));
    expect(error.code).toBe('ECONNREFUSED');
    // Shown as "ECONNREFUSED: <message>": the message does not say the code a second time.
    expect(error.message).toBe(`cannot connect to proxy 127.0.0.1:${port}`);
    expect(error.mayHaveReachedServer).toBe(false);
  });
});
