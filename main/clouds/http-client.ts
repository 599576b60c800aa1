import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import tls from 'node:tls';
import { TransportError, type HttpClient, type HttpRequest, type HttpResponse } from './http';
import { bareHostname } from './loopback';
import { defaultPort, proxyAuthorization, proxyFor, type Environment } from './proxy';

// The one HTTP client every cloud uses, on node:http only (no Electron net, no third-party agent).
//
// The connection (DNS, TCP, proxy CONNECT, TLS handshake) is opened BEFORE the request is handed to
// it. That split is what lets a failure say truthfully whether the upload may have reached the
// cloud: anything that fails while connecting provably sent nothing, so the orchestrator may retry
// it; anything after the first byte was written has an unknown fate and must be checked with the
// list call instead. One connection per request (no keep-alive pool) keeps that rule simple; the
// clouds' rate limits (10-100/s) make the saved handshakes irrelevant.

export interface HttpClientOptions {
  /** Whole-exchange deadline when a request does not give its own; default 30 s. */
  readonly timeoutMs?: number;
  /** Answers larger than this are cut off with `response_too_large`; default 16 MiB. */
  readonly maxResponseBytes?: number;
  /** Where HTTPS_PROXY / HTTP_PROXY / NO_PROXY are read; default `process.env`. */
  readonly env?: Environment;
  /** Extra trusted CAs (PEM) for private endpoints, added to Node's defaults. */
  readonly ca?: readonly string[];
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024;

/** Node error codes that mean "nothing was sent, and trying again later may work". */
const TRANSIENT_CONNECT_CODES = new Set(['ECONNREFUSED', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE']);

function nodeCode(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : 'ERR_NETWORK';
}

function isTlsVerificationCode(code: string): boolean {
  return /CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|ERR_TLS|ERR_SSL|HOSTNAME|ALTNAME/.test(code);
}

// The Node code travels as the error's code, which every reader (CLI, history, upload panel) shows
// beside the message: the messages below do not repeat it. The TLS one names the specific check
// that failed, since its code is only 'tls'.

/** A failure while connecting: the request was never written, so its fate is known (nothing happened). */
function connectFailure(error: unknown, where: string): TransportError {
  if (error instanceof TransportError) return error;
  const code = nodeCode(error);
  if (isTlsVerificationCode(code)) return new TransportError('tls', `TLS handshake with ${where} failed (${code})`, false, false);
  return new TransportError(code, `cannot connect to ${where}`, false, TRANSIENT_CONNECT_CODES.has(code));
}

/** A failure after the request was (possibly) written: the server may have acted on it. */
function exchangeFailure(error: unknown, where: string): TransportError {
  if (error instanceof TransportError) return error;
  const code = nodeCode(error);
  return new TransportError(code, `connection to ${where} failed during the request`, true, true);
}

interface Deadline {
  readonly signal: AbortSignal;
  /** The TransportError to report if `signal` fired, given how far the request got. */
  reason(sent: boolean): TransportError;
  dispose(): void;
}

function startDeadline(timeoutMs: number, outer: AbortSignal | undefined): Deadline {
  const controller = new AbortController();
  let cause: 'timeout' | 'aborted' | null = null;
  const fire = (why: 'timeout' | 'aborted') => {
    if (cause) return;
    cause = why;
    controller.abort();
  };
  const timer = setTimeout(() => fire('timeout'), timeoutMs);
  const onAbort = () => fire('aborted');
  if (outer?.aborted) fire('aborted');
  else outer?.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    reason: (sent) =>
      cause === 'aborted'
        ? new TransportError('aborted', 'request cancelled', sent, false)
        : new TransportError('timeout', `no answer within ${Math.round(timeoutMs / 1000)} s`, sent, true),
    dispose: () => {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onAbort);
    },
  };
}

/** Resolves when `socket` emits `readyEvent`; rejects on error or when the deadline fires. */
function whenReady<S extends net.Socket>(socket: S, readyEvent: string, deadline: Deadline, where: string): Promise<S> {
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.off(readyEvent, onReady);
      socket.off('error', onError);
      deadline.signal.removeEventListener('abort', onAbort);
    };
    const onReady = () => {
      cleanup();
      resolve(socket);
    };
    const onError = (error: Error) => {
      cleanup();
      socket.destroy();
      reject(connectFailure(error, where));
    };
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(deadline.reason(false));
    };
    socket.once(readyEvent, onReady);
    socket.once('error', onError);
    if (deadline.signal.aborted) onAbort();
    else deadline.signal.addEventListener('abort', onAbort, { once: true });
  });
}

export class NodeHttpClient implements HttpClient {
  private readonly timeoutMs: number;
  private readonly maxResponseBytes: number;
  private readonly env: Environment;
  private readonly ca: string[] | undefined;

  constructor(options: HttpClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.maxResponseBytes = options.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
    this.env = options.env ?? process.env;
    this.ca = options.ca ? [...tls.rootCertificates, ...options.ca] : undefined;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const deadline = startDeadline(request.timeoutMs ?? this.timeoutMs, request.signal);
    try {
      const proxy = proxyFor(request.url, this.env);
      const socket = await this.connect(request.url, proxy, deadline);
      return await this.exchange(request, proxy, socket, deadline);
    } finally {
      deadline.dispose();
    }
  }

  /** Opens the connection the request will be written to: direct, or through the proxy. */
  private async connect(url: URL, proxy: URL | null, deadline: Deadline): Promise<net.Socket> {
    const target = url.host;
    if (!proxy) return this.openSocket(bareHostname(url), defaultPort(url), url.protocol === 'https:', target, deadline);
    if (url.protocol === 'http:') {
      // Plain http through a proxy: the request goes to the proxy in absolute form (see exchange).
      return this.openSocket(bareHostname(proxy), defaultPort(proxy), proxy.protocol === 'https:', `proxy ${proxy.host}`, deadline);
    }
    const tunnel = await this.openTunnel(url, proxy, deadline);
    // `host` names whom the certificate must belong to: without it (an IP endpoint has no SNI name)
    // Node would check the certificate against the proxy's host name instead.
    const secured = tls.connect({ socket: tunnel, host: bareHostname(url), servername: tlsServerName(url), ca: this.ca });
    return whenReady(secured, 'secureConnect', deadline, target);
  }

  private openSocket(host: string, port: number, secure: boolean, where: string, deadline: Deadline): Promise<net.Socket> {
    if (!secure) return whenReady(net.connect({ host, port }), 'connect', deadline, where);
    const servername = net.isIP(host) ? undefined : host;
    return whenReady(tls.connect({ host, port, servername, ca: this.ca }), 'secureConnect', deadline, where);
  }

  /** An HTTP CONNECT tunnel to the target through the proxy; nothing of the request is sent yet. */
  private openTunnel(url: URL, proxy: URL, deadline: Deadline): Promise<net.Socket> {
    const authority = `${bareHostname(url).includes(':') ? `[${bareHostname(url)}]` : bareHostname(url)}:${defaultPort(url)}`;
    const authorization = proxyAuthorization(proxy);
    const transport = proxy.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const connectRequest = transport.request({
        host: bareHostname(proxy),
        port: defaultPort(proxy),
        method: 'CONNECT',
        path: authority,
        agent: false,
        headers: { host: authority, ...(authorization ? { 'proxy-authorization': authorization } : {}) },
        signal: deadline.signal,
      });
      connectRequest.once('connect', (response, socket) => {
        if (response.statusCode === 200) {
          resolve(socket);
          return;
        }
        socket.destroy();
        reject(new TransportError('proxy_refused', `proxy ${proxy.host} refused the tunnel to ${url.host} (HTTP ${response.statusCode})`, false, false));
      });
      connectRequest.once('error', (error) =>
        reject(deadline.signal.aborted ? deadline.reason(false) : connectFailure(error, `proxy ${proxy.host}`)),
      );
      connectRequest.end();
    });
  }

  private exchange(request: HttpRequest, proxy: URL | null, socket: net.Socket, deadline: Deadline): Promise<HttpResponse> {
    const url = request.url;
    const body = request.body === undefined ? undefined : Buffer.from(request.body, 'utf8');
    const viaHttpProxy = proxy !== null && url.protocol === 'http:';
    const authorization = viaHttpProxy ? proxyAuthorization(proxy) : undefined;
    const headers: Record<string, string> = {
      ...lowercaseKeys(request.headers),
      host: lowercaseKeys(request.headers).host ?? url.host,
      connection: 'close',
      ...(body ? { 'content-length': String(body.length) } : {}),
      ...(authorization ? { 'proxy-authorization': authorization } : {}),
    };
    const where = url.host;
    return new Promise<HttpResponse>((resolve, reject) => {
      let settled = false;
      const finish = (outcome: () => void) => {
        if (settled) return;
        settled = true;
        deadline.signal.removeEventListener('abort', onAbort);
        outcome();
      };
      const onAbort = () => {
        outgoing.destroy();
        socket.destroy();
        finish(() => reject(deadline.reason(true)));
      };
      const outgoing = http.request({
        method: request.method,
        path: viaHttpProxy ? url.href : `${url.pathname}${url.search}`,
        headers,
        setHost: false,
        createConnection: () => socket,
      });
      outgoing.once('error', (error) => finish(() => reject(deadline.signal.aborted ? deadline.reason(true) : exchangeFailure(error, where))));
      outgoing.once('response', (response) => {
        const chunks: Buffer[] = [];
        let size = 0;
        response.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > this.maxResponseBytes) {
            // Settle first: destroying the stream emits its own 'aborted'/'error'.
            finish(() =>
              reject(new TransportError('response_too_large', `answer from ${where} exceeded ${this.maxResponseBytes} bytes`, true, false)),
            );
            response.destroy();
            socket.destroy();
            return;
          }
          chunks.push(chunk);
        });
        response.once('error', (error) => finish(() => reject(exchangeFailure(error, where))));
        response.once('aborted', () => finish(() => reject(exchangeFailure(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }), where))));
        response.once('end', () =>
          finish(() =>
            resolve({
              status: response.statusCode ?? 0,
              headers: flattenHeaders(response.headers),
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          ),
        );
      });
      if (deadline.signal.aborted) onAbort();
      else deadline.signal.addEventListener('abort', onAbort, { once: true });
      outgoing.end(body);
    });
  }
}

function tlsServerName(url: URL): string | undefined {
  const host = bareHostname(url);
  return net.isIP(host) ? undefined : host;
}

function lowercaseKeys(headers: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function flattenHeaders(headers: http.IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  return new NodeHttpClient(options);
}
