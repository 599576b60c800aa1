import { sql, type Kysely, type Transaction } from 'kysely';
import { VaultError } from '../../../shared/errors';
import { auditRowHash, nextPrevHash, verifyAuditChain, type AuditChainVerdict, type AuditHead, type AuditRow as ChainRow, type JsonValue } from './crypto/audit-chain';
import { notifyChange } from './db/notify';
import type { AuditEntry } from '../db/vault-db';
import type { PasswordSources } from './db/password';
import type { AuditRow, TeamDatabase } from './db/schema';
import { withSession, type TeamEnvironment } from './session';
import { TeamSettingsStore } from './team-settings';

// The audit log: one row per change, written in the transaction that makes the change, each row
// carrying the hash of the one before. Appends are serialised by a transaction-scoped advisory
// lock, and seq is the last row's + 1 taken under it, so two members acting at once still form
// one gapless chain.

const AUDIT_APPEND_LOCK = 0x63766175646974; // "cvaudit"

export interface AuditActor {
  readonly memberId: string | null;
  readonly memberName: string;
  readonly machine: string;
}


/** Appends the row and announces it (NOTIFY is delivered when, and only if, the transaction commits). Returns its seq. */
export async function appendAudit(tx: Transaction<TeamDatabase>, teamId: string, actor: AuditActor, entry: AuditEntry, at: Date): Promise<number> {
  await sql`SELECT pg_advisory_xact_lock(${AUDIT_APPEND_LOCK})`.execute(tx);
  const last = await tx.selectFrom('audit_log').select(['seq', 'hash']).orderBy('seq', 'desc').limit(1).executeTakeFirst();
  const head = last ? { seq: Number(last.seq), hash: last.hash } : null;
  const seq = (head?.seq ?? 0) + 1;
  const prevHash = nextPrevHash(teamId, head);
  const detail: JsonValue = { ...entry.detail };
  const hash = auditRowHash(prevHash, { seq, at, memberId: actor.memberId, memberName: actor.memberName, machine: actor.machine, action: entry.action, subject: entry.subject, detail });
  await tx
    .insertInto('audit_log')
    .values({ seq: String(seq), at, member_id: actor.memberId, member_name: actor.memberName, machine: actor.machine, action: entry.action, subject: entry.subject, detail: JSON.stringify(detail), prev_hash: prevHash, hash })
    .execute();
  await notifyChange(tx, { action: entry.action, subject: entry.subject, seq: String(seq) });
  return seq;
}

/**
 * appendAudit for a change that must not happen unrecorded: a row that cannot be written (the
 * app role may not insert, a trigger refuses it) is `team.audit_failed`, which rolls back the
 * caller's transaction. A lost connection stays what it is (team.connection_lost, offline).
 */
export async function appendAuditOrRefuse(tx: Transaction<TeamDatabase>, team: { readonly name: string; readonly teamId: string }, actor: AuditActor, entry: AuditEntry, at: Date): Promise<number> {
  try {
    return await appendAudit(tx, team.teamId, actor, entry, at);
  } catch (error) {
    if (error instanceof VaultError || !isServerRefusal(error)) throw error;
    throw new VaultError('team.audit_failed', { team: team.name, action: entry.action, reason: error.message.split('\n')[0]!.slice(0, 200) });
  }
}

/**
 * An error the server answered with (a SQLSTATE), as opposed to a connection that failed or a
 * server going down (classes 08 and 57P: the caller's connection handling reports those).
 */
function isServerRefusal(error: unknown): error is Error & { readonly code: string } {
  if (!(error instanceof Error)) return false;
  const { code } = error as Error & { readonly code?: unknown };
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) && !/^(08|57P)/.test(code);
}

export async function readAudit(db: Kysely<TeamDatabase>): Promise<AuditRow[]> {
  return db.selectFrom('audit_log').selectAll().orderBy('seq').execute();
}

export function verifyAudit(teamId: string, rows: readonly AuditRow[], knownHead?: AuditHead): AuditChainVerdict {
  return verifyAuditChain(rows.map(toChainRow), { teamId, ...(knownHead ? { knownHead } : {}) });
}

function toChainRow(row: AuditRow): ChainRow {
  return {
    seq: Number(row.seq),
    at: row.at,
    memberId: row.member_id,
    memberName: row.member_name,
    machine: row.machine,
    action: row.action,
    subject: row.subject,
    detail: row.detail as JsonValue,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface AuditReport {
  readonly rows: readonly AuditRow[];
  /** With `verify`: the chain verdict over every row. */
  readonly verdict: AuditChainVerdict | null;
}

/**
 * `team audit [--verify]`: the whole log in order, and whether its hash chain holds and still
 * contains the newest row this computer verified before (kept in team-vaults.json).
 */
export async function teamAudit(env: TeamEnvironment, name: string, verify: boolean, sources?: PasswordSources): Promise<AuditReport> {
  return withSession(env, name, sources, async (session) => {
    const rows = await session.call((db) => readAudit(db));
    if (!verify) return { rows, verdict: null };
    const known = session.entry.auditHead;
    const verdict = verifyAudit(session.entry.teamId, rows, known ? { seq: known.seq, hash: Buffer.from(known.hash, 'hex') } : undefined);
    if (verdict.ok && verdict.head) new TeamSettingsStore(env.dataDir).update(name, { auditHead: { seq: verdict.head.seq, hash: verdict.head.hash.toString('hex') } });
    return { rows, verdict };
  });
}
