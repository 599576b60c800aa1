import { createHash } from 'node:crypto';
import { lengthPrefixed } from './encoding';

// What an admin compares, by voice or side by side, before approving a join request: digits only,
// so it reads the same in every language and script (as Signal's safety numbers do).
//
// Entropy: 6 groups of 5 decimal digits = 6 x log2(100000) = 99.7 bits. Each group is 5 bytes
// (40 bits) of a SHA-256 digest reduced mod 100000; the bias that leaves is below 2^-23 per group.
// Someone who swaps the public key in a join request must find another key (with any request id)
// whose phrase equals the real one: a second preimage on ~100 bits, far beyond brute force. Four
// groups (66 bits) would be within reach of a large mining-scale attacker, hence six.

const PHRASE_LABEL = 'cert-vault team join fingerprint v1';
export const PHRASE_GROUPS = 6;
const GROUP_BYTES = 5;
const GROUP_DIGITS = 5;

export function fingerprintPhrase(teamId: string, requestId: string, publicKey: Buffer): string {
  const digest = createHash('sha256').update(lengthPrefixed(PHRASE_LABEL, [teamId, requestId, publicKey])).digest();
  const groups: string[] = [];
  for (let i = 0; i < PHRASE_GROUPS; i++) {
    const value = digest.readUIntBE(i * GROUP_BYTES, GROUP_BYTES) % 10 ** GROUP_DIGITS;
    groups.push(String(value).padStart(GROUP_DIGITS, '0'));
  }
  return groups.join(' ');
}
