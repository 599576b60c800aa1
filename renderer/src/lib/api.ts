import type { Channel, EventName, Events, Request, Response, VaultBridge } from '../../../shared/ipc';
import type { ErrorInfo, Result } from '../../../shared/errors';

// The typed client every screen uses: `api.inspect.content({...})` instead of a channel string.
// Its shape is derived from the contract in shared/ipc.ts, so a new channel appears here by itself
// and a misspelt one does not compile. Failures come back as values (`{ok: false, error}`), never
// as exceptions, including a missing or broken bridge.

declare global {
  interface Window {
    readonly vault?: VaultBridge;
  }
}

type Namespace = Channel extends `${infer N}.${string}` ? N : never;
type MethodOf<N extends string> = Channel extends infer C ? (C extends `${N}.${infer M}` ? M : never) : never;
type ChannelOf<N extends string, M extends string> = Extract<`${N}.${M}`, Channel>;

/** Channels whose request is an empty object may be called without one. */
type Call<C extends Channel> = Record<never, never> extends Request<C>
  ? (request?: Request<C>) => Promise<Result<Response<C>>>
  : (request: Request<C>) => Promise<Result<Response<C>>>;

export type Api = {
  readonly [N in Namespace]: { readonly [M in MethodOf<N>]: Call<ChannelOf<N, M>> };
} & {
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
};

function bridgeMissing(): ErrorInfo {
  return { code: 'internal', message: 'The Cert Vault back end is not connected.', params: {} };
}

async function invoke(channel: Channel, request: unknown): Promise<Result<unknown>> {
  const bridge = window.vault;
  if (!bridge) return { ok: false, error: bridgeMissing() };
  try {
    return await bridge.invoke(channel, request as Request<typeof channel>);
  } catch {
    // The preload never rejects by design; if IPC itself breaks, the user still gets a message.
    return { ok: false, error: { code: 'internal', message: 'The request to the Cert Vault back end failed.', params: {} } };
  }
}

function on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
  return window.vault?.on(event, listener) ?? (() => {});
}

// A two-level proxy turns `api.<namespace>.<method>` into the channel `<namespace>.<method>`; it
// keeps the channel list (and the zod schemas beside it) out of the renderer bundle.
function namespace(name: string): object {
  return new Proxy(
    {},
    {
      get: (_target, method) =>
        typeof method === 'string' ? (request: unknown = {}) => invoke(`${name}.${method}` as Channel, request) : undefined,
    },
  );
}

export const api = new Proxy({ on } as Api, {
  get: (target, key) => (key === 'on' ? target.on : typeof key === 'string' ? namespace(key) : undefined),
});
