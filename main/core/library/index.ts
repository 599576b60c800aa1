import type { HandlerContext } from '../ipc/context';
import { osKeychain } from '../keychain';
import { Vault } from './vault';

export { Vault } from './vault';
export type { ImportOptions, ExportOptions, VaultOptions } from './vault';
export { keyFormats } from './export';

// The vault behind a handler context, opened on first use: the Inspect screen and `certvault
// inspect` never open the database or touch the keychain. A context may bring its own vault
// (tests: one over an in-memory keychain); otherwise the vault in `ctx.dataDir` with the OS
// keychain is opened once per context.

const opened = new WeakMap<HandlerContext, Vault>();

export function vaultOf(ctx: HandlerContext): Vault {
  if (ctx.vault) return ctx.vault();
  let vault = opened.get(ctx);
  if (!vault) {
    vault = Vault.open({ dataDir: ctx.dataDir, secrets: osKeychain(), now: ctx.now });
    opened.set(ctx, vault);
  }
  return vault;
}

/** Closes the library `vaultOf` opened for `ctx` (the window switched vaults); an injected one is its owner's. */
export function closeVaultOf(ctx: HandlerContext): void {
  const vault = opened.get(ctx);
  opened.delete(ctx);
  vault?.close();
}
