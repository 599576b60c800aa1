import type { AuditEntry } from './audit';
import type { MemberRole } from './db/schema';

// What a handler can ask of the team vault its context works on. Kept apart from vault-context.ts
// so the handler context (main/core/ipc/context.ts) names it without loading pg.

export interface TeamVaultScope {
  /** The vault's local name (`team use NAME`). */
  readonly name: string;
  readonly teamId: string;
  readonly member: { readonly id: string; readonly name: string };
  readonly role: MemberRole;
  /** Appends the audit row of a vault action done by this member (and announces it to other members). */
  audit(entry: AuditEntry): Promise<void>;
  /** The team key with its version, for shared account secrets (refused for a viewer: `team.viewer_no_key`). */
  teamKey(): Promise<{ readonly key: Buffer; readonly version: number }>;
  /** Member names by id, removed members included. */
  memberNames(ids: readonly string[]): Promise<ReadonlyMap<string, string>>;
}
