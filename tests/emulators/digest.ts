// Hash, HMAC and percent-encoding primitives for the emulators' own signature checks, written
// from REFERENCE.md and independent of main/clouds/**.

import { createHash, createHmac, randomUUID, timingSafeEqual } from 'node:crypto';

export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function hmacSha256Hex(key: string | Buffer, data: string): string {
  return createHmac('sha256', key).update(data, 'utf8').digest('hex');
}

/** Compares two signatures without leaking where they differ. */
export function sameSignature(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** RFC 3986: only A-Z a-z 0-9 - _ . ~ stay literal (encodeURIComponent also leaves !'()* alone). */
export function rfc3986(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * The pairs of a query string or form body, decoded. `plusIsSpace` is form semantics; in a URL
 * query the clouds' signers encode a space as %20, so a literal '+' stays a '+'.
 */
export function decodePairs(text: string, plusIsSpace: boolean): [string, string][] {
  if (text === '') return [];
  return text.split('&').filter(Boolean).map((pair) => {
    const equals = pair.indexOf('=');
    const rawName = equals < 0 ? pair : pair.slice(0, equals);
    const rawValue = equals < 0 ? '' : pair.slice(equals + 1);
    const decode = (s: string) => decodeURIComponent(plusIsSpace ? s.replaceAll('+', ' ') : s);
    return [decode(rawName), decode(rawValue)];
  });
}

/** Sorted `enc(name)=enc(value)` joined with '&' (Alibaba, Volcengine and Huawei canonical query). */
export function canonicalQuery(pairs: readonly [string, string][]): string {
  return pairs
    .map(([name, value]) => [rfc3986(name), rfc3986(value)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

/** A fresh request id in the common 8-4-4-4-12 shape. */
export function requestId(upper = false): string {
  const id = randomUUID();
  return upper ? id.toUpperCase() : id;
}
