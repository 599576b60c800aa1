import { createHash } from 'node:crypto';
import { VaultError, type ErrorCode } from '../../../../shared/errors';
import { lengthPrefixed } from './encoding';

// The team's audit log is append-only and each row carries the hash of the one before it:
//   hash = SHA-256(prev_hash || canonical row)
// so changing, deleting or moving a row breaks every link after it. The first row's prev_hash is
// a genesis value bound to the team id (SHA-256 of a label and the id), so a log copied from
// another team does not verify either.
//
// What the chain cannot show on its own: someone with write access to the database who rewrites
// a whole suffix consistently, or drops the newest rows. Keeping the last head each app has seen
// and passing it as `knownHead` catches both for everything up to that head.
//
// Canonical row: a JSON object with keys sorted by UTF-16 code units (as RFC 8785), one fixed
// representation per field (seq as a decimal string, `at` as ISO-8601 UTC with milliseconds,
// absent values as explicit null), strings as JSON.stringify writes them, and in `detail` no
// number other than a safe integer. That last rule and the millisecond `at` make the row read
// back from PostgreSQL (jsonb, timestamptz) serialise to exactly the bytes that were hashed.

export const AUDIT_HASH_BYTES = 32;
const GENESIS_LABEL = 'cert-vault team audit genesis v1';
const CANONICAL_VERSION = 1;

export type JsonValue = string | number | boolean | null | readonly JsonValue[] | { readonly [key: string]: JsonValue };

/** The hashed fields of an audit row. */
export interface AuditFields {
  /**
   * Increasing in chain order (bigserial; gaps left by rolled-back transactions are fine). Hashed,
   * so the value must be known before the INSERT: take it with nextval() under the lock that
   * serialises appends.
   */
  readonly seq: number;
  /** Written to the database from this same value: timestamptz holds its milliseconds exactly. */
  readonly at: Date;
  readonly memberId: string | null;
  readonly memberName: string;
  readonly machine: string;
  readonly action: string;
  readonly subject: string | null;
  readonly detail: JsonValue;
}

export interface AuditRow extends AuditFields {
  readonly prevHash: Buffer;
  readonly hash: Buffer;
}

export interface AuditHead {
  readonly seq: number;
  readonly hash: Buffer;
}

export type AuditTamperReason = 'genesis_forged' | 'row_changed' | 'row_removed' | 'row_reordered';

export type AuditChainVerdict =
  | { readonly ok: true; readonly rows: number; /** The last row, to keep as a later `knownHead`; null for an empty log. */ readonly head: AuditHead | null }
  | { readonly ok: false; readonly firstBadSeq: number; readonly reason: AuditTamperReason };

export interface VerifyAuditOptions {
  readonly teamId: string;
  /** The rows start right after this already verified row (verifying a long log page by page). */
  readonly after?: AuditHead;
  /** A head seen earlier: the log must still contain it, unchanged. */
  readonly knownHead?: AuditHead;
}

export function auditGenesisHash(teamId: string): Buffer {
  if (!teamId) throw new RangeError('audit genesis needs a team id');
  return createHash('sha256').update(lengthPrefixed(GENESIS_LABEL, [teamId])).digest();
}

/** The prev_hash to write with a new row: the last row's hash, or the genesis value for the first. */
export function nextPrevHash(teamId: string, last: AuditHead | null): Buffer {
  return last ? last.hash : auditGenesisHash(teamId);
}

export function canonicalAuditRow(fields: AuditFields): string {
  if (!Number.isSafeInteger(fields.seq) || fields.seq < 1) throw new TypeError(`audit seq must be a positive integer, got ${fields.seq}`);
  if (!(fields.at instanceof Date) || Number.isNaN(fields.at.getTime())) throw new TypeError('audit time must be a valid Date');
  return canonicalJson({
    v: CANONICAL_VERSION,
    seq: String(fields.seq),
    at: fields.at.toISOString(),
    memberId: fields.memberId,
    memberName: fields.memberName,
    machine: fields.machine,
    action: fields.action,
    subject: fields.subject,
    detail: fields.detail,
  });
}

export function auditRowHash(prevHash: Buffer, fields: AuditFields): Buffer {
  if (prevHash.length !== AUDIT_HASH_BYTES) throw new RangeError(`audit prev_hash must be ${AUDIT_HASH_BYTES} bytes`);
  return createHash('sha256').update(prevHash).update(canonicalAuditRow(fields), 'utf8').digest();
}

/**
 * Checks rows given in seq order (the whole log, or the page after `after`). Reports the first
 * seq where the log stops being the one that was written, and how.
 */
export function verifyAuditChain(rows: readonly AuditRow[], options: VerifyAuditOptions): AuditChainVerdict {
  const indexByHash = new Map(rows.map((row, index) => [row.hash.toString('hex'), index]));
  const start = options.after ?? { seq: 0, hash: auditGenesisHash(options.teamId) };
  let previous: AuditHead = start;
  for (const [index, row] of rows.entries()) {
    if (!Number.isSafeInteger(row.seq) || row.seq <= previous.seq) return bad(row.seq, 'row_reordered');
    // A gap in seq with an intact link is a sequence value a rolled-back transaction used up.
    if (!row.prevHash.equals(previous.hash)) {
      const pointsTo = indexByHash.get(row.prevHash.toString('hex'));
      if (pointsTo !== undefined && pointsTo !== index - 1) return bad(row.seq, 'row_reordered');
      if (row.seq > previous.seq + 1) return bad(previous.seq + 1, 'row_removed');
      if (previous === start && !options.after) return bad(row.seq, 'genesis_forged');
      // The row before was rewritten with a freshly computed hash (or this link was): either way
      // the earliest row that may differ from what was written is the one before.
      return bad(previous.seq, 'row_changed');
    }
    if (!hashMatches(row)) return bad(row.seq, 'row_changed');
    previous = row;
  }
  const last = rows.at(-1);
  const known = options.knownHead;
  if (known) {
    const lastSeq = last?.seq ?? start.seq;
    if (known.seq > lastSeq) return bad(lastSeq + 1, 'row_removed');
    const kept = rows.find((row) => row.seq === known.seq);
    if (!kept && known.seq > start.seq) return bad(known.seq, 'row_removed');
    if (kept && !kept.hash.equals(known.hash)) return bad(known.seq, 'row_changed');
  }
  return { ok: true, rows: rows.length, head: last ? { seq: last.seq, hash: last.hash } : null };
}

const TAMPER_CODES: Readonly<Record<AuditTamperReason, ErrorCode>> = {
  genesis_forged: 'team.audit_genesis_forged',
  row_changed: 'team.audit_row_changed',
  row_removed: 'team.audit_row_removed',
  row_reordered: 'team.audit_row_reordered',
};

/** The user-facing error for a failed verification (CLI `team audit --verify`, the UI). */
export function auditTamperError(verdict: { readonly firstBadSeq: number; readonly reason: AuditTamperReason }): VaultError {
  return new VaultError(TAMPER_CODES[verdict.reason], { seq: verdict.firstBadSeq });
}

function bad(firstBadSeq: number, reason: AuditTamperReason): AuditChainVerdict {
  return { ok: false, firstBadSeq, reason };
}

/** A row whose fields cannot even be serialised (a float in detail, a bad date) was not written by us. */
function hashMatches(row: AuditRow): boolean {
  try {
    return row.prevHash.length === AUDIT_HASH_BYTES && auditRowHash(row.prevHash, row).equals(row.hash);
  } catch (error) {
    if (error instanceof TypeError || error instanceof RangeError) return false;
    throw error;
  }
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'string') {
    // PostgreSQL text and jsonb cannot hold NUL: such a row could never be stored as hashed.
    if (value.includes('\u0000')) throw new TypeError('audit values cannot contain NUL characters');
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new TypeError(`audit detail numbers must be safe integers, got ${value}`);
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && isPlainObject(value)) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${canonicalJson(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`).join(',')}}`;
  }
  throw new TypeError(`audit detail holds a ${typeof value} that JSON cannot carry unchanged`);
}

function isPlainObject(value: object): boolean {
  const prototype: unknown = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
