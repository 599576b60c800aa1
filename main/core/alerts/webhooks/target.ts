import { VaultError } from '../../../../shared/errors';
import { isLoopback } from '../../../clouds/loopback';

// Where a webhook posts: its URL (which carries the bot's token: WeCom `key`, DingTalk
// `access_token`, the Feishu and Slack path) and, for the bots that sign, the signing secret. Both
// are secrets: they go to the keychain only, and no message ever repeats them.

export const webhookKinds = ['wecom', 'dingtalk', 'feishu', 'slack', 'json'] as const;
export type WebhookKind = (typeof webhookKinds)[number];

export interface WebhookTarget {
  readonly url: string;
  readonly secret?: string;
}

/** Bots that have no signing secret: a secret given for them is a mistake worth saying. */
const unsigned: ReadonlySet<WebhookKind> = new Set(['wecom', 'slack']);

const MAX_URL_LENGTH = 2048;
const MAX_SECRET_LENGTH = 1024;

function invalid(field: string, reason: string): VaultError {
  return new VaultError('alert.invalid', { field, reason });
}

export function isWebhookKind(value: string): value is WebhookKind {
  return (webhookKinds as readonly string[]).includes(value);
}

function checkedUrl(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('url', 'a string is required');
  const text = value.trim();
  if (text.length > MAX_URL_LENGTH) throw invalid('url', `longer than ${MAX_URL_LENGTH} characters`);
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw invalid('url', 'not a URL; paste the whole webhook address, starting with https://');
  }
  // The URL holds the bot's token: plain http would hand it to anyone on the path.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url))) {
    throw invalid('url', 'must start with https:// (http:// only for 127.0.0.1, ::1 or localhost)');
  }
  if (url.username || url.password) throw invalid('url', 'must not carry a user name or password');
  return url.href;
}

function checkedSecret(value: unknown): string {
  if (typeof value !== 'string' || value.trim() === '') throw invalid('secret', 'must be a non-empty string when given');
  const text = value.trim();
  if (text.length > MAX_SECRET_LENGTH) throw invalid('secret', `longer than ${MAX_SECRET_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(text)) throw invalid('secret', 'contains a control character');
  return text;
}

/** `{"url","secret"?}` as `certvault alert add` reads it from stdin. */
export function webhookTargetFromJson(kind: WebhookKind, text: string): WebhookTarget {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text, which is the secret.
    throw invalid('stdin', 'not valid JSON; expected {"url":"https://…","secret":"…"} (secret optional)');
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid('stdin', 'expected a JSON object {"url","secret"?}');
  const record = parsed as Record<string, unknown>;
  const unknown = Object.keys(record).filter((key) => key !== 'url' && key !== 'secret');
  if (unknown.length > 0) throw invalid('stdin', `unexpected key ${JSON.stringify(unknown[0]!.slice(0, 40))}; accepted: "url", "secret"`);
  const url = checkedUrl(record.url);
  if (record.secret === undefined || record.secret === null) return { url };
  if (unsigned.has(kind)) throw invalid('secret', `a ${kind} webhook has no signing secret; give only the URL`);
  return { url, secret: checkedSecret(record.secret) };
}

/** The keychain entry's value. */
export function serializeTarget(target: WebhookTarget): string {
  return JSON.stringify(target.secret === undefined ? { url: target.url } : { url: target.url, secret: target.secret });
}

/** Reads back a keychain entry; a damaged entry is reported like a missing one. */
export function parseStoredTarget(text: string, name: string): WebhookTarget {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.url === 'string' && value.url) {
      return typeof value.secret === 'string' && value.secret ? { url: value.url, secret: value.secret } : { url: value.url };
    }
  } catch {
    // fall through: same answer as an entry with the wrong shape
  }
  throw new VaultError('alert.secret_missing', { name });
}
