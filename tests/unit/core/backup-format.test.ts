import { describe, expect, it } from 'vitest';
import { decryptBackup, encryptBackup } from '../../../main/core/backup/format';

// The file format alone, with the cheapest scrypt the reader accepts (N = 2^14) so each case is fast;
// tests/integration/vault/backup.test.ts covers the real parameters end to end.

const cheap = { name: 'scrypt', N: 2 ** 14, r: 8, p: 1 } as const;
const PASSPHRASE = 'a passphrase long enough';

/** The file with its header edited, the length prefix kept right: "CVBACKUP" | u32 length | header | body. */
function edited(bytes: Buffer, from: string, to: string): Buffer {
  const length = bytes.readUInt32BE(8);
  const header = bytes.subarray(12, 12 + length).toString('utf8');
  expect(header).toContain(from);
  const json = Buffer.from(header.replace(from, to), 'utf8');
  const prefix = Buffer.alloc(4);
  prefix.writeUInt32BE(json.length);
  return Buffer.concat([bytes.subarray(0, 8), prefix, json, bytes.subarray(12 + length)]);
}

describe('backup file format', () => {
  it('round-trips the payload and normalises the passphrase (NFC)', async () => {
    const bytes = await encryptBackup({ hello: 'wörld' }, 'Cafe\u0301 passphrase', new Date(), cheap);
    expect(bytes.subarray(0, 8).toString()).toBe('CVBACKUP');
    expect(await decryptBackup(bytes, 'Caf\u00e9 passphrase', 'x')).toEqual({ hello: 'wörld' });
  });

  it('refuses a header asking for more scrypt work or memory than any backup uses, before deriving anything', async () => {
    const bytes = await encryptBackup({}, PASSPHRASE, new Date(), cheap);
    const started = process.hrtime.bigint();
    await expect(decryptBackup(edited(bytes, '"N":16384', '"N":1073741824'), PASSPHRASE, 'huge.cvbackup')).rejects.toMatchObject({
      code: 'backup.corrupt',
      params: { file: 'huge.cvbackup', reason: 'its header is not valid' },
    });
    await expect(decryptBackup(edited(bytes, '"N":16384', '"N":16385'), PASSPHRASE, 'odd')).rejects.toMatchObject({ code: 'backup.corrupt' });
    await expect(decryptBackup(edited(bytes, '"p":1', '"p":99'), PASSPHRASE, 'p')).rejects.toMatchObject({ code: 'backup.corrupt' });
    // No scrypt ran: refusing all three took less than one derivation would.
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(5_000);
  });

  it('tells a newer format, a damaged header and a foreign file apart', async () => {
    const bytes = await encryptBackup({}, PASSPHRASE, new Date(), cheap);
    await expect(decryptBackup(edited(bytes, '"format":1', '"format":2'), PASSPHRASE, 'f')).rejects.toMatchObject({ code: 'backup.too_new', params: { version: 2, supported: 1 } });
    await expect(decryptBackup(edited(bytes, '"cipher":"aes-256-gcm"', '"cipher":"aes-128-cbc"'), PASSPHRASE, 'f')).rejects.toMatchObject({ code: 'backup.corrupt' });
    await expect(decryptBackup(bytes.subarray(0, 20), PASSPHRASE, 'f')).rejects.toMatchObject({ code: 'backup.corrupt', params: { reason: 'it is truncated inside the header' } });
    await expect(decryptBackup(Buffer.from('-----BEGIN CERTIFICATE-----'), PASSPHRASE, 'f')).rejects.toMatchObject({ code: 'backup.not_a_backup' });
    await expect(decryptBackup(Buffer.concat([bytes, Buffer.from('x')]), PASSPHRASE, 'f')).rejects.toMatchObject({ code: 'backup.corrupt' });
  });

  it('authenticates the header: a changed creation date fails like a wrong passphrase', async () => {
    const bytes = await encryptBackup({}, PASSPHRASE, new Date('2026-01-01T00:00:00.000Z'), cheap);
    await expect(decryptBackup(edited(bytes, '2026-01-01', '2025-01-01'), PASSPHRASE, 'f')).rejects.toMatchObject({ code: 'backup.wrong_passphrase' });
  });

  it('refuses a short passphrase', async () => {
    await expect(encryptBackup({}, 'short', new Date(), cheap)).rejects.toMatchObject({ code: 'backup.passphrase_too_short', params: { min: 10 } });
  });
});
