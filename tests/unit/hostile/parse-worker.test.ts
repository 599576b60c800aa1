// Parsing runs in a worker thread with a wall-clock budget: a slow input ends with "took too long"
// and, while it runs, the IPC loop keeps answering other requests. Under vitest the worker runs
// main/core/parse-worker/worker.ts through tsx (see startWorker); the built app and CLI run
// dist/*/parse-worker.cjs, which tests/unit/hostile/built-worker.test.ts exercises.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/core/ipc/dispatch';
import type { HandlerContext } from '../../../main/core/ipc/context';
import { log } from '../../../main/core/log';
import type { ImportResult } from '../../../shared/library';
import { openTestVault, type TestVault } from '../vault/helpers/vault';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-worker-'));
let slowKey: string;
let t: TestVault;

beforeAll(() => {
  log.setSink(null);
  // A PBES2 key at the iteration cap: honest, and a second or more of PBKDF2 in one synchronous call.
  execFileSync('openssl', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', path.join(dir, 'plain.pem')]);
  slowKey = path.join(dir, 'slow.pem');
  execFileSync('openssl', ['pkcs8', '-topk8', '-in', path.join(dir, 'plain.pem'), '-v2', 'aes-256-cbc', '-iter', '2000000', '-passout', 'pass:pw', '-out', slowKey]);
  t = openTestVault();
});
afterAll(() => {
  t.cleanup();
  fs.rmSync(dir, { recursive: true, force: true });
});

function context(parseBudgetMs?: number): HandlerContext {
  return {
    dataDir: t.dir,
    appVersion: 'test',
    platform: 'linux',
    systemLocale: 'en',
    dialogs: { chooseFiles: async () => [], chooseSave: async () => null, confirmEndpoint: async () => false, confirmAccount: async () => false, confirmDataKeyReset: async () => false },
    events: { emit: () => undefined },
    settings: { get: () => ({}) as never, update: () => ({}) as never },
    now: () => new Date(),
    vault: () => t.vault,
    ...(parseBudgetMs === undefined ? {} : { parseBudgetMs }),
  };
}

describe('parse worker', () => {
  it('answers another request while a slow inspection runs', async () => {
    const ctx = context();
    let inspected = false;
    const slow = dispatch(ctx, 'inspect.paths', { paths: [slowKey], password: 'pw' }).then((result) => {
      inspected = true;
      return result;
    });
    // With parsing on this thread the synchronous PBKDF2 would hold the loop until it ended.
    const info = await dispatch(ctx, 'app.info', {});
    expect(info.ok).toBe(true);
    expect(inspected).toBe(false);
    const result = await slow;
    expect(result).toMatchObject({ ok: true, value: { privateKeys: [{ keyAlgorithm: 'EC' }] } });
  });

  it('stops an inspection over budget with "took too long", naming the file', async () => {
    const result = await dispatch(context(50), 'inspect.paths', { paths: [slowKey], password: 'pw' });
    expect(result).toMatchObject({ ok: false, error: { code: 'input.too_slow', params: { file: slowKey, seconds: 0.1 } } });
    if (!result.ok) expect(result.error.message).toBe(`Reading ${slowKey} took too long: stopped after 0.1 s. The file is damaged or crafted to keep the app busy.`);
  });

  // The budget is well under the slow key's time on a fast machine (2,000,000 PBKDF2 rounds: 275 ms
  // with SHA extensions; 300 ms let it through) and far above a certificate's parse.
  it('fails only the slow file of an import and goes on with the next', async () => {
    const cert = path.join(dir, 'cert.pem');
    execFileSync('openssl', ['req', '-x509', '-key', path.join(dir, 'plain.pem'), '-subj', '/CN=worker.test', '-days', '2', '-out', cert]);
    const result = await dispatch(context(100), 'library.import', { paths: [slowKey, cert], password: 'pw' });
    expect(result.ok).toBe(true);
    const value = (result as { value: ImportResult }).value;
    expect(value.failed).toEqual([{ file: slowKey, error: expect.objectContaining({ code: 'input.too_slow' }) }]);
    expect(value.imported).toHaveLength(1);
  });
});
