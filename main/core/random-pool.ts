import { randomBytes, randomFillSync } from 'node:crypto';

// Random bytes for the many small values an import draws per entry (its id, its key's nonce),
// taken from a buffer that the system's CSPRNG refills 4 KB at a time: each call of randomBytes is
// a trip into OpenSSL, 1.5 s of the main thread's 35 s in an import of 100,000 entries.

const POOL_BYTES = 4096;
const pool = Buffer.alloc(POOL_BYTES);
let used = POOL_BYTES;

/** `size` fresh random bytes, in a Buffer of their own; each byte of the pool is handed out once. */
export function pooledRandomBytes(size: number): Buffer {
  if (size > POOL_BYTES) return randomBytes(size);
  if (used + size > POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const bytes = Buffer.from(pool.subarray(used, used + size));
  used += size;
  return bytes;
}
