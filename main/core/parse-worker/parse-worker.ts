// Parsing user files off the calling thread, with a wall-clock budget. The Electron main process
// and the CLI have one JavaScript thread each: a file that parses slowly (however it manages to)
// would freeze the window or the IPC loop. Here it runs in a worker thread; past the budget the
// worker is terminated (whatever it was computing stops at once) and the caller gets
// "took too long". One ParseWorker runs one job at a time and starts a fresh thread after a
// timeout, so a folder import goes on with the next file. Idle workers are kept (unreferenced, so
// they never keep a CLI process alive) for the next request: a thread boots in ~100 ms.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { isErrorCode, VaultError, type ErrorInfo } from '../../../shared/errors';
import type { CertificateFacts, ParsedSource } from '../library/material';
import type { FileBatchParser, ParseOutcome, SourceBatchParser } from '../library/parse-source';
import type { ParseJob, ParseResults } from './jobs';

/** Generous: an honest PKCS#12 at the 2,000,000-iteration cap takes a few seconds on a loaded machine. */
export const DEFAULT_PARSE_BUDGET_MS = 60_000;

type Reply = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly error: ErrorInfo };

export class ParseWorker {
  private worker: Promise<Worker> | null = null;
  private busy = false;

  /** Runs `job`; `file` names the input in a "took too long" error. */
  async run<J extends ParseJob>(job: J, file: string, budgetMs = DEFAULT_PARSE_BUDGET_MS): Promise<ParseResults[J['kind']]> {
    if (this.busy) throw new Error('ParseWorker runs one job at a time');
    this.busy = true;
    try {
      const worker = await (this.worker ??= startWorker()).catch((error: Error) => Promise.reject(this.lost(error)));
      worker.ref();
      return (await new Promise<unknown>((resolve, reject) => {
        const settle = (finish: () => void) => {
          clearTimeout(timer);
          worker.off('message', onMessage).off('error', onError).off('exit', onExit).unref();
          finish();
        };
        const onMessage = (reply: Reply) => settle(() => (reply.ok ? resolve(reply.value) : reject(fromInfo(reply.error))));
        const onError = (error: Error) => settle(() => reject(this.lost(error)));
        const onExit = (code: number) => settle(() => reject(this.lost(new Error(`parse worker exited with code ${code}`))));
        const timer = setTimeout(() => {
          settle(() => reject(new VaultError('input.too_slow', { file, seconds: Math.round(budgetMs / 100) / 10 })));
          void this.close();
        }, budgetMs);
        worker.on('message', onMessage).on('error', onError).on('exit', onExit);
        worker.postMessage(job);
      })) as ParseResults[J['kind']];
    } finally {
      this.busy = false;
    }
  }

  /** Stops the thread; the next job starts a new one. */
  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = null;
    await (await worker?.catch(() => null))?.terminate();
  }

  private lost(error: Error): Error {
    this.worker = null;
    return error;
  }
}

const idle: ParseWorker[] = [];
const MAX_IDLE = 2;

/** Lends an idle worker (or a new one) to `use`, and takes it back afterwards. */
export async function withParseWorker<T>(use: (worker: ParseWorker) => Promise<T>): Promise<T> {
  const worker = idle.pop() ?? new ParseWorker();
  try {
    return await use(worker);
  } finally {
    if (idle.length < MAX_IDLE) idle.push(worker);
    else await worker.close();
  }
}

/** One job in a pooled worker: what a single inspection needs. */
export function parseInWorker<J extends ParseJob>(job: J, file: string, budgetMs?: number): Promise<ParseResults[J['kind']]> {
  return withParseWorker((worker) => worker.run(job, file, budgetMs));
}

function fromInfo(info: ErrorInfo): VaultError {
  return isErrorCode(info.code) ? new VaultError(info.code, info.params) : new VaultError('internal');
}

/**
 * The worker script. Built (the app, the CLI): parse-worker.cjs beside the running bundle
 * (dist/main/, dist/cli/), taken from app.asar.unpacked in a packaged app (electron-builder.yml).
 * From source (vitest, `tsx main/cli/certvault.ts`): worker.ts itself, compiled on the fly by
 * tsx's CommonJS hook inside the thread, so tests need no build first.
 */
async function startWorker(): Promise<Worker> {
  const worker = newWorker();
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error) => {
      worker.off('message', onReady).off('error', done).off('exit', onExit);
      if (error) reject(error);
      else resolve();
    };
    const onReady = () => done();
    const onExit = (code: number) => done(new Error(`parse worker exited with code ${code} while starting`));
    worker.once('message', onReady).once('error', done).once('exit', onExit);
  });
  return worker;
}

/**
 * The worker's young generation, in MB. V8's default lets it grow to 16 MB per semi-space under
 * the allocation churn of a folder import, which stays in the process's peak RSS for the whole
 * import; what a parse keeps alive is a batch of files, far less. 8 MB saves about 8 MB of peak
 * RSS at no CPU cost measured (docs/performance.md, "Growth: import memory (fourth session)").
 */
const YOUNG_GENERATION_MB = 8;

function newWorker(): Worker {
  const options = { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } };
  const built = path.join(__dirname, 'parse-worker.cjs');
  const unpacked = built.replace(`${path.sep}app.asar${path.sep}`, `${path.sep}app.asar.unpacked${path.sep}`);
  if (existsSync(unpacked)) return new Worker(unpacked, options);
  if (existsSync(built)) return new Worker(built, options);
  // Evaluated code resolves modules from the working directory: the repository, wherever sources run.
  const source = path.join(__dirname, 'worker.ts');
  return new Worker(`require('tsx/cjs/api').register(); require(${JSON.stringify(source)});`, { ...options, eval: true });
}

/**
 * Parses import sources through `worker`, a batch per job; the bytes come back as Uint8Array and
 * are Buffers again. A batch past the budget is parsed again one file per job, each with the
 * budget, so only the slow file fails ("took too long", naming it) and the others are imported.
 */
export function sourcesThrough(worker: ParseWorker, budgetMs?: number): SourceBatchParser {
  return batchesThrough(worker, budgetMs, (inputs, password) => ({ kind: 'sources', inputs, ...(password === undefined ? {} : { password }) }), (input) => input.name);
}

/** Reads and parses a folder's files in `worker`, a batch per job, as `sourcesThrough` parses bytes. */
export function filesThrough(worker: ParseWorker, budgetMs?: number): FileBatchParser {
  return batchesThrough(worker, budgetMs, (files, password) => ({ kind: 'files', files, ...(password === undefined ? {} : { password }) }), (file) => file);
}

function batchesThrough<I>(
  worker: ParseWorker,
  budgetMs: number | undefined,
  job: (items: readonly I[], password: string | undefined) => Extract<ParseJob, { kind: 'sources' | 'files' }>,
  nameOf: (item: I) => string,
): (items: readonly I[], password: string | undefined) => Promise<ParseOutcome[]> {
  const run = async (items: readonly I[], password: string | undefined, name: string): Promise<ParseOutcome[]> =>
    (await worker.run(job(items, password), name, budgetMs)).map((outcome) => (outcome.ok ? { ok: true, value: asSource(outcome.value) } : { ok: false, error: fromInfo(outcome.error) }));
  const one = async (item: I, password: string | undefined): Promise<ParseOutcome> => {
    try {
      return (await run([item], password, nameOf(item)))[0]!;
    } catch (error) {
      return { ok: false, error };
    }
  };
  return async (items, password) => {
    if (items.length === 1) return [await one(items[0]!, password)];
    try {
      return await run(items, password, `${items.length} files`);
    } catch (error) {
      if (!(error instanceof VaultError && error.code === 'input.too_slow')) throw error;
      const each: ParseOutcome[] = [];
      for (const item of items) each.push(await one(item, password));
      return each;
    }
  };
}

function asSource(source: ParsedSource<CertificateFacts>): ParsedSource<CertificateFacts> {
  return {
    file: source.file,
    certificates: source.certificates.map((c) => ({ ...c, der: asBuffer(c.der) })),
    keys: source.keys.map((k) => ({ ...k, pkcs8: asBuffer(k.pkcs8) })),
  };
}

const asBuffer = (bytes: Uint8Array): Buffer => Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
