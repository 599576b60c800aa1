import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { seal, unseal } from '../../../main/core/seal';
import { resealAll, type SealedBlob } from '../../../main/core/team/crypto/reseal';
import { newTeamKey } from '../../../main/core/team/crypto/team-key';

function blobs(key: Buffer, count: number): { blobs: SealedBlob[]; plaintexts: Buffer[] } {
  const plaintexts = Array.from({ length: count }, (_, i) => Buffer.from(`private key ${i}`));
  return {
    plaintexts,
    blobs: plaintexts.map((plaintext, i) => ({ id: `entry-${i}`, associatedData: `entry-${i}#leaf`, sealed: seal(key, plaintext, `entry-${i}#leaf`) })),
  };
}

function resealError(run: () => unknown): VaultError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(VaultError);
    return error as VaultError;
  }
  throw new Error('expected resealAll to throw');
}

describe('resealAll', () => {
  it('re-seals every blob under the new key in the local seal format, same ids and associated data, in order', () => {
    const oldKey = newTeamKey();
    const newKey = newTeamKey();
    const input = blobs(oldKey, 4);
    const output = resealAll(input.blobs, oldKey, newKey);
    expect(output.map((blob) => [blob.id, blob.associatedData])).toEqual(input.blobs.map((blob) => [blob.id, blob.associatedData]));
    output.forEach((blob, i) => {
      expect(unseal(newKey, blob.sealed, blob.associatedData)?.equals(input.plaintexts[i]!)).toBe(true);
      expect(unseal(oldKey, blob.sealed, blob.associatedData)).toBeNull();
      expect(blob.sealed.nonce.equals(input.blobs[i]!.sealed.nonce)).toBe(false);
    });
  });

  it('keeps each blob bound to its row: a re-sealed blob does not open under another associated data', () => {
    const oldKey = newTeamKey();
    const newKey = newTeamKey();
    const [first] = resealAll(blobs(oldKey, 1).blobs, oldKey, newKey);
    expect(unseal(newKey, first!.sealed, 'entry-1#leaf')).toBeNull();
  });

  it('leaves the input untouched', () => {
    const oldKey = newTeamKey();
    const input = blobs(oldKey, 2);
    const before = input.blobs.map((blob) => Buffer.concat([blob.sealed.nonce, blob.sealed.ciphertext]).toString('hex'));
    resealAll(input.blobs, oldKey, newTeamKey());
    expect(input.blobs.map((blob) => Buffer.concat([blob.sealed.nonce, blob.sealed.ciphertext]).toString('hex'))).toEqual(before);
  });

  it('is all or nothing: one blob the old key cannot open fails the whole call, naming it', () => {
    const oldKey = newTeamKey();
    const input = blobs(oldKey, 5);
    const tampered = Buffer.from(input.blobs[3]!.sealed.ciphertext);
    tampered[0] = (tampered[0] ?? 0) ^ 0x01;
    input.blobs[3] = { ...input.blobs[3]!, sealed: { ...input.blobs[3]!.sealed, ciphertext: tampered } };
    const error = resealError(() => resealAll(input.blobs, oldKey, newTeamKey()));
    expect(error.code).toBe('team.reseal_failed');
    expect(error.params).toEqual({ count: 1, ids: 'entry-3' });
    expect(error.message).toContain('entry-3');
  });

  it('names the blobs sealed under another key, or moved to another row', () => {
    const oldKey = newTeamKey();
    const input = blobs(oldKey, 3);
    input.blobs[0] = blobs(newTeamKey(), 1).blobs[0]!;
    input.blobs[2] = { ...input.blobs[2]!, associatedData: 'entry-1#leaf' };
    expect(resealError(() => resealAll(input.blobs, oldKey, newTeamKey())).params).toEqual({ count: 2, ids: 'entry-0, entry-2' });
  });

  it('lists five failing ids and counts all of them', () => {
    const input = blobs(newTeamKey(), 7);
    expect(resealError(() => resealAll(input.blobs, newTeamKey(), newTeamKey())).params).toEqual({
      count: 7,
      ids: 'entry-0, entry-1, entry-2, entry-3, entry-4, …',
    });
  });

  it('re-seals nothing into nothing, and refuses the old key as the new one', () => {
    const key = newTeamKey();
    expect(resealAll([], key, newTeamKey())).toEqual([]);
    expect(() => resealAll(blobs(key, 1).blobs, key, Buffer.from(key))).toThrow(RangeError);
  });
});
