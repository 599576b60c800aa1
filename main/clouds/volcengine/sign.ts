import { hmacSha256, sha256Hex } from '../hash';
import { canonicalQuery } from '../query-string';

// Volcengine OpenAPI HMAC-SHA256 (doc 6369/67269; REFERENCE.md §4.1): SigV4-like, scope
// `YYYYMMDD/region/service/request`, key derived from the SK used as the raw string (it looks like
// base64 but is never decoded). Pure: the date comes in as the X-Date value.

export const HMAC_SHA256 = 'HMAC-SHA256';

export interface VolcRequest {
  readonly method: 'POST' | 'GET';
  /** The Host header exactly as sent, with the port when it is not the default. */
  readonly host: string;
  /** The path sent; '/' for the public endpoint. */
  readonly path: string;
  /** Query parameters (Action, Version), unencoded; encoded and sorted here. */
  readonly query: Readonly<Record<string, string>>;
  /** The X-Date header value sent (`YYYYMMDDTHHMMSSZ`). */
  readonly xDate: string;
  /**
   * Other headers sent that are signed (X-Content-Sha256, X-Security-Token). Content-Type is
   * better left out: the official Node SDK never signs it, and a proxy adding a charset would break it.
   */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes sent. */
  readonly payload: string | Uint8Array;
  /** 'cn-north-1' for Live. */
  readonly region: string;
  /** The API's service name ('live'): never taken from an overridden host. */
  readonly service: string;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

export interface VolcSignature {
  readonly authorization: string;
  readonly signature: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signedHeaders: string;
}

/** `YYYYMMDDTHHMMSSZ`, UTC. */
export function xDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

export function signingKey(accessKeySecret: string, day: string, region: string, service: string): Buffer {
  const kDate = hmacSha256(accessKeySecret, day);
  const kRegion = hmacSha256(kDate, region);
  const kService = hmacSha256(kRegion, service);
  return hmacSha256(kService, 'request');
}

/** The signature over an already-built canonical request: the one step every variant shares. */
export function signCanonical(
  canonicalRequest: string,
  date: string,
  scope: { readonly region: string; readonly service: string; readonly accessKeySecret: string },
): { credentialScope: string; stringToSign: string; signature: string } {
  const day = date.slice(0, 8);
  const credentialScope = `${day}/${scope.region}/${scope.service}/request`;
  const stringToSign = [HMAC_SHA256, date, credentialScope, sha256Hex(canonicalRequest)].join('\n');
  const signature = hmacSha256(signingKey(scope.accessKeySecret, day, scope.region, scope.service), stringToSign).toString('hex');
  return { credentialScope, stringToSign, signature };
}

export function signVolc(request: VolcRequest): VolcSignature {
  const payloadHash = sha256Hex(request.payload);
  const headers = new Map<string, string>([
    ['host', request.host],
    ['x-date', request.xDate],
  ]);
  for (const name of Object.keys(request.headers)) {
    const lower = name.toLowerCase();
    // The gateway takes this header as the body's hash: a stale value can only fail there.
    if (lower === 'x-content-sha256' && request.headers[name] !== payloadHash) throw new Error('X-Content-Sha256 is not the hash of the payload');
    // Runs of whitespace collapse to one space, as the SDK does.
    headers.set(lower, request.headers[name]!.replace(/\s+/g, ' ').trim());
  }
  const names = [...headers.keys()].sort();
  const canonicalHeaders = names.map((name) => `${name}:${headers.get(name)!}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [request.method, request.path || '/', canonicalQuery(request.query), canonicalHeaders, signedHeaders, payloadHash].join('\n');
  const { credentialScope, stringToSign, signature } = signCanonical(canonicalRequest, request.xDate, request);
  return {
    authorization: `${HMAC_SHA256} Credential=${request.accessKeyId}/${credentialScope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signature,
    canonicalRequest,
    stringToSign,
    signedHeaders,
  };
}
