import type { Kysely } from 'kysely';
import { VaultError } from '../../../shared/errors';
import type { VaultDb } from '../db/vault-db';
import type { SecretStore } from '../keychain';
import { sealedKeyCount, type DataKeyProvider, type DataKeyStatus } from '../library/data-key';
import { requireMemberKey } from './crypto/member-key';
import { unwrapTeamKey } from './crypto/team-key';
import { teamDbCall } from './db/connect';
import type { TeamDbAddress } from './db/connection-url';
import type { TeamDatabase } from './db/schema';
import type { TeamEntry } from './team-settings';

// A team vault's data key is the team key: private keys and shared secrets are sealed with it in
// the same format as the local data key. This member opens it from its own wrap with the member
// key in its keychain. A viewer has no wrap, so it never holds the key: its app cannot open a
// private key whatever it is asked. The current key version is read every time, so a rotation
// by another member is followed at once; the opened key is kept per version. While the server is
// out of reach (the vault shows its local copy), the key opened before is used; without one, the
// offline error says why no key opens.

export interface TeamDataKeysOptions {
  /** The team tables: only on the server, so it throws `team.offline` while the vault is offline. */
  readonly teamDb: () => Kysely<TeamDatabase>;
  readonly vaultDb: VaultDb;
  readonly address: TeamDbAddress;
  readonly secrets: SecretStore;
  readonly entry: TeamEntry;
}

export class TeamDataKeys implements DataKeyProvider {
  private opened: { readonly version: number; readonly key: Buffer } | null = null;

  constructor(private readonly options: TeamDataKeysOptions) {}

  /** Ready with the team key, or missing (a viewer, or left out of the last rotation) with how many keys stay closed. */
  async status(): Promise<DataKeyStatus> {
    const opened = await this.currentKey();
    if (opened) return { state: 'ready', key: opened.key };
    const { vaultDb, address } = this.options;
    return { state: 'missing', sealedKeys: await teamDbCall(address, () => sealedKeyCount(vaultDb.db)) };
  }

  /** The team key for sealing; a member without it is told why (`team.viewer_no_key`, `team.no_team_key`). */
  async forSealing(): Promise<Buffer> {
    return (await this.current()).key;
  }

  /** The team key with its version (a shared account's secret records it: team-secret.ts); refused like `forSealing`. */
  async current(): Promise<{ readonly key: Buffer; readonly version: number }> {
    const opened = await this.currentKey();
    if (opened) return opened;
    throw await this.missingKeyError();
  }

  /** Why this member holds no team key, in words a viewer can act on. */
  async missingKeyError(): Promise<VaultError> {
    const state = await this.readState();
    if (state.role === 'viewer') return new VaultError('team.viewer_no_key', { team: this.options.entry.name });
    return new VaultError('team.no_team_key', { version: state.keyVersion });
  }

  private async currentKey(): Promise<{ readonly version: number; readonly key: Buffer } | null> {
    let state: Awaited<ReturnType<TeamDataKeys['readState']>>;
    try {
      state = await this.readState();
    } catch (error) {
      if (this.opened && error instanceof VaultError && error.code === 'team.offline') return this.opened;
      throw error;
    }
    if (this.opened?.version === state.keyVersion) return this.opened;
    if (!state.wrapped) return null;
    const { entry, secrets } = this.options;
    const pair = await requireMemberKey(secrets, entry.teamId, entry.memberId);
    const key = await unwrapTeamKey(state.wrapped, pair, { teamId: entry.teamId, memberId: entry.memberId, keyVersion: state.keyVersion });
    this.opened?.key.fill(0);
    this.opened = { version: state.keyVersion, key };
    return this.opened;
  }

  /** The team's key version, this member's role and its wrap of that version (one query); a removed member is refused. */
  private async readState(): Promise<{ keyVersion: number; role: string; wrapped: Buffer | null }> {
    const { teamDb, address, entry } = this.options;
    const row = await teamDbCall(address, () =>
      teamDb()
        .selectFrom('team')
        .innerJoin('members', (join) => join.onTrue())
        .leftJoin('team_key_wraps', (join) => join.onRef('team_key_wraps.member_id', '=', 'members.id').onRef('team_key_wraps.key_version', '=', 'team.key_version'))
        .select(['team.key_version', 'members.role', 'members.status', 'team_key_wraps.wrapped'])
        .where('members.id', '=', entry.memberId)
        .executeTakeFirst(),
    );
    if (!row || row.status !== 'active') {
      this.forget();
      throw new VaultError('team.not_member', { name: entry.name });
    }
    return { keyVersion: row.key_version, role: row.role, wrapped: row.wrapped };
  }

  /** Drops the opened key (the vault is closed, or this member was removed). */
  forget(): void {
    this.opened?.key.fill(0);
    this.opened = null;
  }
}
