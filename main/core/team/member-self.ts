import { fingerprintPhrase } from './crypto/fingerprint-phrase';
import { loadMemberKey } from './crypto/member-key';
import type { JoinRequest, Member } from './db/schema';
import type { TeamEnvironment } from './session';
import { TeamSettingsStore } from './team-settings';

// Where this computer stands in a team vault, for the window: an active member (with its role), a
// join request still waiting for an admin, one an admin rejected, or removed. A waiting request
// shows its phrase again, recomputed from the member key in this computer's keychain, so it can
// still be read to an admin after the app restarted.

export type MemberSelf =
  | { readonly state: 'member'; readonly member: Member }
  | { readonly state: 'pending'; readonly fingerprintPhrase: string | null }
  | { readonly state: 'rejected' }
  | { readonly state: 'removed' };

/** `ownRequest`: this computer's join request (its id is the member id), null when none is on record. */
export async function memberSelf(env: TeamEnvironment, vaultName: string, members: readonly Member[], ownRequest: Pick<JoinRequest, 'status'> | null): Promise<MemberSelf> {
  const entry = new TeamSettingsStore(env.dataDir).find(vaultName);
  const record = members.find((member) => member.id === entry.memberId);
  if (record?.status === 'active') return { state: 'member', member: record };
  if (record) return { state: 'removed' };
  if (ownRequest?.status === 'rejected') return { state: 'rejected' };
  const pair = await loadMemberKey(env.secrets, entry.teamId, entry.memberId);
  return { state: 'pending', fingerprintPhrase: pair ? fingerprintPhrase(entry.teamId, entry.memberId, pair.publicKey) : null };
}
