import type { CloudCredentials } from './provider';

// Cloud error messages are kept verbatim for support tickets, but some clouds echo parts of the
// request back (Alibaba's SignatureDoesNotMatch quotes the string it signed; a bad-PEM answer may
// quote the PEM). Before a message is stored or shown, anything secret-looking is cut out.

/**
 * Also percent- or form-encoded (`-----BEGIN%20PRIVATE%20KEY-----%0AMII...`, as a string-to-sign
 * quotes a form body): dashes survive the encoding, and the `%2B`/`%2F` escapes would otherwise cut
 * the key's base64 into runs too short for BASE64_RUN.
 */
const PEM_BLOCK = /-----BEGIN[\s\S]*?(?:-----END[^-]*-----|$)/g;
/** A long base64 run: a PEM body echoed without its armour. 40+ chars, so request ids and words stay. */
const BASE64_RUN = /[A-Za-z0-9+/]{40,}={0,2}/g;
/** Hex of 64+ digits: a signature or a hash of the canonical request. */
const LONG_HEX = /\b[0-9a-fA-F]{64,}\b/g;
const AUTH_FIELDS = /\b(Signature|Credential|Access|SignedHeaders|AccessKeyId|SecretId|Token|SecurityToken)(\s*[=:]\s*)[^\s,;&"']+/gi;
const MAX_LENGTH = 500;

/**
 * The cloud's message with PEM blocks, base64 runs, long hex, `Signature=`-style fields and every
 * given secret (access key id, secret, token) removed, shortened to 500 characters.
 */
export function scrubCloudText(text: string, secrets: readonly (string | null | undefined)[] = []): string {
  let clean = text;
  for (const secret of secrets) {
    // Short values would blank out ordinary words; real keys are far longer than 8 characters.
    if (secret && secret.length >= 8) clean = clean.split(secret).join('[redacted]');
  }
  clean = clean
    .replace(PEM_BLOCK, '[pem]')
    .replace(AUTH_FIELDS, '$1$2[redacted]')
    .replace(LONG_HEX, '[hex]')
    .replace(BASE64_RUN, '[data]');
  return clean.length > MAX_LENGTH ? `${clean.slice(0, MAX_LENGTH)}…` : clean;
}

/** Every credential value a cloud might echo back, for `scrubCloudText` (the token also as sent, trimmed). */
export function credentialSecrets(credentials: CloudCredentials): (string | undefined)[] {
  const { accessKeyId, accessKeySecret, securityToken } = credentials;
  return [accessKeyId, accessKeySecret, securityToken, securityToken?.trim()];
}
