import { existsSync } from 'node:fs';
import path from 'node:path';
import type { LibraryEntry } from '../../../shared/library';
import { DATABASE_FILE } from '../db/open';
import { vaultOf } from '../library';
import type { Vault } from '../library/vault';
import type { HandlerContext } from './context';

// What the inspector asks of the library when there is one: looking never creates the database
// (or touches the keychain), and a library that cannot be opened (busy, newer schema) only means
// the inspection goes without it.

async function fromLibrary<T>(ctx: HandlerContext, read: (vault: Vault) => Promise<T>, without: T): Promise<T> {
  if (!ctx.vault && !ctx.vaultDb && !existsSync(path.join(ctx.dataDir, DATABASE_FILE))) return without;
  try {
    return await read(vaultOf(ctx));
  } catch {
    return without;
  }
}

/**
 * The library's CA certificates for completing inspected chains, when there is a library: the
 * inspector never creates the database (or touches the keychain) just to look.
 */
export function libraryCas(ctx: HandlerContext): Promise<Buffer[]> {
  return fromLibrary(ctx, (vault) => vault.caCertificates(), []);
}

/** The library entry of a certificate seen elsewhere (a server's leaf), or null. */
export function libraryEntryWithFingerprint(ctx: HandlerContext, fingerprintSha256: string): Promise<LibraryEntry | null> {
  return fromLibrary(ctx, (vault) => vault.byFingerprint(fingerprintSha256), null);
}
