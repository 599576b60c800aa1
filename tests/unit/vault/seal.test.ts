import { describe, expect, it } from 'vitest';
import { dataKeyCheck, generateDataKey, matchesCheck, seal, unseal } from '../../../main/core/seal';

const plaintext = Buffer.from('-----BEGIN PRIVATE KEY-----\nsecret\n-----END PRIVATE KEY-----\n');

describe('seal', () => {
  it('round-trips under the same key and entry id', () => {
    const key = generateDataKey();
    const sealed = seal(key, plaintext, 'entry-1');
    expect(sealed.nonce).toHaveLength(12);
    expect(sealed.ciphertext.includes(plaintext)).toBe(false);
    expect(unseal(key, sealed, 'entry-1')).toEqual(plaintext);
  });

  it('uses a fresh nonce every time', () => {
    const key = generateDataKey();
    const a = seal(key, plaintext, 'e');
    const b = seal(key, plaintext, 'e');
    expect(a.nonce.equals(b.nonce)).toBe(false);
    expect(a.ciphertext.equals(b.ciphertext)).toBe(false);
  });

  it('refuses another entry id, another key, or a flipped bit', () => {
    const key = generateDataKey();
    const sealed = seal(key, plaintext, 'entry-1');
    expect(unseal(key, sealed, 'entry-2')).toBeNull();
    expect(unseal(generateDataKey(), sealed, 'entry-1')).toBeNull();
    const tampered = Buffer.from(sealed.ciphertext);
    tampered[0] = tampered[0]! ^ 1;
    expect(unseal(key, { nonce: sealed.nonce, ciphertext: tampered }, 'entry-1')).toBeNull();
    expect(unseal(key, { nonce: sealed.nonce.subarray(1), ciphertext: sealed.ciphertext }, 'entry-1')).toBeNull();
  });

  it('recognises its data key by a check value that is not the key', () => {
    const key = generateDataKey();
    const check = dataKeyCheck(key);
    expect(check).not.toContain(key.toString('hex'));
    expect(matchesCheck(key, check)).toBe(true);
    expect(matchesCheck(generateDataKey(), check)).toBe(false);
  });

  it('rejects a data key of the wrong size', () => {
    expect(() => seal(Buffer.alloc(16), plaintext, 'e')).toThrow(RangeError);
  });
});
