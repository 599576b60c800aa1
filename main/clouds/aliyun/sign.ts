import { hmacSha256, sha256Hex } from '../hash';
import { percentEncode } from '../query-string';

// ACS3-HMAC-SHA256 (Alibaba Cloud "V3 request structure and signature"; REFERENCE.md §3.1). Pure:
// the date and the nonce are headers the caller sets, so tests fix them.

export interface Acs3Request {
  readonly method: 'POST' | 'GET';
  /** Canonical URI: '/' for RPC-style APIs, or the path of an endpoint override. */
  readonly path: string;
  /** Query parameters, unencoded; encoded and sorted here. */
  readonly query: Readonly<Record<string, string>>;
  /**
   * Every header sent that must be signed: host (as sent, with port), x-acs-* (action, version,
   * date, nonce, content-sha256, security token) and content-type when there is a body.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** Hex SHA-256 of the exact body bytes sent (the x-acs-content-sha256 value). */
  readonly payloadHash: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

export interface Acs3Signature {
  readonly authorization: string;
  readonly signature: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signedHeaders: string;
}

/**
 * `k=v` pairs, names and values RFC 3986-encoded, sorted by the encoded name (as Alibaba's SDK
 * does, unlike query-string.ts's `canonicalQuery`, which sorts the raw names), joined with `&`.
 */
export function canonicalQuery(params: Readonly<Record<string, string>>): string {
  return Object.keys(params)
    .map((name) => [percentEncode(name), percentEncode(params[name]!)] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** The x-acs-date format: UTC, seconds precision, `Z`. */
export function acsDate(now: Date): string {
  return now.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function isSignedHeader(name: string): boolean {
  return name === 'host' || name === 'content-type' || name.startsWith('x-acs-');
}

export function signAcs3(request: Acs3Request): Acs3Signature {
  const headers = new Map<string, string>();
  for (const name of Object.keys(request.headers)) {
    const lower = name.toLowerCase();
    if (isSignedHeader(lower)) headers.set(lower, request.headers[name]!.trim());
  }
  const names = [...headers.keys()].sort();
  const canonicalHeaders = names.map((name) => `${name}:${headers.get(name)!}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [request.method, request.path, canonicalQuery(request.query), canonicalHeaders, signedHeaders, request.payloadHash].join('\n');
  const stringToSign = `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`;
  // The raw secret is the key: no '&' suffix (that belongs to the v1 HMAC-SHA1 scheme).
  const signature = hmacSha256(request.accessKeySecret, stringToSign).toString('hex');
  return {
    authorization: `ACS3-HMAC-SHA256 Credential=${request.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`,
    signature,
    canonicalRequest,
    stringToSign,
    signedHeaders,
  };
}
