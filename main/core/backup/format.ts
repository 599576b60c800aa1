import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { VaultError } from '../../../shared/errors';
import { MIN_BACKUP_PASSPHRASE_LENGTH } from '../../../shared/backup';

// The backup file: a plain header saying how to open it, then the payload, gzip'd and sealed with
// AES-256-GCM under a key derived from the passphrase with scrypt. The header is the GCM associated
// data, so every byte of the file is authenticated: a changed KDF parameter, nonce, length or
// payload byte fails to open exactly like a wrong passphrase, and nothing is restored.
//
//   "CVBACKUP" | u32 BE header length | header (JSON, UTF-8) | ciphertext | 16-byte tag

export const BACKUP_FORMAT = 1;

const MAGIC = Buffer.from('CVBACKUP', 'ascii');
const TAG_BYTES = 16;
const NONCE_BYTES = 12;
const KEY_BYTES = 32;
const MAX_HEADER_BYTES = 4096;

/**
 * scrypt at N = 2^17, r = 8, p = 1: 128 MiB and about half a second per try, the parameters OWASP
 * recommends; a passphrase guesser pays the same for every guess.
 */
export const defaultKdf = { name: 'scrypt', N: 2 ** 17, r: 8, p: 1 } as const;

export interface KdfParams {
  readonly name: 'scrypt';
  readonly N: number;
  readonly r: number;
  readonly p: number;
  /** base64 */
  readonly salt: string;
}

export interface BackupHeader {
  readonly format: number;
  readonly kdf: KdfParams;
  readonly cipher: 'aes-256-gcm';
  /** base64 */
  readonly nonce: string;
  /** Bytes of ciphertext (tag excluded): a truncated file is named as such. */
  readonly length: number;
  readonly createdAt: string;
}

export async function encryptBackup(payload: unknown, passphrase: string, now: Date, kdf: Omit<KdfParams, 'salt'> = defaultKdf): Promise<Buffer> {
  checkPassphrase(passphrase);
  const plaintext = gzipSync(Buffer.from(JSON.stringify(payload), 'utf8'));
  const salt = randomBytes(16);
  const nonce = randomBytes(NONCE_BYTES);
  const header: BackupHeader = {
    format: BACKUP_FORMAT,
    kdf: { ...kdf, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    nonce: nonce.toString('base64'),
    // GCM's ciphertext is as long as its plaintext.
    length: plaintext.length,
    createdAt: now.toISOString(),
  };
  const head = headerBytes(header);
  const cipher = createCipheriv('aes-256-gcm', await deriveKey(passphrase, header.kdf), nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(head);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([head, body, cipher.getAuthTag()]);
}

/** The payload, or a VaultError naming what is wrong with `file`; never a partial result. */
export async function decryptBackup(bytes: Buffer, passphrase: string, file: string): Promise<unknown> {
  const { header, head } = readHeader(bytes, file);
  const body = bytes.subarray(head.length);
  if (body.length !== header.length + TAG_BYTES) {
    throw new VaultError('backup.corrupt', { file, reason: `it is ${body.length < header.length + TAG_BYTES ? 'truncated' : 'longer than written'}: ${body.length} of ${header.length + TAG_BYTES} bytes after the header` });
  }
  const key = await deriveKey(passphrase, header.kdf);
  let plaintext: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(header.nonce, 'base64'), { authTagLength: TAG_BYTES });
    decipher.setAAD(head);
    decipher.setAuthTag(body.subarray(header.length));
    plaintext = Buffer.concat([decipher.update(body.subarray(0, header.length)), decipher.final()]);
  } catch {
    throw new VaultError('backup.wrong_passphrase', { file });
  }
  try {
    return JSON.parse(gunzipSync(plaintext).toString('utf8')) as unknown;
  } catch {
    // Authenticated, so written this way by a Cert Vault with a bug, not damaged on the way.
    throw new VaultError('backup.corrupt', { file, reason: 'its contents cannot be read' });
  }
}

export function checkPassphrase(passphrase: string): void {
  if ([...passphrase].length < MIN_BACKUP_PASSPHRASE_LENGTH) throw new VaultError('backup.passphrase_too_short', { min: MIN_BACKUP_PASSPHRASE_LENGTH });
}

function headerBytes(header: BackupHeader): Buffer {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json]);
}

function readHeader(bytes: Buffer, file: string): { header: BackupHeader; head: Buffer } {
  if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw new VaultError('backup.not_a_backup', { file });
  if (bytes.length < MAGIC.length + 4) throw new VaultError('backup.corrupt', { file, reason: 'it is truncated inside the header' });
  const length = bytes.readUInt32BE(MAGIC.length);
  if (length > MAX_HEADER_BYTES) throw new VaultError('backup.corrupt', { file, reason: 'its header is too long' });
  const end = MAGIC.length + 4 + length;
  if (bytes.length < end) throw new VaultError('backup.corrupt', { file, reason: 'it is truncated inside the header' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.subarray(MAGIC.length + 4, end).toString('utf8'));
  } catch {
    throw new VaultError('backup.corrupt', { file, reason: 'its header is not readable' });
  }
  const header = parsed as Partial<BackupHeader>;
  if (typeof header.format !== 'number') throw new VaultError('backup.corrupt', { file, reason: 'its header has no format version' });
  if (header.format > BACKUP_FORMAT) throw new VaultError('backup.too_new', { file, version: header.format, supported: BACKUP_FORMAT });
  if (header.format !== BACKUP_FORMAT || header.cipher !== 'aes-256-gcm' || !validKdf(header.kdf) || !validNonce(header.nonce) || !Number.isSafeInteger(header.length) || (header.length ?? -1) < 0) {
    throw new VaultError('backup.corrupt', { file, reason: 'its header is not valid' });
  }
  return { header: header as BackupHeader, head: bytes.subarray(0, end) };
}

/** Bounds that keep a hostile header from asking for gigabytes or hours before the tag is checked. */
function validKdf(kdf: Partial<KdfParams> | undefined): boolean {
  if (!kdf || kdf.name !== 'scrypt' || typeof kdf.salt !== 'string' || Buffer.from(kdf.salt, 'base64').length < 16) return false;
  const { N, r, p } = kdf;
  return (
    Number.isInteger(N) && Number.isInteger(r) && Number.isInteger(p) &&
    N! >= 2 ** 14 && N! <= 2 ** 20 && (N! & (N! - 1)) === 0 &&
    r! >= 1 && r! <= 32 && p! >= 1 && p! <= 16 && 128 * N! * r! <= 1024 ** 3
  );
}

function validNonce(nonce: unknown): boolean {
  return typeof nonce === 'string' && Buffer.from(nonce, 'base64').length === NONCE_BYTES;
}

/** On libuv's thread pool: half a second of scrypt must not freeze the window. */
function deriveKey(passphrase: string, kdf: KdfParams): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const options = { N: kdf.N, r: kdf.r, p: kdf.p, maxmem: 128 * kdf.N * kdf.r * 2 };
    scrypt(passphrase.normalize('NFC'), Buffer.from(kdf.salt, 'base64'), KEY_BYTES, options, (error, key) => (error ? reject(error) : resolve(key)));
  });
}
