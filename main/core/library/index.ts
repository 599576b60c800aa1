import { vaultDbOf } from '../db/context-db';
import type { HandlerContext } from '../ipc/context';
import { osKeychain } from '../keychain';
import { LocalDataKeys } from './data-key';
import { Vault } from './vault';

export { Vault } from './vault';
export type { ImportOptions, ExportOptions, VaultOptions } from './vault';
export { keyFormats } from './export';
export { LocalDataKeys, type DataKeyProvider, type DataKeyStatus } from './data-key';

// The vault behind a handler context, made on first use: the Inspect screen and `certvault
// inspect` never open the database or touch the keychain. A context may bring its own vault
// (tests: one over an in-memory keychain); otherwise the vault is built once per context over
// the context's vault database (`vaultDbOf`, shared with every other store) and its data keys:
// the context's own (`ctx.dataKeys`: a team vault's), else the OS keychain's.

const opened = new WeakMap<HandlerContext, Vault>();

export function vaultOf(ctx: HandlerContext): Vault {
  if (ctx.vault) return ctx.vault();
  let vault = opened.get(ctx);
  if (!vault) {
    const vaultDb = vaultDbOf(ctx);
    const dataKeys = ctx.dataKeys ? ctx.dataKeys() : new LocalDataKeys(vaultDb, osKeychain());
    vault = Vault.over({ vaultDb, dataKeys, now: ctx.now });
    opened.set(ctx, vault);
  }
  return vault;
}

/** Forgets the library `vaultOf` made for `ctx` (the window switched vaults); its database is closed with the context's. */
export async function closeVaultOf(ctx: HandlerContext): Promise<void> {
  const vault = opened.get(ctx);
  opened.delete(ctx);
  await vault?.close();
}
