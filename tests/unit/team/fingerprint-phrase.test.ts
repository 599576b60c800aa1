import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PHRASE_GROUPS, fingerprintPhrase } from '../../../main/core/team/crypto/fingerprint-phrase';

const publicKey = Buffer.from('3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d', 'hex');

describe('fingerprint phrase', () => {
  it('is six groups of five digits, the same for the same input', () => {
    const phrase = fingerprintPhrase('team-1', 'request-1', publicKey);
    expect(phrase).toMatch(/^\d{5}( \d{5}){5}$/);
    expect(phrase.split(' ')).toHaveLength(PHRASE_GROUPS);
    expect(fingerprintPhrase('team-1', 'request-1', Buffer.from(publicKey))).toBe(phrase);
  });

  it('is pinned: both screens (and future versions) compute exactly this phrase', () => {
    // SHA-256 over the length-prefixed label, team id, request id and key; each 5-byte slice mod 100000.
    const field = (value: Buffer) => Buffer.concat([Buffer.from([0, 0, 0, value.length]), value]);
    const input = Buffer.concat(
      [Buffer.from('cert-vault team join fingerprint v1'), Buffer.from('team-1'), Buffer.from('request-1'), publicKey].map(field),
    );
    const digest = createHash('sha256').update(input).digest();
    const expected = [0, 1, 2, 3, 4, 5].map((i) => String(digest.readUIntBE(i * 5, 5) % 100000).padStart(5, '0')).join(' ');
    expect(fingerprintPhrase('team-1', 'request-1', publicKey)).toBe(expected);
    expect(fingerprintPhrase('team-1', 'request-1', publicKey)).toBe('70859 25629 33096 81828 63720 15278');
  });

  it('changes with the team, the request and any bit of the key', () => {
    const phrase = fingerprintPhrase('team-1', 'request-1', publicKey);
    expect(fingerprintPhrase('team-2', 'request-1', publicKey)).not.toBe(phrase);
    expect(fingerprintPhrase('team-1', 'request-2', publicKey)).not.toBe(phrase);
    const flipped = Buffer.from(publicKey);
    flipped[31] = (flipped[31] ?? 0) ^ 0x01;
    expect(fingerprintPhrase('team-1', 'request-1', flipped)).not.toBe(phrase);
  });

  it('cannot be made equal by moving characters between the team id and the request id', () => {
    expect(fingerprintPhrase('team-1r', 'equest-1', publicKey)).not.toBe(fingerprintPhrase('team-1', 'request-1', publicKey));
  });
});
