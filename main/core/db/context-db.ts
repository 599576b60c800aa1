import type { HandlerContext } from '../ipc/context';
import { openSqliteVaultDb, type VaultDb } from './vault-db';

// One VaultDb per context (per process and vault), shared by every store. A Kysely transaction
// stays open across awaits; on SQLite it holds the file's write lock meanwhile. A second
// connection of the same process asking for that lock would wait synchronously (better-sqlite3's
// busy timeout blocks the thread), so the transaction it waits for could never finish: one
// connection, whose queries Kysely serialises, rules that out.

const opened = new WeakMap<HandlerContext, VaultDb>();

/** The context's vault database, opened on first use (a test may inject one with `ctx.vaultDb`). */
export function vaultDbOf(ctx: HandlerContext): VaultDb {
  if (ctx.vaultDb) return ctx.vaultDb();
  let vault = opened.get(ctx);
  if (!vault) {
    vault = openSqliteVaultDb(ctx.dataDir);
    opened.set(ctx, vault);
  }
  return vault;
}

/** Closes the database `vaultDbOf` opened for `ctx` (the window switched vaults); an injected one is its owner's. */
export async function closeVaultDbOf(ctx: HandlerContext): Promise<void> {
  const vault = opened.get(ctx);
  opened.delete(ctx);
  await vault?.close();
}
