import { createDecipheriv, createHmac, createPrivateKey, createPublicKey, diffieHellman, type KeyObject } from 'node:crypto';
import { Aes128Gcm, CipherSuite, DhkemX25519HkdfSha256, HkdfSha256 } from '@hpke/core';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { generateMemberKeyPair } from '../../../main/core/team/crypto/member-key';
import { teamSuite } from '../../../main/core/team/crypto/suite';
import {
  TEAM_KEY_BYTES,
  WRAPPED_TEAM_KEY_BYTES,
  newTeamKey,
  unwrapTeamKey,
  wrapTeamKey,
  type WrapContext,
} from '../../../main/core/team/crypto/team-key';

const hex = (value: string) => Buffer.from(value, 'hex');
const context: WrapContext = { teamId: '5b0d8b9e-team', memberId: 'member-a', keyVersion: 2 };

async function expectUnwrapFailure(promise: Promise<unknown>, version: number): Promise<void> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VaultError);
  expect((error as VaultError).code).toBe('team.key_unwrap_failed');
  expect((error as VaultError).params).toEqual({ version });
}

describe('team key wrap', () => {
  it('round-trips a new 256-bit team key to its member', async () => {
    const pair = await generateMemberKeyPair();
    const teamKey = newTeamKey();
    expect(teamKey).toHaveLength(TEAM_KEY_BYTES);
    expect(newTeamKey().equals(teamKey)).toBe(false);
    const wrapped = await wrapTeamKey(teamKey, pair.publicKey, context);
    expect(wrapped).toHaveLength(WRAPPED_TEAM_KEY_BYTES);
    expect((await unwrapTeamKey(wrapped, pair, context)).equals(teamKey)).toBe(true);
  });

  it('gives a fresh wrap each time (new ephemeral key per wrap)', async () => {
    const pair = await generateMemberKeyPair();
    const teamKey = newTeamKey();
    const first = await wrapTeamKey(teamKey, pair.publicKey, context);
    const second = await wrapTeamKey(teamKey, pair.publicKey, context);
    expect(first.equals(second)).toBe(false);
  });

  it('cannot be opened by another member, even given the context of the wrap', async () => {
    const alice = await generateMemberKeyPair();
    const bob = await generateMemberKeyPair();
    const wrapped = await wrapTeamKey(newTeamKey(), alice.publicKey, context);
    await expectUnwrapFailure(unwrapTeamKey(wrapped, bob, context), 2);
  });

  it('a wrap for member A / version 2 does not open as member B, version 3 or another team', async () => {
    const pair = await generateMemberKeyPair();
    const wrapped = await wrapTeamKey(newTeamKey(), pair.publicKey, context);
    await expectUnwrapFailure(unwrapTeamKey(wrapped, pair, { ...context, memberId: 'member-b' }), 2);
    await expectUnwrapFailure(unwrapTeamKey(wrapped, pair, { ...context, keyVersion: 3 }), 3);
    await expectUnwrapFailure(unwrapTeamKey(wrapped, pair, { ...context, teamId: 'other-team' }), 2);
  });

  it('binds the fields unambiguously: moving characters between team and member id changes the context', async () => {
    const pair = await generateMemberKeyPair();
    const wrapped = await wrapTeamKey(newTeamKey(), pair.publicKey, { teamId: 'ab', memberId: 'c', keyVersion: 1 });
    await expectUnwrapFailure(unwrapTeamKey(wrapped, pair, { teamId: 'a', memberId: 'bc', keyVersion: 1 }), 1);
  });

  it('refuses any changed byte, a truncated wrap and an unknown format', async () => {
    const pair = await generateMemberKeyPair();
    const wrapped = await wrapTeamKey(newTeamKey(), pair.publicKey, context);
    for (const index of [0, 1, 20, 33, 40, wrapped.length - 1]) {
      const tampered = Buffer.from(wrapped);
      tampered[index] = (tampered[index] ?? 0) ^ 0x01;
      await expectUnwrapFailure(unwrapTeamKey(tampered, pair, context), 2);
    }
    await expectUnwrapFailure(unwrapTeamKey(wrapped.subarray(0, wrapped.length - 1), pair, context), 2);
    await expectUnwrapFailure(unwrapTeamKey(Buffer.alloc(0), pair, context), 2);
  });

  it('rejects bad inputs from the caller as programming errors', async () => {
    const pair = await generateMemberKeyPair();
    await expect(wrapTeamKey(Buffer.alloc(16), pair.publicKey, context)).rejects.toThrow(RangeError);
    await expect(wrapTeamKey(newTeamKey(), Buffer.alloc(31), context)).rejects.toThrow(RangeError);
    await expect(wrapTeamKey(newTeamKey(), pair.publicKey, { ...context, keyVersion: 0 })).rejects.toThrow(RangeError);
    await expect(wrapTeamKey(newTeamKey(), pair.publicKey, { ...context, keyVersion: 1.5 })).rejects.toThrow(RangeError);
    await expect(wrapTeamKey(newTeamKey(), pair.publicKey, { ...context, memberId: '' })).rejects.toThrow(RangeError);
  });
});

// RFC 9180 Appendix A.1.1: DHKEM(X25519, HKDF-SHA256), HKDF-SHA256, AES-128-GCM, base mode, first
// encryption. The RFC has no X25519 vector with AES-256-GCM; this one pins the library's KEM, key
// import and key schedule with the ephemeral key fixed from ikmE.
describe('RFC 9180 A.1.1 known answer', () => {
  const vector = {
    info: hex('4f6465206f6e2061204772656369616e2055726e'),
    ikmE: hex('7268600d403fce431561aef583ee1613527cff655c1343f29812e66706df3234'),
    pkRm: hex('3948cfe0ad1ddb695d780e59077195da6c56506b027329794ab02bca80815c4d'),
    skRm: hex('4612c550263fc8ad58375df3f557aac531d26850903e55a9f23f21d8534e8ac8'),
    enc: hex('37fda3567bdbd628e88668c3c8d7e97d1d1253b6d4ea6d44c150f741f1bf4431'),
    pt: hex('4265617574792069732074727574682c20747275746820626561757479'),
    aad: hex('436f756e742d30'),
    ct: hex('f938558b5d72f1a23810b4be2ab4f84331acc02fc97babc53a52ae8218a355a96d8770ac83d07bea87e13c512a'),
  };
  const suite = new CipherSuite({ kem: new DhkemX25519HkdfSha256(), kdf: new HkdfSha256(), aead: new Aes128Gcm() });

  it('seals to the published enc and ciphertext', async () => {
    const recipientPublicKey = await suite.kem.deserializePublicKey(vector.pkRm);
    const sealed = await suite.seal({ recipientPublicKey, info: vector.info, ekm: vector.ikmE }, vector.pt, vector.aad);
    expect(Buffer.from(sealed.enc).toString('hex')).toBe(vector.enc.toString('hex'));
    expect(Buffer.from(sealed.ct).toString('hex')).toBe(vector.ct.toString('hex'));
  });

  it('opens the published ciphertext with the raw 32-byte recipient keys', async () => {
    const recipientKey = {
      publicKey: await suite.kem.deserializePublicKey(vector.pkRm),
      privateKey: await suite.kem.deserializePrivateKey(vector.skRm),
    };
    const opened = await suite.open({ recipientKey, enc: vector.enc, info: vector.info }, vector.ct, vector.aad);
    expect(Buffer.from(opened).equals(vector.pt)).toBe(true);
  });
});

// The team suite's identifiers and its AES-256-GCM key schedule, checked against an independent
// RFC 9180 base-mode opener written here with Node's X25519, HMAC-SHA256 and AES-256-GCM.
describe('team suite interop', () => {
  it('uses KEM 0x0020, KDF 0x0001, AEAD 0x0002', () => {
    expect([teamSuite.kem.id, teamSuite.kdf.id, teamSuite.aead.id]).toEqual([0x0020, 0x0001, 0x0002]);
  });

  it('a team key wrap opens with an independently built RFC 9180 opener', async () => {
    const pair = await generateMemberKeyPair();
    const teamKey = newTeamKey();
    const wrapped = await wrapTeamKey(teamKey, pair.publicKey, context);
    const enc = wrapped.subarray(1, 33);
    const ciphertext = wrapped.subarray(33);
    // The info the module documents: a length-prefixed label, team id, member id and key version.
    const field = (value: string) => {
      const bytes = Buffer.from(value, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    };
    const info = Buffer.concat(['cert-vault team key wrap v1', context.teamId, context.memberId, '2'].map(field));
    expect(referenceOpen(pair.privateKey, pair.publicKey, enc, info, ciphertext).equals(teamKey)).toBe(true);
  });
});

function referenceOpen(skR: Buffer, pkR: Buffer, enc: Buffer, info: Buffer, ciphertext: Buffer): Buffer {
  const x25519Private = (raw: Buffer): KeyObject =>
    createPrivateKey({ key: Buffer.concat([hex('302e020100300506032b656e04220420'), raw]), format: 'der', type: 'pkcs8' });
  const x25519Public = (raw: Buffer): KeyObject =>
    createPublicKey({ key: Buffer.concat([hex('302a300506032b656e032100'), raw]), format: 'der', type: 'spki' });
  const extract = (salt: Buffer, ikm: Buffer) => createHmac('sha256', salt.length ? salt : Buffer.alloc(32)).update(ikm).digest();
  const expand = (prk: Buffer, label: Buffer, length: number) => {
    let block = Buffer.alloc(0);
    let out = Buffer.alloc(0);
    for (let i = 1; out.length < length; i++) {
      block = createHmac('sha256', prk).update(Buffer.concat([block, label, Buffer.from([i])])).digest();
      out = Buffer.concat([out, block]);
    }
    return out.subarray(0, length);
  };
  const kemId = Buffer.concat([Buffer.from('KEM'), hex('0020')]);
  const hpkeId = Buffer.concat([Buffer.from('HPKE'), hex('002000010002')]);
  const labeledExtract = (id: Buffer, salt: Buffer, label: string, ikm: Buffer) =>
    extract(salt, Buffer.concat([Buffer.from('HPKE-v1'), id, Buffer.from(label), ikm]));
  const labeledExpand = (id: Buffer, prk: Buffer, label: string, infoBytes: Buffer, length: number) => {
    const size = Buffer.alloc(2);
    size.writeUInt16BE(length);
    return expand(prk, Buffer.concat([size, Buffer.from('HPKE-v1'), id, Buffer.from(label), infoBytes]), length);
  };
  const dh = diffieHellman({ privateKey: x25519Private(skR), publicKey: x25519Public(enc) });
  const eaePrk = labeledExtract(kemId, Buffer.alloc(0), 'eae_prk', dh);
  const sharedSecret = labeledExpand(kemId, eaePrk, 'shared_secret', Buffer.concat([enc, pkR]), 32);
  const keyScheduleContext = Buffer.concat([
    Buffer.from([0]),
    labeledExtract(hpkeId, Buffer.alloc(0), 'psk_id_hash', Buffer.alloc(0)),
    labeledExtract(hpkeId, Buffer.alloc(0), 'info_hash', info),
  ]);
  const secret = labeledExtract(hpkeId, sharedSecret, 'secret', Buffer.alloc(0));
  const key = labeledExpand(hpkeId, secret, 'key', keyScheduleContext, 32);
  const nonce = labeledExpand(hpkeId, secret, 'base_nonce', keyScheduleContext, 12);
  const decipher = createDecipheriv('aes-256-gcm', key, nonce);
  decipher.setAuthTag(ciphertext.subarray(ciphertext.length - 16));
  const plaintext = Buffer.concat([decipher.update(ciphertext.subarray(0, ciphertext.length - 16)), decipher.final()]);
  return plaintext;
}
