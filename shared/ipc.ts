import { z } from 'zod';
import type { Result } from './errors';
import type { Inspection } from './model';
import { locales, type Locale } from './i18n';

// The IPC contract: channel -> request schema -> response type, and the push events.
// main/electron/ipc.ts validates every request with these schemas; the renderer's typed client
// (renderer/src/lib/api.ts) and the Playwright bridge are derived from the same map.

/** Declares a channel: the zod schema is checked at runtime, `Res` only at compile time. */
function channel<Req extends z.ZodType, Res>(request: Req): { request: Req; response?: Res } {
  return { request };
}

const MAX_INPUT_BYTES = 5 * 1024 * 1024;

export const limits = {
  maxInputBytes: MAX_INPUT_BYTES,
  maxFilesPerRequest: 1000,
  maxPasswordLength: 1024,
  maxTextLength: MAX_INPUT_BYTES,
} as const;

const password = z.string().max(limits.maxPasswordLength);

export const themes = ['system', 'light', 'dark'] as const;
export type Theme = (typeof themes)[number];

export interface Settings {
  readonly language: Locale | 'system';
  readonly theme: Theme;
  readonly expiringWithinDays: number;
}

export interface AppInfo {
  readonly version: string;
  readonly platform: string;
  /** The OS language, for `language: 'system'`. */
  readonly systemLocale: Locale;
}

export const contract = {
  'app.info': channel<z.ZodObject<{}>, AppInfo>(z.object({}).strict()),
  'settings.get': channel<z.ZodObject<{}>, Settings>(z.object({}).strict()),
  'settings.update': channel<z.ZodType<Partial<Settings>>, Settings>(
    z
      .object({
        language: z.enum([...locales, 'system']),
        theme: z.enum(themes),
        expiringWithinDays: z.number().int().min(1).max(3650),
      })
      .partial()
      .strict(),
  ),
  /** Opens the OS file dialog (main process); returns the chosen paths, empty when cancelled. */
  'files.choose': channel<z.ZodType<{ purpose: 'inspect' | 'import'; folders?: boolean }>, { paths: string[] }>(
    z.object({ purpose: z.enum(['inspect', 'import']), folders: z.boolean().optional() }).strict(),
  ),
  /** Inspect files on disk (paths from the dialog or the CLI). */
  'inspect.paths': channel<z.ZodType<{ paths: string[]; password?: string }>, Inspection>(
    z.object({ paths: z.array(z.string().min(1).max(4096)).min(1).max(limits.maxFilesPerRequest), password: password.optional() }).strict(),
  ),
  /** Inspect dropped files (their bytes) and/or pasted text. */
  'inspect.content': channel<
    z.ZodType<{ files: { name: string; data: Uint8Array }[]; text?: string; password?: string }>,
    Inspection
  >(
    z
      .object({
        files: z
          .array(z.object({ name: z.string().min(1).max(255), data: z.instanceof(Uint8Array) }).strict())
          .max(limits.maxFilesPerRequest),
        text: z.string().max(limits.maxTextLength).optional(),
        password: password.optional(),
      })
      .strict(),
  ),
} as const;

export type Channel = keyof typeof contract;
export type Request<C extends Channel> = z.infer<(typeof contract)[C]['request']>;
export type Response<C extends Channel> = NonNullable<(typeof contract)[C]['response']>;

export const channels = Object.keys(contract) as Channel[];

export function isChannel(value: unknown): value is Channel {
  return typeof value === 'string' && Object.hasOwn(contract, value);
}

/** Push events main -> renderer. */
export interface Events {
  'library.changed': { readonly reason: 'import' | 'update' | 'delete' };
}
export type EventName = keyof Events;
export const eventNames: readonly EventName[] = ['library.changed'];

/** The whole preload API, as the renderer sees it on `window.vault`. */
export interface VaultBridge {
  invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Result<Response<C>>>;
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void;
}
