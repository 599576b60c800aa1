import { randomBytes } from 'node:crypto';
import { VaultError } from '../../../../shared/errors';
import { DATA_KEY_BYTES } from '../../seal';
import { lengthPrefixed } from './encoding';
import type { MemberKeyPair } from './member-key';
import { X25519_KEY_BYTES, bytesOf, teamSuite } from './suite';

// The team key seals private keys exactly as the local data key does (seal.ts), so it has the data
// key's size. The database keeps it only wrapped to each member's public key with HPKE base mode
// (RFC 9180, single-shot seal). HPKE's `info` names the team, the member and the key version: a wrap
// copied onto another member's row or kept from an older rotation fails to open instead of
// handing over a team key meant for someone or something else.
//
// A wrap is: format byte, the 32-byte KEM encapsulation, then the AEAD ciphertext of the key (+ tag).

export const TEAM_KEY_BYTES = DATA_KEY_BYTES;

const WRAP_FORMAT = 0x01;
const WRAP_INFO_LABEL = 'cert-vault team key wrap v1';
const AEAD_TAG_BYTES = 16;
export const WRAPPED_TEAM_KEY_BYTES = 1 + X25519_KEY_BYTES + TEAM_KEY_BYTES + AEAD_TAG_BYTES;

export interface WrapContext {
  readonly teamId: string;
  readonly memberId: string;
  readonly keyVersion: number;
}

export function newTeamKey(): Buffer {
  return randomBytes(TEAM_KEY_BYTES);
}

export async function wrapTeamKey(teamKey: Buffer, recipientPublicKey: Buffer, context: WrapContext): Promise<Buffer> {
  if (teamKey.length !== TEAM_KEY_BYTES) throw new RangeError(`team key must be ${TEAM_KEY_BYTES} bytes`);
  if (recipientPublicKey.length !== X25519_KEY_BYTES) throw new RangeError(`member public key must be ${X25519_KEY_BYTES} bytes`);
  const sealed = await teamSuite.seal(
    { recipientPublicKey: await teamSuite.kem.deserializePublicKey(recipientPublicKey), info: wrapInfo(context) },
    teamKey,
  );
  return Buffer.concat([Buffer.from([WRAP_FORMAT]), bytesOf(sealed.enc), bytesOf(sealed.ct)]);
}

/**
 * The team key, or `team.key_unwrap_failed` when the wrap was made for another member, team or key
 * version, was changed, or is not a wrap at all. Nothing tells these apart, by design.
 */
export async function unwrapTeamKey(wrapped: Buffer, pair: MemberKeyPair, context: WrapContext): Promise<Buffer> {
  const info = wrapInfo(context);
  const failed = new VaultError('team.key_unwrap_failed', { version: context.keyVersion });
  if (wrapped.length !== WRAPPED_TEAM_KEY_BYTES || wrapped[0] !== WRAP_FORMAT) throw failed;
  let teamKey: Buffer;
  try {
    const recipientKey = {
      publicKey: await teamSuite.kem.deserializePublicKey(pair.publicKey),
      privateKey: await teamSuite.kem.deserializePrivateKey(pair.privateKey),
    };
    const enc = wrapped.subarray(1, 1 + X25519_KEY_BYTES);
    const ciphertext = wrapped.subarray(1 + X25519_KEY_BYTES);
    teamKey = bytesOf(await teamSuite.open({ recipientKey, enc, info }, ciphertext));
  } catch {
    throw failed;
  }
  if (teamKey.length !== TEAM_KEY_BYTES) throw failed;
  return teamKey;
}

function wrapInfo(context: WrapContext): Buffer {
  if (!context.teamId || !context.memberId) throw new RangeError('wrap context needs a team id and a member id');
  if (!Number.isSafeInteger(context.keyVersion) || context.keyVersion < 1) {
    throw new RangeError(`wrap context: key version must be a positive integer, got ${context.keyVersion}`);
  }
  return lengthPrefixed(WRAP_INFO_LABEL, [context.teamId, context.memberId, String(context.keyVersion)]);
}
