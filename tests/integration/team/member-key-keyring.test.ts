import { afterAll, describe, expect, it } from 'vitest';
import { osKeychain } from '../../../main/core/keychain';
import { deleteMemberKey, generateMemberKeyPair, loadMemberKey, saveMemberKey } from '../../../main/core/team/crypto/member-key';
import { newTeamKey, unwrapTeamKey, wrapTeamKey } from '../../../main/core/team/crypto/team-key';
import { assertThrowawayKeyring } from '../vault/keyring-guard';

// The member key in the real Secret Service of scripts/with-keyring.sh.
assertThrowawayKeyring();

const secrets = osKeychain();
const TEAM = 'it-team';
const MEMBER = 'it-member';
afterAll(async () => {
  await deleteMemberKey(secrets, TEAM, MEMBER);
});

describe('member key in the OS keychain', () => {
  it('survives a round trip through the Secret Service and still opens its team key', async () => {
    const pair = await generateMemberKeyPair();
    await saveMemberKey(secrets, TEAM, MEMBER, pair);
    expect(await secrets.get(`team-member:${TEAM}:${MEMBER}`)).not.toBeNull();
    const loaded = await loadMemberKey(osKeychain(), TEAM, MEMBER);
    expect(loaded?.privateKey.equals(pair.privateKey)).toBe(true);
    const context = { teamId: TEAM, memberId: MEMBER, keyVersion: 1 };
    const teamKey = newTeamKey();
    expect((await unwrapTeamKey(await wrapTeamKey(teamKey, pair.publicKey, context), loaded!, context)).equals(teamKey)).toBe(true);
  });

  it('a damaged entry in the Secret Service is team.member_key_corrupt', async () => {
    await secrets.set(`team-member:${TEAM}:${MEMBER}`, '{"format":"cert-vault team member key","version":1}');
    await expect(loadMemberKey(secrets, TEAM, MEMBER)).rejects.toMatchObject({ code: 'team.member_key_corrupt' });
  });
});
