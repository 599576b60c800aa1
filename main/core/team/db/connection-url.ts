import { VaultError } from '../../../../shared/errors';

// A team vault's address as the user gives it: a libpq-style postgres:// URL. Only what Cert Vault
// acts on is accepted, so a typo (sslmode=verify_full) is an error rather than a silently
// unencrypted connection.

export const sslModes = ['disable', 'require', 'verify-full'] as const;
export type SslMode = (typeof sslModes)[number];

export interface TeamDbAddress {
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly sslmode: SslMode;
  /** PEM file of the CA that issued the server certificate (sslrootcert); else the system's CAs. */
  readonly caFile?: string | undefined;
}

export interface ParsedTeamUrl {
  readonly address: TeamDbAddress;
  /** The password written in the URL, if any; it goes to the keychain, never into settings. */
  readonly password: string | undefined;
}

const knownParameters = new Set(['sslmode', 'sslrootcert']);

export function parseTeamUrl(input: string): ParsedTeamUrl {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw invalid(input, 'it is not a URL');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw invalid(input, 'it must start with postgres://');
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw invalid(input, 'it names no host');
  const port = url.port ? Number(url.port) : 5432;
  const database = decodeURIComponent(url.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) throw invalid(input, 'it names no database (…:5432/DATABASE)');
  const user = decodeURIComponent(url.username);
  if (!user) throw invalid(input, 'it names no user (postgres://USER@host/…)');
  for (const key of url.searchParams.keys()) {
    if (!knownParameters.has(key)) throw invalid(input, `parameter "${key}" is not supported (only sslmode and sslrootcert)`);
  }
  const mode = url.searchParams.get('sslmode') ?? 'verify-full';
  if (!(sslModes as readonly string[]).includes(mode)) throw invalid(input, `sslmode must be one of ${sslModes.join(', ')}`);
  const caFile = url.searchParams.get('sslrootcert') ?? undefined;
  if (caFile !== undefined && mode !== 'verify-full') throw invalid(input, 'sslrootcert needs sslmode=verify-full');
  const password = url.password ? decodeURIComponent(url.password) : undefined;
  return { address: { host, port, database, user, sslmode: mode as SslMode, ...(caFile ? { caFile } : {}) }, password };
}

/** The URL to show and store: never a password. */
export function teamUrl(address: TeamDbAddress): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  const query = new URLSearchParams({ sslmode: address.sslmode, ...(address.caFile ? { sslrootcert: address.caFile } : {}) });
  return `postgres://${encodeURIComponent(address.user)}@${host}:${address.port}/${encodeURIComponent(address.database)}?${query.toString()}`;
}

export function hostPort(address: Pick<TeamDbAddress, 'host' | 'port'>): string {
  return address.host.includes(':') ? `[${address.host}]:${address.port}` : `${address.host}:${address.port}`;
}

/** The URL as typed, with any password blanked, for error messages. */
function withoutPassword(input: string): string {
  return input.replace(/^([a-z]+:\/\/[^:@/]*):[^@/]*@/i, '$1:***@').slice(0, 200);
}

function invalid(input: string, reason: string): VaultError {
  return new VaultError('team.invalid_url', { input: withoutPassword(input), reason });
}
