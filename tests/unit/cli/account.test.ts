import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { log } from '../../../main/core/log';
import { certvault } from './io';

// `certvault account` against an endpoint on this machine. The secret comes from the environment
// (--secret-from-env), so no keychain is needed; the vault reads it from the process environment.

let home: string;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-account-'));
  log.setSink(null);
});
afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
  log.setSink((line) => process.stderr.write(`${line}\n`));
});

afterEach(() => vi.unstubAllEnvs());

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('certvault account test', () => {
  it('reports an unreachable endpoint in one line that names the cause once', async () => {
    const env = { TENCENTCLOUD_SECRET_ID: 'AKIDexample', TENCENTCLOUD_SECRET_KEY: 'not-a-real-secret' };
    for (const [name, value] of Object.entries(env)) vi.stubEnv(name, value);
    const port = await closedPort();
    const endpoint = `http://127.0.0.1:${port}`;
    const added = await certvault(['account', 'add', '--cloud', 'tencent', '--name', 'lab', '--endpoint', endpoint, '--secret-from-env'], { home, env });
    expect(added.code).toBe(0);
    const run = await certvault(['account', 'test', 'lab'], { home, env });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    // One line: the verdict, the cause, and what to do.
    expect(run.stdout).toBe(`lab: unreachable (ECONNREFUSED: cannot connect to 127.0.0.1:${port}) Nothing accepts connections at the endpoint. Check the endpoint (host and port) and any firewall.\n`);
    expect(run.stdout.match(/ECONNREFUSED/g)).toHaveLength(1);
  });
});
