import { z } from 'zod';
import { VaultError } from '../../../shared/errors';
import type { CloudId } from '../../../shared/model';
import { isLoopback } from '../../clouds/loopback';
import type { CloudProvider } from '../../clouds/provider';

// Validation of the non-secret part of an account, field by field, with messages that name the
// field and say what is accepted. The cloud's own fields and option names come from its provider.

export interface AccountInput {
  readonly cloud: CloudId;
  readonly name: string;
  readonly region?: string | null;
  readonly endpoint?: string | null;
  readonly fields?: Readonly<Record<string, string>>;
  readonly defaultOptions?: Readonly<Record<string, unknown>>;
}

export interface ValidAccount {
  readonly cloud: CloudId;
  readonly name: string;
  readonly region: string | null;
  readonly endpoint: string | null;
  readonly fields: Readonly<Record<string, string>>;
  readonly defaultOptions: Readonly<Record<string, unknown>>;
}

const MAX_NAME = 64;
/** Upload options that hold a secret (Tencent's `keyPassword`). */
const SECRET_OPTION = /password|secret|token/i;
const MAX_FIELD = 256;

function invalid(field: string, reason: string): VaultError {
  return new VaultError('account.invalid', { field, reason });
}

function optionalText(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** Names are typed on command lines (`--to prod,staging`), so no commas and no edge spaces. */
export function validateName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw invalid('name', 'is empty');
  if (trimmed.length > MAX_NAME) throw invalid('name', `is longer than ${MAX_NAME} characters`);
  if (trimmed.includes(',')) throw invalid('name', 'must not contain a comma (commas separate names in `certvault upload --to`)');
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw invalid('name', 'contains a control character');
  return trimmed;
}

function validateRegion(region: string | null | undefined): string | null {
  const value = optionalText(region);
  if (value === null) return null;
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/i.test(value)) {
    throw invalid('region', `"${value.slice(0, 64)}" is not a region id (letters, digits and "-", e.g. ap-guangzhou, cn-north-4)`);
  }
  return value;
}

/** An https URL (private endpoints), or http on this machine (emulators); never one that carries credentials. */
export function validateEndpoint(endpoint: string | null | undefined): string | null {
  const value = optionalText(endpoint);
  if (value === null) return null;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid('endpoint', 'is not a URL; give one like https://ssl.tencentcloudapi.com or http://127.0.0.1:8080');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid('endpoint', `must start with https:// or http://, not ${url.protocol}//`);
  if (url.protocol === 'http:' && !isLoopback(url)) {
    throw invalid('endpoint', 'may use plain http:// only on this machine (127.0.0.1, localhost, [::1]): uploads carry private keys; use https://');
  }
  if (url.username || url.password) throw invalid('endpoint', 'must not contain a user name or password; secrets belong in the keychain');
  if (url.search || url.hash) throw invalid('endpoint', 'must not contain a query (?...) or fragment (#...)');
  return url.pathname === '/' ? url.origin : `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

function validateFields(provider: CloudProvider, fields: Readonly<Record<string, string>> | undefined): Record<string, string> {
  const known = new Map(provider.accountFields.map((field) => [field.key, field]));
  const result: Record<string, string> = {};
  for (const [key, raw] of Object.entries(fields ?? {})) {
    const field = known.get(key);
    if (!field) {
      const accepted = [...known.keys()].join(', ') || 'none';
      throw invalid(key, `is not a ${provider.id} account field (accepted: ${accepted})`);
    }
    if (typeof raw !== 'string') throw invalid(key, 'must be text');
    const value = raw.trim();
    if (value === '') continue;
    if (value.length > MAX_FIELD) throw invalid(key, `is longer than ${MAX_FIELD} characters`);
    if (/[\u0000-\u001f\u007f]/.test(value)) throw invalid(key, 'contains a control character');
    if (field.kind === 'choice' && field.choices && !field.choices.includes(value)) {
      throw invalid(key, `must be one of ${field.choices.join(', ')}`);
    }
    if (field.kind === 'number' && !/^-?\d+$/.test(value)) throw invalid(key, 'must be a whole number');
    result[key] = value;
  }
  return result;
}

/**
 * Defaults are a subset of the upload options: a unique name, for instance, is never a default.
 * So an object schema is checked with every key optional; unknown keys are still refused.
 *
 * Only the keys the user set are kept. `.partial()` still fills in the schema's `.default()`s
 * (Tencent `certificateType: 'SVR'`, Huawei `instanceId: 'common'`), and storing those would
 * override the cloud's own defaults for each certificate and account (a Huawei account's dedicated
 * gateway, a Volcengine account's project) and show on the account card as if the user chose them.
 */
export function validateDefaultOptions(provider: CloudProvider, options: Readonly<Record<string, unknown>> | undefined): Record<string, unknown> {
  const given = Object.entries(options ?? {}).filter(([, value]) => value !== undefined);
  if (given.length === 0) return {};
  // Defaults live in SQLite and go back to the window with every account: no place for a secret.
  const secret = given.find(([key]) => SECRET_OPTION.test(key));
  if (secret) throw invalid(`defaultOptions.${secret[0]}`, 'is a secret and is never stored with the account; give it with each upload');
  const schema = provider.optionsSchema instanceof z.ZodObject ? provider.optionsSchema.partial().strict() : provider.optionsSchema;
  const parsed = schema.safeParse(Object.fromEntries(given));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'defaultOptions';
    throw invalid(`defaultOptions.${where}`.replace(/^defaultOptions\.defaultOptions$/, 'defaultOptions'), issue?.message ?? 'is invalid');
  }
  const normalised = parsed.data as Record<string, unknown>;
  return Object.fromEntries(given.map(([key]) => [key, normalised[key]]).filter(([, value]) => value !== undefined));
}

/**
 * Clouds whose public API address has the region in its host name (Huawei APIG:
 * apig.<region>.myhuaweicloud.com), with the example the message gives. The others have a
 * region-less endpoint or a default region.
 */
const regionInEndpoint: Partial<Record<CloudId, string>> = { huawei: 'cn-north-4' };

export function validateAccountInput(input: AccountInput, provider: CloudProvider): ValidAccount {
  if (provider.id !== input.cloud) throw invalid('cloud', `provider mismatch (${provider.id} for ${input.cloud})`);
  const name = validateName(input.name);
  const region = validateRegion(input.region);
  const endpoint = validateEndpoint(input.endpoint);
  const example = regionInEndpoint[input.cloud];
  if (example && region === null && endpoint === null) {
    throw new VaultError('account.region_required', { field: 'region', cloud: provider.displayName.en, example });
  }
  return {
    cloud: input.cloud,
    name,
    region,
    endpoint,
    fields: validateFields(provider, input.fields),
    defaultOptions: validateDefaultOptions(provider, input.defaultOptions),
  };
}
