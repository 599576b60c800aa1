// Shared by the inspector tests: fixture paths, reading inputs, and openssl as the oracle.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { VaultError } from '../../../shared/errors';
import type { InputFile } from '../../../main/core/inspect';
import { sm2FixturesDir } from '../../fixtures/paths';

export const generated = join(import.meta.dirname, '..', '..', 'fixtures', 'generated');
export const variants = join(generated, 'variants');
export const sm2Dir = sm2FixturesDir;
export const mozillaDir = '/usr/share/ca-certificates/mozilla';

export const keyTypes = ['rsa2048', 'rsa4096', 'p256', 'p384', 'p521', 'ed25519', 'ed448'] as const;
export type KeyType = (typeof keyTypes)[number];

/** Within the fixtures' validity windows (leaf 2025-2035, CAs 2024-2044). */
export const NOW = new Date('2026-06-01T00:00:00Z');
export const PASSWORD = 'secret';

export function input(path: string, name = path): InputFile {
  return { name, data: new Uint8Array(readFileSync(path)) };
}

export interface OpensslFacts {
  fingerprintSha256: string;
  serialNumber: string;
  notBefore: string;
  notAfter: string;
  sans: { dns: string[]; ip: string[]; email: string[]; uri: string[] };
}

/** What `openssl x509` says about a certificate, normalised to the inspector's formats. */
export function opensslFacts(path: string, inform: 'PEM' | 'DER' = 'PEM'): OpensslFacts {
  const out = execFileSync(
    'openssl',
    ['x509', '-in', path, '-inform', inform, '-noout', '-fingerprint', '-sha256', '-serial', '-dates', '-ext', 'subjectAltName'],
    // stderr: openssl complains "No extensions in certificate" for CAs without SANs.
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const field = (name: string) => new RegExp(`^${name}=(.*)$`, 'm').exec(out)?.[1]?.trim() ?? '';
  const sanLine = /Subject Alternative Name:.*\n\s+(.*)/.exec(out)?.[1] ?? '';
  const sans = { dns: [] as string[], ip: [] as string[], email: [] as string[], uri: [] as string[] };
  for (const entry of sanLine.split(', ').filter(Boolean)) {
    const [kind, ...rest] = entry.split(':');
    const value = rest.join(':');
    if (kind === 'DNS') sans.dns.push(value);
    else if (kind === 'IP Address') sans.ip.push(expandIp(value));
    else if (kind === 'email') sans.email.push(value);
    else if (kind === 'URI') sans.uri.push(value);
  }
  return {
    fingerprintSha256: (/Fingerprint=(.*)$/m.exec(out)?.[1] ?? '').replace(/:/g, '').toLowerCase(),
    serialNumber: field('serial').toLowerCase().replace(/^0+(?=.)/, ''),
    notBefore: new Date(field('notBefore')).toISOString(),
    notAfter: new Date(field('notAfter')).toISOString(),
    sans,
  };
}

/** "2001:db8::10" and "2001:DB8:0:0:0:0:0:10" both become "2001:db8:0:0:0:0:0:10". */
export function expandIp(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail = ''] = ip.toLowerCase().split('::');
  const left = head ? head.split(':') : [];
  const right = ip.includes('::') && tail ? tail.split(':') : [];
  const middle = ip.includes('::') ? Array(8 - left.length - right.length).fill('0') : [];
  return [...left, ...middle, ...right].map((g) => parseInt(g, 16).toString(16)).join(':');
}

/** Runs `fn` and returns the VaultError it throws (failing the test if it throws anything else or nothing). */
export async function vaultError(fn: () => Promise<unknown>): Promise<VaultError> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof VaultError) return error;
    throw new Error(`expected a VaultError, got ${String(error)}`);
  }
  throw new Error('expected a VaultError, nothing was thrown');
}
