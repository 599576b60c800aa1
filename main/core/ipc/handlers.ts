import { PASTED_TEXT_SOURCE } from '../../../shared/model';
import type { Channel, Request, Response } from '../../../shared/ipc';
import type { HandlerContext } from './context';
import { entryDetailWithVerdicts } from '../cloud-verdicts';
import { vaultOf } from '../library';
import { uploadHandlers } from '../uploads/handlers';
import { backupHandlers } from '../backup/handlers';
import { inventoryHandlers } from '../inventory/handlers';
import { deployHandlers } from '../deploy/handlers';
import { filesThrough, parseInWorker, sourcesThrough, withParseWorker } from '../parse-worker/parse-worker';
import type { ImportOptions } from '../library/vault';
import { libraryCas } from './library-lookups';
import { tlsHandlers } from '../tls/handlers';
import { teamHandlers } from '../team/handlers';

type Handlers = { readonly [C in Channel]: (ctx: HandlerContext, request: Request<C>) => Promise<Response<C>> };

/** An import with its files read and parsed in the parse worker, one file's budget each. */
function importThroughWorker<T>(ctx: HandlerContext, run: (options: Pick<ImportOptions, 'parse' | 'parseFiles' | 'onProgress'>) => Promise<T>): Promise<T> {
  return withParseWorker((worker) =>
    run({ parse: sourcesThrough(worker, ctx.parseBudgetMs), parseFiles: filesThrough(worker, ctx.parseBudgetMs), onProgress: (p) => ctx.events.emit('import.progress', p) }),
  );
}

/** "the 3 files" or the one file's name, for a "took too long" message about a whole inspection. */
const inputsName = (names: readonly string[]): string => (names.length === 1 ? names[0]! : `${names.length} files`);

// One plain function per channel. ipcMain, the CLI and the Playwright bridge all call these.
export const handlers: Handlers = {
  'app.info': async (ctx) => ({ version: ctx.appVersion, platform: ctx.platform, systemLocale: ctx.systemLocale }),
  'settings.get': async (ctx) => ctx.settings.get(),
  'settings.update': async (ctx, patch) => ctx.settings.update(patch),
  'files.choose': async (ctx, { purpose, folders }) => ({ paths: await ctx.dialogs.chooseFiles(purpose, folders ?? false) }),
  'inspect.paths': async (ctx, { paths, password }) => parseInWorker({ kind: 'inspect', paths, password, now: ctx.now().toISOString(), libraryCas: await libraryCas(ctx) }, inputsName(paths), ctx.parseBudgetMs),
  'inspect.content': async (ctx, { files, text, password }) => {
    const names = [...files.map((f) => f.name), ...(text === undefined ? [] : [PASTED_TEXT_SOURCE])];
    return parseInWorker({ kind: 'inspect', files, text, password, now: ctx.now().toISOString(), libraryCas: await libraryCas(ctx) }, inputsName(names), ctx.parseBudgetMs);
  },
  'library.list': async (ctx, query) => vaultOf(ctx).listRows(query),
  'library.get': async (ctx, { id }) => entryDetailWithVerdicts(vaultOf(ctx), id),
  'library.status': async (ctx) => vaultOf(ctx).keychainStatus(),
  'library.resetDataKey': async (ctx) => {
    // The page's `{confirm: true}` proves nothing (a compromised page sends it too): main asks the user.
    const status = await vaultOf(ctx).resetDataKey((sealedKeys) => ctx.dialogs.confirmDataKeyReset(sealedKeys));
    ctx.events.emit('library.changed', { reason: 'keychain' });
    return status;
  },
  'library.import': async (ctx, { paths, ...options }) => {
    const result = await importThroughWorker(ctx, (through) => vaultOf(ctx).importPaths(paths, { ...options, ...through }));
    if (result.imported.length) ctx.events.emit('library.changed', { reason: 'import' });
    return result;
  },
  'library.importContent': async (ctx, { files, text, ...options }) => {
    const inputs = text === undefined ? files : [...files, { name: PASTED_TEXT_SOURCE, data: new TextEncoder().encode(text) }];
    const result = await importThroughWorker(ctx, (through) => vaultOf(ctx).importContent(inputs, { ...options, ...through }));
    if (result.imported.length) ctx.events.emit('library.changed', { reason: 'import' });
    return result;
  },
  'library.update': async (ctx, { id, baseUpdatedAt, ...patch }) => {
    const entry = await vaultOf(ctx).update(id, patch, baseUpdatedAt);
    ctx.events.emit('library.changed', { reason: 'update' });
    return entry;
  },
  'library.remove': async (ctx, { id }) => {
    const removed = await vaultOf(ctx).remove(id);
    ctx.events.emit('library.changed', { reason: 'delete' });
    return { id: removed.id };
  },
  'library.export': async (ctx, { id, format, path, password, legacy }) =>
    vaultOf(ctx).exportToFile(id, format, path, { password, legacy, reminderDays: ctx.settings.get().expiringWithinDays }),
  'files.chooseSave': async (ctx, { purpose, defaultName }) => ({ path: await ctx.dialogs.chooseSave(purpose, defaultName) }),
  ...uploadHandlers,
  ...backupHandlers,
  ...inventoryHandlers,
  ...deployHandlers,
  ...tlsHandlers,
  ...teamHandlers,
};
