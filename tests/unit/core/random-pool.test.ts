import { describe, expect, it } from 'vitest';
import { pooledRandomBytes } from '../../../main/core/random-pool';

describe('pooled random bytes', () => {
  it('hands out each byte once, across refills of the pool, in buffers of their own', () => {
    // 12-byte nonces: 1,000 of them cross the 4 KB pool's refill twice.
    const nonces = Array.from({ length: 1000 }, () => pooledRandomBytes(12));
    expect(new Set(nonces.map((nonce) => nonce.toString('hex'))).size).toBe(1000);
    expect(nonces.every((nonce) => nonce.length === 12)).toBe(true);
    // Not a view of the pool: refilling it leaves what was handed out as it was.
    const kept = Buffer.from(nonces[0]!);
    pooledRandomBytes(4000);
    expect(nonces[0]).toEqual(kept);
  });

  it('draws a request larger than the pool from the CSPRNG directly', () => {
    const large = pooledRandomBytes(10_000);
    expect(large.length).toBe(10_000);
    // 10,000 random bytes hold every byte value (missing one has a chance of about 256 * e^-39).
    expect(new Set(large).size).toBe(256);
  });
});
