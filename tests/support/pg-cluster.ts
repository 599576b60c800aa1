import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

// A throwaway PostgreSQL cluster for tests: initdb in a temp folder, scram-sha-256 with a random
// superuser password, 127.0.0.1 on a free port (and a unix socket in the temp folder), stopped and
// removed at the end. No test ever touches a system database.
//
// PostgreSQL refuses to run as root. CI containers (and this dev box) run as root, so initdb and
// the server then run as `nobody` through setpriv (util-linux, on every Debian), in a folder that
// user owns. Without root they run as the current user.

const run = promisify(execFile);

export interface PgCluster {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly superuser: 'postgres';
  readonly password: string;
  /** The temp folder holding the data folder, the socket and the server log. */
  readonly dir: string;
  /** A postgres:// URL for `user` (default the superuser) on `database`, with the password in it. */
  url(options?: { database?: string; user?: string; password?: string; query?: string }): string;
  /** pg_ctl restart: every open connection is cut, the server comes back on the same port. */
  restart(): Promise<void>;
  /** Stops the server (fast: open connections are cut), keeping its data, until `start()`. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port. */
  start(): Promise<void>;
  /** Stops the server (immediately) and removes the folder; safe to call twice. */
  stop(): Promise<void>;
}

export interface PgClusterOptions {
  /** Serve TLS with this certificate chain and key (PEM); clients may still connect without it. */
  readonly tls?: { readonly certPem: string; readonly keyPem: string };
}

/** The folder with initdb and pg_ctl: $CERTVAULT_PG_BINDIR, Debian's newest /usr/lib/postgresql/N/bin, pg_config --bindir, or PATH. */
export function findPostgresBinDir(): string | null {
  const candidates: string[] = [];
  if (process.env.CERTVAULT_PG_BINDIR) candidates.push(process.env.CERTVAULT_PG_BINDIR);
  const debian = '/usr/lib/postgresql';
  if (fs.existsSync(debian)) {
    const versions = fs.readdirSync(debian).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    candidates.push(...versions.map((version) => path.join(debian, version, 'bin')));
  }
  try {
    candidates.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
  } catch {
    // pg_config comes with libpq-dev, which a server install does not need.
  }
  candidates.push(...(process.env.PATH ?? '').split(path.delimiter).filter(Boolean));
  return candidates.find((dir) => fs.existsSync(path.join(dir, 'initdb')) && fs.existsSync(path.join(dir, 'pg_ctl'))) ?? null;
}

interface Runner {
  /** argv prefix that runs a program as the server's user. */
  readonly prefix: readonly string[];
  readonly uid: number | null;
  readonly gid: number | null;
}

function serverUser(): Runner {
  if (process.getuid?.() !== 0) return { prefix: [], uid: null, gid: null };
  const uid = Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' }).trim());
  const gid = Number(execFileSync('id', ['-g', 'nobody'], { encoding: 'utf8' }).trim());
  return { prefix: ['setpriv', `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--'], uid, gid };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const live = new Set<() => void>();
// A worker that dies between start and teardown still takes its servers down with it.
process.once('exit', () => {
  for (const stopNow of live) stopNow();
});

export async function startPgCluster(options: PgClusterOptions = {}): Promise<PgCluster> {
  const bin = findPostgresBinDir();
  if (!bin) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found: install the Debian package "postgresql" or set CERTVAULT_PG_BINDIR');
  const runner = serverUser();
  // Root's os.tmpdir() may be a private folder `nobody` cannot enter; /tmp is world-traversable.
  const base = runner.uid === null ? os.tmpdir() : '/tmp';
  const dir = fs.mkdtempSync(path.join(base, 'certvault-pg-'));
  const dataDir = path.join(dir, 'data');
  const logFile = path.join(dir, 'server.log');
  const password = randomBytes(18).toString('base64url');
  const own = (file: string) => {
    if (runner.uid !== null && runner.gid !== null) fs.chownSync(file, runner.uid, runner.gid);
  };
  own(dir);
  const argv = (program: string, args: readonly string[]): [string, string[]] => {
    const [command, ...rest] = [...runner.prefix, path.join(bin, program), ...args];
    return [command!, rest];
  };
  // cwd too: a checkout under /root is not even enterable for `nobody`.
  const asServer = (program: string, args: readonly string[]) => run(...argv(program, args), { cwd: dir, env: { ...process.env, HOME: dir, LC_ALL: 'C.UTF-8' }, timeout: 60_000 });
  let port = 0;
  let stopped = false;
  const stopNow = () => {
    try {
      execFileSync(...argv('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']), { cwd: dir, stdio: 'ignore' });
    } catch {
      // Not running (never started, or already stopped).
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  live.add(stopNow);
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    live.delete(stopNow);
    try {
      await asServer('pg_ctl', ['-D', dataDir, '-m', 'immediate', '-w', 'stop']);
    } catch {
      // Not running: still remove the folder.
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const serverOptions = () =>
    [`-c port=${port}`, '-c listen_addresses=127.0.0.1', `-c unix_socket_directories=${dir}`, '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off', ...(options.tls ? ['-c ssl=on'] : [])].join(' ');
  const pgStart = async () => {
    try {
      await asServer('pg_ctl', ['-D', dataDir, '-l', logFile, '-w', '-t', '60', '-o', serverOptions(), 'start']);
    } catch (error) {
      const tail = fs.existsSync(logFile) ? fs.readFileSync(logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
      throw new Error(`pg_ctl start failed: ${error instanceof Error ? error.message : String(error)}\n${tail}`);
    }
  };
  try {
    const pwfile = path.join(dir, 'pwfile');
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    own(pwfile);
    await asServer('initdb', ['-D', dataDir, '-U', 'postgres', '-A', 'scram-sha-256', `--pwfile=${pwfile}`, '-E', 'UTF8', '--locale=C.UTF-8', '--no-sync']);
    fs.rmSync(pwfile);
    if (options.tls) {
      // The server insists its key is private to its own user.
      for (const [name, pem] of [['server.crt', options.tls.certPem], ['server.key', options.tls.keyPem]] as const) {
        const file = path.join(dataDir, name);
        fs.writeFileSync(file, pem, { mode: 0o600 });
        own(file);
      }
    }
    // Another process may take the free port between the probe and the bind: try a few.
    for (let attempt = 0; ; attempt++) {
      port = await freePort();
      try {
        await pgStart();
        break;
      } catch (error) {
        if (attempt >= 3) throw error;
      }
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    superuser: 'postgres',
    password,
    dir,
    url: ({ database = 'postgres', user = 'postgres', password: pass = password, query } = {}) =>
      `postgres://${encodeURIComponent(user)}:${encodeURIComponent(pass)}@127.0.0.1:${port}/${encodeURIComponent(database)}${query ? `?${query}` : ''}`,
    restart: async () => {
      await asServer('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
      await pgStart();
    },
    halt: async () => {
      await asServer('pg_ctl', ['-D', dataDir, '-m', 'fast', '-w', 'stop']);
    },
    start: pgStart,
    stop,
  };
}
