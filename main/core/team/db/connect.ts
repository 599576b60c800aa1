import fs from 'node:fs';
import net from 'node:net';
import { X509Certificate } from 'node:crypto';
import type { ConnectionOptions } from 'node:tls';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { VaultError } from '../../../../shared/errors';
import { log } from '../../log';
import { hostPort, type TeamDbAddress } from './connection-url';
import type { TeamDatabase } from './schema';

// Connections to a team vault. The pg config is built field by field (never from the URL string)
// so sslmode means what Cert Vault documents, not pg's own reading of it, and the password never
// sits in a string that could reach a log.

export interface TeamConnection {
  readonly address: TeamDbAddress;
  readonly password: string;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** pg client settings for one connection (the pool's and the listener's). */
export function clientConfig({ address, password }: TeamConnection): pg.ClientConfig {
  return {
    host: address.host,
    port: address.port,
    database: address.database,
    user: address.user,
    password,
    ssl: tlsOptions(address),
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    application_name: 'Cert Vault',
  };
}

function tlsOptions(address: TeamDbAddress): false | ConnectionOptions {
  switch (address.sslmode) {
    case 'disable':
      return false;
    case 'require':
      // libpq's `require`: encrypted, server not verified.
      return { rejectUnauthorized: false };
    case 'verify-full':
      // SNI takes names only; an IP address is still checked against the certificate's IP SANs.
      return { rejectUnauthorized: true, ...(net.isIP(address.host) ? {} : { servername: address.host }), ...(address.caFile ? { ca: readCaFile(address.caFile) } : {}) };
  }
}

function readCaFile(file: string): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new VaultError('team.ca_unreadable', { file, reason: error instanceof Error && 'code' in error ? String(error.code) : 'unreadable' });
  }
  try {
    new X509Certificate(text);
  } catch {
    throw new VaultError('team.ca_unreadable', { file, reason: 'no PEM certificate in it' });
  }
  return text;
}

/** A Kysely over a small pool. Call `checkReachable` (or any query) to find out whether it works. */
export function openTeamDb(connection: TeamConnection): Kysely<TeamDatabase> {
  const config = clientConfig(connection);
  const pool = new pg.Pool({ ...config, max: 4, idleTimeoutMillis: 30_000 });
  // An idle pooled connection cut by a server restart is dropped by the pool; the next query opens a new one.
  pool.on('error', (error) => log.warn('team_db_idle_error', { address: hostPort(connection.address), reason: error.message }));
  return new Kysely<TeamDatabase>({ dialect: new PostgresDialect({ pool }) });
}

/**
 * Runs `work`, turning what pg throws into the VaultError a user can act on: unreachable, refused
 * login, TLS not trusted, or the server's own message for anything else.
 */
export async function teamDbCall<T>(address: TeamDbAddress, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    throw toTeamDbError(address, error);
  }
}

const unreachableCodes = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'ETIMEDOUT', 'ECONNRESET', 'EPIPE', '57P01', '57P02', '57P03']);
const tlsCodes = /^(ERR_TLS_|CERT_|UNABLE_TO_|SELF_SIGNED|DEPTH_ZERO|ERR_SSL)/;

export function toTeamDbError(address: TeamDbAddress, error: unknown): VaultError {
  if (error instanceof VaultError) return error;
  const where = hostPort(address);
  const code = error instanceof Error && 'code' in error ? String(error.code) : '';
  const message = error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : String(error);
  if (code === '28P01' || code === '28000') return new VaultError('team.auth_failed', { address: where, user: address.user });
  if (unreachableCodes.has(code)) return new VaultError('team.unreachable', { address: where, reason: code });
  // The server answered with its own error (a SQLSTATE): its message, whatever words it contains.
  if (error instanceof pg.DatabaseError) return new VaultError('team.database_error', { address: where, reason: message });
  if (tlsCodes.test(code) || /does not support SSL|certificate|Hostname\/IP does not match/i.test(message)) return new VaultError('team.tls_failed', { address: where, reason: message });
  if (/timeout|Connection terminated/i.test(message)) return new VaultError('team.unreachable', { address: where, reason: message });
  return new VaultError('team.database_error', { address: where, reason: message });
}
