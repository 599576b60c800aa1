// The loopback HTTP plumbing every cloud emulator shares: listen on 127.0.0.1, read the whole
// request, apply the faults a test injected, answer JSON. The cloud modules only decide what a
// request means and what the cloud would answer.

import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { CertificateStore } from './store';
import { DeployEmulation } from './deploy';

/** A secret pair the emulator accepts, with the STS token it then requires. */
export interface EmulatorCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

export interface EmulatorOptions {
  /** 0 or absent: a random free port. */
  readonly port?: number;
  /** Delay before every answer (faults.latencyMs can change it later). */
  readonly latencyMs?: number;
  /** Accepted accounts; each cloud has a default pair (see credentials.ts). */
  readonly credentials?: readonly EmulatorCredential[];
  /** The emulator's clock, for timestamp-window tests. */
  readonly now?: () => Date;
  /**
   * Enforce the cloud's documented requests per second as a strict cloud would: a request arriving
   * when this many were answered in the last 1000 ms gets the cloud's throttling answer.
   */
  readonly requestsPerSecond?: number;
}

export interface IncomingCall {
  readonly method: string;
  /** Absolute URL built from the Host actually received (proxy absolute-form requests keep theirs). */
  readonly url: URL;
  /** The Host header exactly as received: the value the client had to sign. */
  readonly host: string;
  /** Lowercased names; repeated headers joined with ',' as Node does. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
}

export interface Reply {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export type FaultKind = 'throttle' | 'auth' | 'server' | 'hang' | 'error';

export interface FaultSpec {
  readonly kind: FaultKind;
  /** How many matching requests it applies to (default 1). */
  readonly count?: number;
  /** Only requests of this operation ('UploadCertificate', 'CreateCertificateV2', ...). */
  readonly operation?: string;
  /** Let this many matching requests through first (a failing third page: after 2). */
  readonly after?: number;
  /** Override the cloud's default code / HTTP status / message for this kind ('error' needs a code). */
  readonly code?: string;
  readonly status?: number;
  readonly message?: string;
}

export interface FaultOverride {
  readonly code?: string;
  readonly status?: number;
  readonly message?: string;
}

/** A fault as the cloud module must render it: an error answer in the cloud's own shape. */
export type ErrorFault = Exclude<FaultKind, 'hang'>;

/** What tests use to make the next requests fail. */
export class Faults {
  latencyMs: number;
  private readonly holds = new Map<string, { reached: () => void; released: Promise<void> }>();
  private readonly queue: { spec: FaultSpec; remaining: number; skip: number }[] = [];

  constructor(latencyMs = 0) {
    this.latencyMs = latencyMs;
  }

  inject(spec: FaultSpec): void {
    if (spec.kind === 'error' && spec.code === undefined) throw new Error("a fault of kind 'error' needs a code");
    this.queue.push({ spec, remaining: spec.count ?? 1, skip: spec.after ?? 0 });
  }

  /** The next `count` requests are throttled with the cloud's own code and status. */
  throttle(count = 1, operation?: string): void {
    this.inject({ kind: 'throttle', count, ...(operation === undefined ? {} : { operation }) });
  }

  /** The next `count` requests fail authentication whatever their signature. */
  authFailure(count = 1, operation?: string): void {
    this.inject({ kind: 'auth', count, ...(operation === undefined ? {} : { operation }) });
  }

  /** The next `count` requests get the cloud's 5xx answer. */
  serverError(count = 1, operation?: string): void {
    this.inject({ kind: 'server', count, ...(operation === undefined ? {} : { operation }) });
  }

  /**
   * The next `count` requests are processed (an upload IS stored) but never answered: the
   * unknown-fate case a client timeout must report as "may have reached the server".
   */
  hangAfterReceive(count = 1, operation?: string): void {
    this.inject({ kind: 'hang', count, ...(operation === undefined ? {} : { operation }) });
  }

  /**
   * The next request of `operation` is received and then held, unanswered and not yet acted on,
   * until `release()`: a test does something while the cloud is in the middle of a call.
   */
  hold(operation: string): { reached: Promise<void>; release(): void } {
    let reached!: () => void;
    let release!: () => void;
    const held = { reached: new Promise<void>((resolve) => (reached = resolve)), released: new Promise<void>((resolve) => (release = resolve)) };
    this.holds.set(operation, { reached, released: held.released });
    return { reached: held.reached, release };
  }

  /** Waits out the hold on `operation`, if one is set (it applies once). */
  async passHold(operation: string): Promise<void> {
    const hold = this.holds.get(operation);
    if (!hold) return;
    this.holds.delete(operation);
    hold.reached();
    await hold.released;
  }

  clear(): void {
    this.queue.length = 0;
    this.latencyMs = 0;
  }

  pending(): number {
    return this.queue.reduce((sum, entry) => sum + entry.remaining, 0);
  }

  /** Consumes and returns the fault for this request, if one applies. */
  take(operation: string): FaultSpec | null {
    let index = -1;
    this.queue.forEach((candidate, position) => {
      if (candidate.spec.operation !== undefined && candidate.spec.operation !== operation) return;
      // A fault still letting requests through counts this one and does not apply to it.
      if (candidate.skip > 0) candidate.skip -= 1;
      else if (index < 0) index = position;
    });
    if (index < 0) return null;
    const entry = this.queue[index]!;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.queue.splice(index, 1);
    return entry.spec;
  }
}

export interface RecordedCall {
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly host: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyBytes: number;
  /** 'ok', the cloud error code answered, or 'hang'. */
  readonly outcome: string;
  readonly status: number | null;
}

/**
 * A cloud resource serving a certificate (a CDN domain, a CLB listener, an APIG domain), seeded by
 * a test. `instance` is the item in the cloud's own shape; each emulator adds what it derives.
 */
export interface BoundResource {
  /** The access key id whose account holds it. */
  readonly account: string;
  /** The certificate it serves; '' for a resource serving none. Deploy actions replace the entry (deploy.ts rebindResource). */
  readonly certificateId: string;
  /** The cloud's resource type: Tencent 'clb', 'cdn'...; Alibaba 'CDN', 'SLB'...; 'apig-domain'; 'live-domain'. */
  readonly type: string;
  /** '' where the type is not regional. */
  readonly region: string;
  readonly instance: Readonly<Record<string, unknown>>;
}

/** An asynchronous discovery task (Tencent's bind-resource sync task). */
export interface EmulatedTask {
  readonly id: string;
  readonly account: string;
  readonly certificateId: string;
  /** Result polls answered so far. */
  polls: number;
}

/** What a test can read back: everything uploaded, and every call in order. */
export class EmulatorState {
  readonly store = new CertificateStore();
  readonly calls: RecordedCall[] = [];
  readonly resources: BoundResource[] = [];
  readonly tasks = new Map<string, EmulatedTask>();
  /** How many result polls a discovery task answers "still running" before it is done. */
  taskPollsBeforeDone = 1;
  /** Deploy tasks and their fault knobs (deploy.ts). */
  readonly deploy = new DeployEmulation();
  /** Moves the emulator's clock against the client's, for timestamp-window tests. */
  clockOffsetMs = 0;
  /** Requests refused for going over `requestsPerSecond`. */
  throttled = 0;
  private readonly clock: () => Date;

  constructor(clock: () => Date) {
    this.clock = clock;
  }

  now(): Date {
    return new Date(this.clock().getTime() + this.clockOffsetMs);
  }

  /** Forgets every upload, call and clock offset (between tests sharing one emulator). */
  reset(): void {
    this.store.clear();
    this.calls.length = 0;
    this.resources.length = 0;
    this.tasks.clear();
    this.taskPollsBeforeDone = 1;
    this.deploy.reset();
    this.clockOffsetMs = 0;
    this.throttled = 0;
  }

  callsOf(operation: string): RecordedCall[] {
    return this.calls.filter((call) => call.operation === operation);
  }
}

/** What each cloud module supplies. */
export interface CloudBehaviour {
  /** The operation name a request asks for, for fault targeting and the call log. */
  operationOf(call: IncomingCall): string;
  /** The cloud's own error answer for an injected fault. */
  faultReply(kind: ErrorFault, override: FaultOverride, call: IncomingCall): Reply;
  /** Verify, then do what the cloud would do. */
  handle(call: IncomingCall): Reply;
  /** The cloud code of an error reply, for the call log ('ok' on success). */
  outcomeOf(reply: Reply): string;
}

export interface RunningEmulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  readonly state: EmulatorState;
  readonly faults: Faults;
  close(): Promise<void>;
}

// Alibaba's official client sends Cert and Key in the URL query: a chain plus key is ~20 KB of
// request line, over Node's default 16 KiB header limit (which would answer 431).
const MAX_HEADER_BYTES = 256 * 1024;
const MAX_BODY_BYTES = 12 * 1024 * 1024;

export async function startEmulator(
  options: EmulatorOptions,
  makeBehaviour: (state: EmulatorState) => CloudBehaviour,
): Promise<RunningEmulator> {
  const state = new EmulatorState(options.now ?? (() => new Date()));
  const faults = new Faults(options.latencyMs ?? 0);
  const behaviour = makeBehaviour(state);
  const limit = options.requestsPerSecond === undefined ? null : new SlidingSecond(options.requestsPerSecond);

  const server = http.createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (req, res) => {
    readCall(req)
      .then(async (call) => {
        if (call === null) {
          res.writeHead(413).end();
          return;
        }
        if (faults.latencyMs > 0) await sleep(faults.latencyMs);
        const operation = behaviour.operationOf(call);
        await faults.passHold(operation);
        const overLimit = limit !== null && !limit.admit(performance.now());
        if (overLimit) state.throttled += 1;
        const fault = overLimit ? ({ kind: 'throttle' } as const) : faults.take(operation);
        const reply =
          fault === null || fault.kind === 'hang'
            ? behaviour.handle(call)
            : behaviour.faultReply(fault.kind, fault, call);
        const hang = fault?.kind === 'hang';
        state.calls.push({
          operation,
          method: call.method,
          path: call.url.pathname,
          host: call.host,
          headers: call.headers,
          bodyBytes: call.body.length,
          outcome: hang ? 'hang' : behaviour.outcomeOf(reply),
          status: hang ? null : reply.status,
        });
        // Hang: the work is done (an upload is stored) and the answer is never written.
        if (!hang) sendJson(res, reply);
      })
      .catch((error: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(`emulator bug: ${error instanceof Error ? error.message : String(error)}`);
      });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    state,
    faults,
    close: () =>
      new Promise<void>((resolve) => {
        // Hanging requests and keep-alive sockets would keep close() waiting forever.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Admits at most `limit` requests in any 1000 ms; refused ones do not count. */
class SlidingSecond {
  private readonly admitted: number[] = [];

  constructor(private readonly limit: number) {}

  admit(now: number): boolean {
    while (this.admitted.length > 0 && this.admitted[0]! <= now - 1000) this.admitted.shift();
    if (this.admitted.length >= this.limit) return false;
    this.admitted.push(now);
    return true;
  }
}

async function readCall(req: http.IncomingMessage): Promise<IncomingCall | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const host = headers.host ?? '';
  // A proxy-style client (Volcengine's SDK with VOLC_PROXY_PORT) sends an absolute-form target.
  const target = req.url ?? '/';
  const url = /^https?:\/\//i.test(target) ? new URL(target) : new URL(target, `http://${host || 'localhost'}`);
  return { method: req.method ?? 'GET', url, host, headers, body: Buffer.concat(chunks) };
}

function sendJson(res: http.ServerResponse, reply: Reply): void {
  // 204 No Content (Huawei's attach, detach and delete): no body at all, as the cloud sends.
  if (reply.status === 204) {
    res.writeHead(204, { ...reply.headers });
    res.end();
    return;
  }
  const body = Buffer.from(JSON.stringify(reply.body));
  res.writeHead(reply.status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(body.length),
    ...reply.headers,
  });
  res.end(body);
}

/** Seconds between two instants, absolute. */
export function skewSeconds(a: Date, b: Date): number {
  return Math.abs(a.getTime() - b.getTime()) / 1000;
}
