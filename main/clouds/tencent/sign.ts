import { hmacSha256, sha256Hex } from '../hash';

// TC3-HMAC-SHA256 (Tencent Cloud API 3.0, "签名方法 v3"; REFERENCE.md §2.1). Pure: time comes in
// as a Unix timestamp, so the worked examples and the SDK oracle reproduce byte for byte.

export interface Tc3Request {
  readonly method: 'POST' | 'GET';
  /** The Host header exactly as sent, with the port when it is not the default. */
  readonly host: string;
  /** Canonical URI: the path sent, '/' for the public endpoints. */
  readonly path: string;
  /** Canonical query string; '' for POST. */
  readonly query: string;
  /** Must equal the Content-Type header sent, byte for byte (charset included). */
  readonly contentType: string;
  /** The exact body bytes sent. */
  readonly payload: string | Uint8Array;
  /** Unix seconds (X-TC-Timestamp). */
  readonly timestamp: number;
  /** The API's service name ('ssl'): from the public endpoint, never from an overridden host. */
  readonly service: string;
  readonly secretId: string;
  readonly secretKey: string;
  /** Headers signed beside content-type and host (the docs sign x-tc-action; the SDK signs none). */
  readonly extraSignedHeaders?: Readonly<Record<string, string>>;
}

export interface Tc3Signature {
  readonly authorization: string;
  readonly signature: string;
  readonly canonicalRequest: string;
  readonly stringToSign: string;
  readonly signedHeaders: string;
}

/** The credential date: the UTC calendar date of the timestamp (local time breaks 00:00-08:00 in China). */
export function tc3Date(timestamp: number): string {
  return new Date(timestamp * 1000).toISOString().slice(0, 10);
}

export function signTc3(request: Tc3Request): Tc3Signature {
  const headers = new Map<string, string>([
    ['content-type', request.contentType],
    ['host', request.host],
  ]);
  for (const name of Object.keys(request.extraSignedHeaders ?? {})) {
    headers.set(name.toLowerCase(), request.extraSignedHeaders![name]!);
  }
  const names = [...headers.keys()].sort();
  // Values are lowercased too: the documented x-tc-action vector only reproduces that way (§7).
  const canonicalHeaders = names.map((name) => `${name}:${headers.get(name)!.trim().toLowerCase()}\n`).join('');
  const signedHeaders = names.join(';');
  const canonicalRequest = [request.method, request.path, request.query, canonicalHeaders, signedHeaders, sha256Hex(request.payload)].join('\n');

  const date = tc3Date(request.timestamp);
  const scope = `${date}/${request.service}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${request.timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;

  const secretDate = hmacSha256(`TC3${request.secretKey}`, date);
  const secretService = hmacSha256(secretDate, request.service);
  const secretSigning = hmacSha256(secretService, 'tc3_request');
  const signature = hmacSha256(secretSigning, stringToSign).toString('hex');

  return {
    authorization: `TC3-HMAC-SHA256 Credential=${request.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`,
    signature,
    canonicalRequest,
    stringToSign,
    signedHeaders,
  };
}
