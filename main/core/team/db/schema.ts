import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

// The team vault's tables as Kysely sees them (migrations.ts creates them). Timestamps are
// timestamptz, read back as Date; binary columns are bytea, read back as Buffer.

export const memberRoles = ['viewer', 'operator', 'admin'] as const;
export type MemberRole = (typeof memberRoles)[number];

export interface TeamTable {
  id: string;
  name: string;
  created_at: ColumnType<Date, Date, never>;
  key_version: number;
}

export interface MembersTable {
  id: string;
  name: string;
  machine: string;
  public_key: Buffer;
  role: MemberRole;
  status: 'active' | 'removed';
  added_by: string | null;
  added_at: ColumnType<Date, Date, never>;
}

export interface JoinRequestsTable {
  id: string;
  name: string;
  machine: string;
  public_key: Buffer;
  created_at: ColumnType<Date, Date, never>;
  status: 'pending' | 'approved' | 'rejected';
  decided_by: string | null;
}

export interface TeamKeyWrapsTable {
  member_id: string;
  key_version: number;
  wrapped: Buffer;
}

export interface AuditLogTable {
  // bigint comes back from pg as a string.
  seq: ColumnType<string, string, never>;
  at: ColumnType<Date, Date, never>;
  member_id: string | null;
  member_name: string;
  machine: string;
  action: string;
  subject: string | null;
  detail: ColumnType<Record<string, unknown>, string, never>;
  prev_hash: Buffer;
  hash: Buffer;
}

export interface SchemaVersionTable {
  version: number;
  applied_at: Generated<Date>;
}

export interface TeamDatabase {
  team: TeamTable;
  members: MembersTable;
  join_requests: JoinRequestsTable;
  team_key_wraps: TeamKeyWrapsTable;
  audit_log: AuditLogTable;
  schema_version: SchemaVersionTable;
}

export type Member = Selectable<MembersTable>;
export type JoinRequest = Selectable<JoinRequestsTable>;
export type AuditRow = Selectable<AuditLogTable>;
export type NewAuditRow = Insertable<AuditLogTable>;
