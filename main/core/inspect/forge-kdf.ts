// The key derivations node-forge runs for PKCS#12 files, on native code: the PKCS#12 KDF (RFC 7292
// appendix B.2, MAC and PBE keys) on Node's hashes in place of forge's pure-JavaScript one, and
// PBKDF2 (PBES2 content) steered to forge's own native path, which it skips when handed a digest
// object. Every key forge derives goes through here, so this is also where the iteration cap holds
// for keys forge only meets after decrypting (a shrouded key bag inside encrypted content).
// Forge alone ran ~50,000 iterations/s: an OpenSSL 3 export with 2,000,000 iterations took 195 s
// to open, and a Windows one with 600,000 about a minute.
import { getHashes, hash } from 'node:crypto';
import forge from 'node-forge';
import { MAX_KDF_ITERATIONS } from './kdf-limit';

/** Thrown from inside forge; readPkcs12 turns it into the VaultError naming the file. */
export class KdfTooCostly extends Error {
  constructor(readonly count: number) {
    super(`PKCS#12 key derivation with ${count} iterations`);
  }
}

// Forge's digest names and block sizes (v in RFC 7292) of the digests PKCS#12 files use.
const digests: Readonly<Record<string, { name: string; blockLength: number }>> = {
  sha1: { name: 'sha1', blockLength: 64 },
  sha224: { name: 'sha224', blockLength: 64 },
  sha256: { name: 'sha256', blockLength: 64 },
  sha384: { name: 'sha384', blockLength: 128 },
  sha512: { name: 'sha512', blockLength: 128 },
};

type ForgeKdf = (
  password: string | null | undefined,
  salt: forge.util.ByteStringBuffer | string,
  id: number,
  iterations: number,
  length: number,
  md?: forge.md.MessageDigest,
) => forge.util.ByteStringBuffer;
// Not in @types/node-forge: forge looks both up at call time, which is what lets them be replaced.
const pbe = (forge.pki as unknown as { pbe: { generatePkcs12Key: ForgeKdf } }).pbe;
const pkcs12 = forge.pkcs12 as unknown as { generateKey: ForgeKdf };
const forgeKdf = pbe.generatePkcs12Key;

/** RFC 7292 B.2 with forge's conventions: password as UTF-16BE plus a 0x0000 terminator (none for null). */
export function pkcs12Kdf(password: string | null | undefined, salt: Buffer, id: number, iterations: number, length: number, digest = 'sha1'): Buffer {
  const spec = digests[digest];
  if (!spec) throw new Error(`unsupported PKCS#12 digest ${digest}`);
  if (!(iterations >= 1)) throw new Error('PKCS#12 key derivation iteration count must be >= 1.');
  if (iterations > MAX_KDF_ITERATIONS) throw new KdfTooCostly(iterations);
  const v = spec.blockLength;
  const pass = password === null || password === undefined ? Buffer.alloc(0) : Buffer.from(`${password}\0`, 'utf16le').swap16();
  const stretch = (bytes: Buffer) => repeat(bytes, v * Math.ceil(bytes.length / v));
  let input = Buffer.concat([stretch(salt), stretch(pass)]);
  const diversifier = Buffer.alloc(v, id);
  const out: Buffer[] = [];
  let produced = 0;
  while (produced < length) {
    let a = hash(spec.name, Buffer.concat([diversifier, input]), 'buffer');
    for (let round = 1; round < iterations; round++) a = hash(spec.name, a, 'buffer');
    out.push(a);
    produced += a.length;
    if (produced >= length) break;
    // I_j = (I_j + B + 1) mod 2^(8v) for each v-byte block of I, B being A repeated to v bytes.
    const b = repeat(a, v);
    const next = Buffer.from(input);
    for (let j = 0; j < next.length; j += v) {
      let carry = 1;
      for (let l = v - 1; l >= 0; l--) {
        carry += next[j + l]! + b[l]!;
        next[j + l] = carry & 0xff;
        carry >>= 8;
      }
    }
    input = next;
  }
  return Buffer.concat(out).subarray(0, length);
}

/** `bytes` repeated to `length` bytes (the last copy cut short). */
function repeat(bytes: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i += bytes.length) bytes.copy(out, i, 0, Math.min(bytes.length, length - i));
  return out;
}

/** forge.pki.pbe.generatePkcs12Key's contract on top of pkcs12Kdf; digests it does not know stay with forge. */
const forgeCompatible: ForgeKdf = (password, salt, id, iterations, length, md) => {
  const digest = md ? md.algorithm : 'sha1';
  if (!digests[digest]) return forgeKdf(password, salt, id, iterations, length, md);
  const saltBytes = Buffer.from(typeof salt === 'string' ? salt : salt.bytes(), 'binary');
  return forge.util.createBuffer(pkcs12Kdf(password, saltBytes, id, iterations, length, digest).toString('binary'));
};

pbe.generatePkcs12Key = forgeCompatible;
pkcs12.generateKey = forgeCompatible;

type ForgePbkdf2 = (password: string, salt: string, iterations: number, length: number, md?: forge.md.MessageDigest | string | null) => string;
const pkcs5 = forge.pkcs5 as unknown as { pbkdf2: ForgePbkdf2 };
const forgePbkdf2 = pkcs5.pbkdf2;
const nodeDigests = new Set(getHashes());
pkcs5.pbkdf2 = (password, salt, iterations, length, md) => {
  if (iterations > MAX_KDF_ITERATIONS) throw new KdfTooCostly(iterations);
  // Forge derives natively (with the password as 'binary' bytes, as before) when given the digest's name.
  const digest = md && typeof md === 'object' && nodeDigests.has(md.algorithm) ? md.algorithm : md;
  return forgePbkdf2(password, salt, iterations, length, digest);
};

/** Forge's original, for the test that checks both agree. */
export const forgePkcs12Kdf = forgeKdf;
