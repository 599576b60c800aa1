import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import {
  deleteMemberKey,
  generateMemberKeyPair,
  loadMemberKey,
  memberKeyAccount,
  requireMemberKey,
  saveMemberKey,
} from '../../../main/core/team/crypto/member-key';
import { newTeamKey, unwrapTeamKey, wrapTeamKey } from '../../../main/core/team/crypto/team-key';
import { MemorySecretStore } from '../vault/helpers/memory-secret-store';

const TEAM = '0f6c1e52-team';
const MEMBER = '9d1f7a40-member';
const ACCOUNT = `team-member:${TEAM}:${MEMBER}`;

async function vaultErrorOf(promise: Promise<unknown>): Promise<VaultError> {
  const error = await promise.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(VaultError);
  return error as VaultError;
}

describe('member key pair', () => {
  it('is a raw 32-byte X25519 pair, new each time', async () => {
    const pair = await generateMemberKeyPair();
    expect(pair.publicKey).toHaveLength(32);
    expect(pair.privateKey).toHaveLength(32);
    expect((await generateMemberKeyPair()).privateKey.equals(pair.privateKey)).toBe(false);
  });

  it('is stored under team-member:<team>:<member> and loads back as the same pair', async () => {
    const secrets = new MemorySecretStore();
    const pair = await generateMemberKeyPair();
    await saveMemberKey(secrets, TEAM, MEMBER, pair);
    expect(memberKeyAccount(TEAM, MEMBER)).toBe(ACCOUNT);
    expect([...secrets.secrets.keys()]).toEqual([ACCOUNT]);
    expect(secrets.secrets.get(ACCOUNT)).not.toContain(pair.privateKey.toString('hex'));
    const loaded = await loadMemberKey(secrets, TEAM, MEMBER);
    expect(loaded?.publicKey.equals(pair.publicKey)).toBe(true);
    expect(loaded?.privateKey.equals(pair.privateKey)).toBe(true);
  });

  it('a loaded key opens the team key wrapped to the published public key', async () => {
    const secrets = new MemorySecretStore();
    const pair = await generateMemberKeyPair();
    await saveMemberKey(secrets, TEAM, MEMBER, pair);
    const teamKey = newTeamKey();
    const context = { teamId: TEAM, memberId: MEMBER, keyVersion: 1 };
    const wrapped = await wrapTeamKey(teamKey, pair.publicKey, context);
    expect((await unwrapTeamKey(wrapped, await requireMemberKey(secrets, TEAM, MEMBER), context)).equals(teamKey)).toBe(true);
  });

  it('is null when absent; requireMemberKey says which team has no key', async () => {
    const secrets = new MemorySecretStore();
    await saveMemberKey(secrets, TEAM, MEMBER, await generateMemberKeyPair());
    expect(await loadMemberKey(secrets, TEAM, 'other-member')).toBeNull();
    expect(await loadMemberKey(secrets, 'other-team', MEMBER)).toBeNull();
    const error = await vaultErrorOf(requireMemberKey(secrets, 'other-team', MEMBER));
    expect(error.code).toBe('team.member_key_missing');
    expect(error.params).toEqual({ team: 'other-team' });
  });

  it('deletes the key of one member only', async () => {
    const secrets = new MemorySecretStore();
    await saveMemberKey(secrets, TEAM, MEMBER, await generateMemberKeyPair());
    await saveMemberKey(secrets, TEAM, 'other-member', await generateMemberKeyPair());
    expect(await deleteMemberKey(secrets, TEAM, MEMBER)).toBe(true);
    expect(await deleteMemberKey(secrets, TEAM, MEMBER)).toBe(false);
    expect(await loadMemberKey(secrets, TEAM, MEMBER)).toBeNull();
    expect(await loadMemberKey(secrets, TEAM, 'other-member')).not.toBeNull();
  });

  it('refuses to store a pair whose halves do not belong together', async () => {
    const secrets = new MemorySecretStore();
    const a = await generateMemberKeyPair();
    const b = await generateMemberKeyPair();
    await expect(saveMemberKey(secrets, TEAM, MEMBER, { publicKey: a.publicKey, privateKey: b.privateKey })).rejects.toThrow(RangeError);
    expect(secrets.secrets.size).toBe(0);
  });

  it('passes keychain.unavailable through', async () => {
    const secrets = new MemorySecretStore();
    secrets.unavailable = true;
    expect((await vaultErrorOf(loadMemberKey(secrets, TEAM, MEMBER))).code).toBe('keychain.unavailable');
    expect((await vaultErrorOf(saveMemberKey(secrets, TEAM, MEMBER, await generateMemberKeyPair()))).code).toBe('keychain.unavailable');
  });

  describe('a damaged keychain entry is team.member_key_corrupt naming the entry, never a crash', () => {
    const entry = async (): Promise<Record<string, unknown>> => {
      const pair = await generateMemberKeyPair();
      return {
        format: 'cert-vault team member key',
        version: 1,
        publicKey: pair.publicKey.toString('base64'),
        privateKey: pair.privateKey.toString('base64'),
      };
    };
    const other = async () => (await generateMemberKeyPair()).publicKey.toString('base64');
    const cases: [string, () => Promise<string>][] = [
      ['not JSON', async () => 'not json{'],
      ['empty', async () => ''],
      ['JSON null', async () => 'null'],
      ['a bare base64 key', async () => (await generateMemberKeyPair()).privateKey.toString('base64')],
      ['another format', async () => JSON.stringify({ ...(await entry()), format: 'something else' })],
      ['a newer version', async () => JSON.stringify({ ...(await entry()), version: 2 })],
      ['a missing private key', async () => JSON.stringify({ ...(await entry()), privateKey: undefined })],
      ['a private key of the wrong type', async () => JSON.stringify({ ...(await entry()), privateKey: 42 })],
      ['a short key', async () => JSON.stringify({ ...(await entry()), publicKey: Buffer.alloc(31).toString('base64') })],
      ['junk inside the base64', async () => {
        const value = await entry();
        return JSON.stringify({ ...value, privateKey: `${String(value.privateKey).slice(0, 10)}!${String(value.privateKey).slice(10)}` });
      }],
      ['a public key of another pair', async () => JSON.stringify({ ...(await entry()), publicKey: await other() })],
    ];
    it.each(cases)('%s', async (_name, stored) => {
      const secrets = new MemorySecretStore();
      secrets.secrets.set(ACCOUNT, await stored());
      const error = await vaultErrorOf(loadMemberKey(secrets, TEAM, MEMBER));
      expect(error.code).toBe('team.member_key_corrupt');
      expect(error.params).toEqual({ team: TEAM, account: ACCOUNT });
      expect(error.message).toContain(ACCOUNT);
      expect((await vaultErrorOf(requireMemberKey(secrets, TEAM, MEMBER))).code).toBe('team.member_key_corrupt');
    });
  });
});
