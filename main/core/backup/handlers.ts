import type { Request, Response } from '../../../shared/ipc';
import { openDatabase } from '../db/open';
import type { HandlerContext } from '../ipc/context';
import { osKeychain } from '../keychain';
import { backupVault, restoreVault } from './index';

// vault.backup and vault.restore, spread into the handler map (main/core/ipc/handlers.ts). Each
// works on its own connection to the vault file, closed when done; the library's connection sees
// a restore at its next read. The passphrase is used and forgotten, never logged.

type BackupChannel = 'vault.backup' | 'vault.restore';

type BackupHandlers = { readonly [C in BackupChannel]: (ctx: HandlerContext, request: Request<C>) => Promise<Response<C>> };

async function withDatabase<T>(ctx: HandlerContext, work: (db: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T> {
  const db = openDatabase(ctx.dataDir);
  try {
    return await work(db);
  } finally {
    db.close();
  }
}

export const backupHandlers: BackupHandlers = {
  'vault.backup': (ctx, { path, passphrase, includeSecrets }) =>
    withDatabase(ctx, (db) => backupVault({ db, secrets: osKeychain(), file: path, passphrase, includeSecrets: includeSecrets ?? false, now: ctx.now() })),
  'vault.restore': async (ctx, { path, passphrase, replace }) => {
    const summary = await withDatabase(ctx, (db) => restoreVault({ db, secrets: osKeychain(), file: path, passphrase, replace: replace ?? false }));
    ctx.events.emit('library.changed', { reason: 'import' });
    return summary;
  },
};
