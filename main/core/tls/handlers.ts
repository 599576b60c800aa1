import type { Channel, Request, Response } from '../../../shared/ipc';
import type { HandlerContext } from '../ipc/context';
import { libraryCas, libraryEntryWithFingerprint } from '../ipc/library-lookups';
import { parseInWorker } from '../parse-worker/parse-worker';
import { DEFAULT_PROBE_TIMEOUT_MS, readServed } from './read-served';

type TlsChannel = Extract<Channel, 'tls.served'>;
type Handlers = { readonly [C in TlsChannel]: (ctx: HandlerContext, request: Request<C>) => Promise<Response<C>> };

export const tlsHandlers: Handlers = {
  'tls.served': async (ctx, { domain, ip, port, timeoutSeconds }) => {
    const served = await readServed({
      domain,
      ...(ip ? { ip } : {}),
      ...(port === undefined ? {} : { port }),
      timeoutMs: timeoutSeconds === undefined ? DEFAULT_PROBE_TIMEOUT_MS : timeoutSeconds * 1000,
      ...(ctx.tlsResolver ? { resolve: ctx.tlsResolver } : {}),
    });
    // The served chain is inspected exactly like an opened file (in the parse worker: it is the
    // server's bytes), named after where it came from.
    const source = `${served.domain}:${served.port}`;
    const file = { name: source, data: new TextEncoder().encode(served.chainPem) };
    const inspection = await parseInWorker(
      { kind: 'inspect', files: [file], now: ctx.now().toISOString(), libraryCas: await libraryCas(ctx) },
      source,
      ctx.parseBudgetMs,
    );
    const entry = await libraryEntryWithFingerprint(ctx, served.leafFingerprintSha256);
    return { served, inspection, libraryId: entry?.id ?? null, libraryName: entry?.name ?? null };
  },
};
