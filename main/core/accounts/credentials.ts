import { VaultError } from '../../../shared/errors';
import type { CloudId } from '../../../shared/model';
import type { CloudCredentials } from '../../clouds/provider';

// Secrets arrive as JSON (CLI stdin, the accounts form) in whichever spelling the user's cloud
// console or SDK uses, or from each cloud's usual environment variables. Whatever the input, the
// result is one shape, and no error message ever repeats a value that was given.

const MAX_SECRET_LENGTH = 4096;
/** STS tokens are long (Alibaba's exceed 1 KB; Huawei's security tokens several KB). */
const MAX_TOKEN_LENGTH = 16_384;

/** [id key, secret key] pairs, in the order they are tried. */
const spellings: readonly (readonly [string, string])[] = [
  ['secretId', 'secretKey'],
  ['accessKeyId', 'accessKeySecret'],
  ['accessKeyId', 'secretAccessKey'],
  ['ak', 'sk'],
];

const acceptedShapes = '{"secretId","secretKey"}, {"accessKeyId","accessKeySecret"}, {"accessKeyId","secretAccessKey"} or {"ak","sk"}, each with an optional "token"';

function invalid(reason: string): VaultError {
  return new VaultError('account.invalid', { field: 'secret', reason });
}

function checkedString(value: unknown, name: string, max: number): string {
  if (typeof value !== 'string') throw invalid(`"${name}" must be a string`);
  const trimmed = value.trim();
  if (trimmed === '') throw invalid(`"${name}" is empty`);
  if (trimmed.length > max) throw invalid(`"${name}" is longer than ${max} characters`);
  // A control character means a pasted value picked up something it should not have.
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw invalid(`"${name}" contains a control character`);
  return trimmed;
}

/** Accepts any of the documented object shapes (already parsed). */
export function credentialsFromObject(input: unknown): CloudCredentials {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw invalid(`expected a JSON object: ${acceptedShapes}`);
  }
  const record = input as Record<string, unknown>;
  const pair = spellings.find(([id, secret]) => id in record && secret in record);
  if (!pair) {
    const given = Object.keys(record).slice(0, 6).map((key) => JSON.stringify(key)).join(', ') || 'no keys';
    throw invalid(`expected ${acceptedShapes}; got ${given}`);
  }
  const [idKey, secretKey] = pair;
  const known = new Set([idKey, secretKey, 'token']);
  const unknown = Object.keys(record).filter((key) => !known.has(key));
  if (unknown.length > 0) throw invalid(`unexpected key ${JSON.stringify(unknown[0])}; accepted: ${acceptedShapes}`);
  const token = record.token === undefined || record.token === null ? undefined : checkedString(record.token, 'token', MAX_TOKEN_LENGTH);
  return {
    accessKeyId: checkedString(record[idKey], idKey, MAX_SECRET_LENGTH),
    accessKeySecret: checkedString(record[secretKey], secretKey, MAX_SECRET_LENGTH),
    ...(token ? { securityToken: token } : {}),
  };
}

/** JSON text, e.g. `certvault account add` reading stdin. */
export function credentialsFromJson(text: string): CloudCredentials {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the offending text, which may be the secret itself.
    throw invalid(`not valid JSON; expected ${acceptedShapes}`);
  }
  return credentialsFromObject(parsed);
}

interface EnvNames {
  readonly id: string;
  readonly secret: string;
  readonly token: string;
}

/** Each cloud's official SDK and CLI read these; deploy hooks on servers already have them set. */
export const credentialEnvironment: Readonly<Record<CloudId, EnvNames>> = {
  tencent: { id: 'TENCENTCLOUD_SECRET_ID', secret: 'TENCENTCLOUD_SECRET_KEY', token: 'TENCENTCLOUD_SESSION_TOKEN' },
  'tencent-intl': { id: 'TENCENTCLOUD_SECRET_ID', secret: 'TENCENTCLOUD_SECRET_KEY', token: 'TENCENTCLOUD_SESSION_TOKEN' },
  aliyun: { id: 'ALIBABA_CLOUD_ACCESS_KEY_ID', secret: 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', token: 'ALIBABA_CLOUD_SECURITY_TOKEN' },
  volcengine: { id: 'VOLCENGINE_ACCESS_KEY', secret: 'VOLCENGINE_SECRET_KEY', token: 'VOLCENGINE_SESSION_TOKEN' },
  huawei: { id: 'HUAWEICLOUD_SDK_AK', secret: 'HUAWEICLOUD_SDK_SK', token: 'HUAWEICLOUD_SDK_SECURITY_TOKEN' },
};

/**
 * The cloud's environment variables, or null when neither half is set. One half without the other
 * is an error: silently falling back to another source would test or use the wrong account.
 */
export function credentialsFromEnvironment(cloud: CloudId, env: Readonly<Record<string, string | undefined>>): CloudCredentials | null {
  const names = credentialEnvironment[cloud];
  const id = env[names.id];
  const secret = env[names.secret];
  if (!id && !secret) return null;
  if (!id || !secret) {
    throw invalid(`${id ? names.secret : names.id} is not set, but ${id ? names.id : names.secret} is; set both or neither`);
  }
  const token = env[names.token];
  return {
    accessKeyId: checkedString(id, names.id, MAX_SECRET_LENGTH),
    accessKeySecret: checkedString(secret, names.secret, MAX_SECRET_LENGTH),
    ...(token ? { securityToken: checkedString(token, names.token, MAX_TOKEN_LENGTH) } : {}),
  };
}

/** The keychain entry's value. */
export function serializeCredentials(credentials: CloudCredentials): string {
  return JSON.stringify({
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
  });
}

/** Reads back a keychain entry; a damaged entry is reported like a missing one (re-enter the secret). */
export function parseStoredCredentials(text: string, accountName: string): CloudCredentials {
  try {
    const value = JSON.parse(text) as Record<string, unknown>;
    if (typeof value.accessKeyId === 'string' && typeof value.accessKeySecret === 'string' && value.accessKeyId && value.accessKeySecret) {
      return {
        accessKeyId: value.accessKeyId,
        accessKeySecret: value.accessKeySecret,
        ...(typeof value.securityToken === 'string' && value.securityToken ? { securityToken: value.securityToken } : {}),
      };
    }
  } catch {
    // fall through: same answer as an entry with the wrong shape
  }
  throw new VaultError('account.secret_missing', { name: accountName });
}
