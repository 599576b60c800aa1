import { hmacSha256, sha256Hex } from '../hash';
import { canonicalQuery, percentEncode } from '../query-string';

// SDK-HMAC-SHA256 (Huawei Cloud "AK/SK签名认证算法详解"; REFERENCE.md §5.1). Unlike SigV4 there is
// no key derivation: the SK signs the string-to-sign directly. Two details decide whether the
// gateway accepts a request at all: the canonical URI always ends with '/', although the path sent
// does not, and the Authorization header reads exactly
// 'SDK-HMAC-SHA256 Access=<AK>, SignedHeaders=<a;b>, Signature=<hex>'. Pure: the date comes in as
// the X-Sdk-Date value, so the worked examples and the SDK oracle reproduce byte for byte.

export const SDK_HMAC_SHA256 = 'SDK-HMAC-SHA256';

export interface SdkHmacRequest {
  readonly method: 'POST' | 'GET' | 'PUT' | 'DELETE';
  /** The Host header exactly as sent, with the port when it is not the default. */
  readonly host: string;
  /** The path sent (`/v2/{project_id}/apigw/certificates`); canonicalized here. */
  readonly path: string;
  /** Query parameters, unencoded; encoded and sorted here. */
  readonly query: Readonly<Record<string, string>>;
  /** The X-Sdk-Date header value sent (`YYYYMMDDTHHMMSSZ`). */
  readonly sdkDate: string;
  /** Other headers sent that are signed: Content-Type, X-Project-Id, X-Security-Token. */
  readonly headers: Readonly<Record<string, string>>;
  /** The exact body bytes sent. */
  readonly payload: string | Uint8Array;
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
}

export interface SdkHmacSignature {
  readonly authorization: string;
  readonly signature: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signedHeaders: string;
}

/** `YYYYMMDDTHHMMSSZ`, UTC. */
export function sdkDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Each segment encoded, plus the trailing '/' the gateway signs (`/v2/x/apigw/certificates/`). */
export function canonicalUri(path: string): string {
  const encoded = path.split('/').map(percentEncode).join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/** The signature over an already-built canonical request: the one step every variant shares. */
export function signCanonical(canonicalRequest: string, date: string, accessKeySecret: string): { stringToSign: string; signature: string } {
  const stringToSign = `${SDK_HMAC_SHA256}\n${date}\n${sha256Hex(canonicalRequest)}`;
  return { stringToSign, signature: hmacSha256(accessKeySecret, stringToSign).toString('hex') };
}

export function signSdkHmac(request: SdkHmacRequest): SdkHmacSignature {
  const headers = new Map<string, string>([
    ['host', request.host],
    ['x-sdk-date', request.sdkDate],
  ]);
  for (const name of Object.keys(request.headers)) headers.set(name.toLowerCase(), request.headers[name]!.trim());
  const names = [...headers.keys()].sort();
  const canonicalHeaders = names.map((name) => `${name}:${headers.get(name)!}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [
    request.method,
    canonicalUri(request.path),
    canonicalQuery(request.query),
    canonicalHeaders,
    signedHeaders,
    sha256Hex(request.payload),
  ].join('\n');
  const { stringToSign, signature } = signCanonical(canonicalRequest, request.sdkDate, request.accessKeySecret);
  return {
    authorization: `${SDK_HMAC_SHA256} Access=${request.accessKeyId}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signature,
    canonicalRequest,
    stringToSign,
    signedHeaders,
  };
}
