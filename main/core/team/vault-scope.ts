import type { VaultError } from '../../../shared/errors';
import type { TeamVaultStatus } from '../../../shared/team';
import type { MemberRole } from './db/schema';

// What a handler can ask of the team vault its context works on. Kept apart from vault-context.ts
// so the handler context (main/core/ipc/context.ts) names it without loading pg.

export interface TeamVaultScope {
  /** The vault's local name (`team use NAME`). */
  readonly name: string;
  readonly teamId: string;
  /** This computer's member as last read (at open, again on the team's member announcements); null while not known (it opened offline) or removed. */
  readonly member: { readonly id: string; readonly name: string } | null;
  readonly role: MemberRole | null;
  /**
   * Whether this vault's own LISTEN connection brings other members' changes to the window as
   * `team.changed` (a window's vault; not a CLI run's): watching it needs no second connection.
   */
  readonly announcesChanges: boolean;
  /** Who removed this member while the vault was open; null while it is a member (or not known). */
  removedBy(): string | null;
  /** Online, or offline on its read-only local copy (the title bar, the CLI's closing notice), and this member's standing. */
  status(): TeamVaultStatus;
  /** `team.offline` while the vault shows its local copy (nothing can change it, nor its audit log); null while online. */
  offline(): VaultError | null;
  /** The team key with its version, for shared account secrets (refused for a viewer: `team.viewer_no_key`). */
  teamKey(): Promise<{ readonly key: Buffer; readonly version: number }>;
  /** Member names by id, removed members included. */
  memberNames(ids: readonly string[]): Promise<ReadonlyMap<string, string>>;
}
