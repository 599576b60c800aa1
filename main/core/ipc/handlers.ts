import type { Channel, Request, Response } from '../../../shared/ipc';
import type { HandlerContext } from './context';
import { inspectContent, inspectPaths } from '../inspect';

type Handlers = { readonly [C in Channel]: (ctx: HandlerContext, request: Request<C>) => Promise<Response<C>> };

// One plain function per channel. ipcMain, the CLI and the Playwright bridge all call these.
export const handlers: Handlers = {
  'app.info': async (ctx) => ({ version: ctx.appVersion, platform: ctx.platform, systemLocale: ctx.systemLocale }),
  'settings.get': async (ctx) => ctx.settings.get(),
  'settings.update': async (ctx, patch) => ctx.settings.update(patch),
  'files.choose': async (ctx, { purpose, folders }) => ({ paths: await ctx.dialogs.chooseFiles(purpose, folders ?? false) }),
  'inspect.paths': async (ctx, { paths, password }) => inspectPaths(paths, { password, now: ctx.now() }),
  'inspect.content': async (ctx, { files, text, password }) => inspectContent(files, text, { password, now: ctx.now() }),
};
