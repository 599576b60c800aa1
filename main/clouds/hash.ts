import { createHash, createHmac } from 'node:crypto';

// The two primitives every signer builds on, so each sign.ts reads as its cloud's algorithm only.

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

export function hmacSha256(key: string | Uint8Array, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}
