import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import {
  auditGenesisHash,
  auditRowHash,
  auditTamperError,
  canonicalAuditRow,
  nextPrevHash,
  verifyAuditChain,
  type AuditFields,
  type AuditRow,
} from '../../../main/core/team/crypto/audit-chain';

const TEAM = '3c7d5c2e-team';
const options = { teamId: TEAM };

function fields(seq: number, extra: Partial<AuditFields> = {}): AuditFields {
  return {
    seq,
    at: new Date(Date.UTC(2026, 11, 7, 13, 0, seq, 123)),
    memberId: `member-${seq % 2}`,
    memberName: seq % 2 ? 'Zhang Wei' : 'Alice',
    machine: 'ops-laptop',
    action: 'deploy',
    subject: `entry-${seq}`,
    detail: { account: 'prod', targets: [seq, 'cdn'], ok: true, note: null },
    ...extra,
  };
}

/** A log as the team service writes it: each row chained to the one before. */
function chain(count: number, teamId = TEAM): AuditRow[] {
  const rows: AuditRow[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const prevHash = nextPrevHash(teamId, rows.at(-1) ?? null);
    const row = fields(seq);
    rows.push({ ...row, prevHash, hash: auditRowHash(prevHash, row) });
  }
  return rows;
}

/** Rewrites rows[index] with new fields and a correctly recomputed hash (an attacker who knows the scheme). */
function rehash(row: AuditRow, changes: Partial<AuditFields & { prevHash: Buffer }>): AuditRow {
  const next = { ...row, ...changes };
  return { ...next, hash: auditRowHash(next.prevHash, next) };
}

describe('canonical audit row', () => {
  it('is stable: key order of the detail does not matter, every field has one explicit form', () => {
    const a = canonicalAuditRow(fields(7, { detail: { b: 1, a: { y: 'x', x: [true, null] } } }));
    const b = canonicalAuditRow(fields(7, { detail: { a: { x: [true, null], y: 'x' }, b: 1 } }));
    expect(a).toBe(b);
    expect(a).toBe(
      '{"action":"deploy","at":"2026-12-07T13:00:07.123Z","detail":{"a":{"x":[true,null],"y":"x"},"b":1},' +
        '"machine":"ops-laptop","memberId":"member-1","memberName":"Zhang Wei","seq":"7","subject":"entry-7","v":1}',
    );
  });

  it('writes absent values as explicit null, and text without locale or escaping surprises', () => {
    expect(canonicalAuditRow(fields(2, { memberId: null, subject: null, memberName: '张伟 "ops"' }))).toContain(
      '"memberId":null,"memberName":"张伟 \\"ops\\"","seq":"2","subject":null',
    );
  });

  it('refuses values PostgreSQL would not give back unchanged', () => {
    expect(() => canonicalAuditRow(fields(1, { detail: { ratio: 0.5 } }))).toThrow(TypeError);
    expect(() => canonicalAuditRow(fields(1, { detail: { big: 2 ** 60 } }))).toThrow(TypeError);
    expect(() => canonicalAuditRow(fields(1, { detail: { when: new Date() as unknown as string } }))).toThrow(TypeError);
    expect(() => canonicalAuditRow(fields(1, { detail: { missing: undefined as unknown as null } }))).toThrow(TypeError);
    expect(() => canonicalAuditRow(fields(1, { action: 'a\u0000b' }))).toThrow(TypeError);
    expect(() => canonicalAuditRow(fields(0))).toThrow(TypeError);
    expect(() => canonicalAuditRow(fields(1, { at: new Date(Number.NaN) }))).toThrow(TypeError);
  });
});

describe('audit hash chain', () => {
  it('hash = SHA-256(prev_hash || canonical row); genesis is bound to the team', () => {
    const genesis = auditGenesisHash(TEAM);
    expect(genesis).toHaveLength(32);
    expect(genesis.equals(auditGenesisHash('other-team'))).toBe(false);
    expect(nextPrevHash(TEAM, null).equals(genesis)).toBe(true);
    const [first] = chain(1);
    expect(first!.prevHash.equals(genesis)).toBe(true);
    expect(first!.hash.toString('hex')).toBe(
      createHash('sha256').update(genesis).update(canonicalAuditRow(fields(1))).digest('hex'),
    );
  });

  it('an untouched log verifies and reports its head', () => {
    const rows = chain(6);
    expect(verifyAuditChain(rows, options)).toEqual({ ok: true, rows: 6, head: { seq: 6, hash: rows[5]!.hash } });
    expect(verifyAuditChain([], options)).toEqual({ ok: true, rows: 0, head: null });
  });

  it('accepts gaps in seq that keep the chain linked (sequence values of rolled-back transactions)', () => {
    const rows: AuditRow[] = [];
    for (const seq of [2, 3, 7, 8]) {
      const prevHash = nextPrevHash(TEAM, rows.at(-1) ?? null);
      rows.push({ ...fields(seq), prevHash, hash: auditRowHash(prevHash, fields(seq)) });
    }
    expect(verifyAuditChain(rows, options)).toMatchObject({ ok: true, rows: 4 });
    expect(verifyAuditChain(rows, { ...options, knownHead: { seq: 5, hash: rows[2]!.hash } })).toEqual({
      ok: false,
      firstBadSeq: 5,
      reason: 'row_removed',
    });
  });

  it('verifies page by page from an already verified row', () => {
    const rows = chain(6);
    expect(verifyAuditChain(rows.slice(3), { ...options, after: rows[2]! })).toMatchObject({ ok: true, rows: 3 });
    expect(verifyAuditChain(rows.slice(4), { ...options, after: rows[2]! })).toEqual({ ok: false, firstBadSeq: 4, reason: 'row_removed' });
  });

  it('a changed row (hash left as it was) is reported at that row', () => {
    const rows = chain(6);
    rows[3] = { ...rows[3]!, detail: { account: 'attacker' } };
    expect(verifyAuditChain(rows, options)).toEqual({ ok: false, firstBadSeq: 4, reason: 'row_changed' });
  });

  it('each field is covered: changing any one breaks the row', () => {
    const changes: Partial<AuditFields>[] = [
      { at: new Date(Date.UTC(2026, 11, 7, 13, 0, 3, 124)) },
      { memberId: 'member-x' },
      { memberName: 'Mallory' },
      { machine: 'other' },
      { action: 'import' },
      { subject: null },
      { detail: { account: 'prod', targets: [3, 'cdn'], ok: false, note: null } },
    ];
    for (const change of changes) {
      const rows = chain(4);
      rows[2] = { ...rows[2]!, ...change };
      expect(verifyAuditChain(rows, options)).toEqual({ ok: false, firstBadSeq: 3, reason: 'row_changed' });
    }
  });

  it('a changed row whose hash was recomputed is caught by the next link', () => {
    const rows = chain(6);
    rows[3] = rehash(rows[3]!, { action: 'nothing happened' });
    expect(verifyAuditChain(rows, options)).toEqual({ ok: false, firstBadSeq: 4, reason: 'row_changed' });
  });

  it('a changed stored hash is caught', () => {
    const rows = chain(3);
    const hash = Buffer.from(rows[2]!.hash);
    hash[0] = (hash[0] ?? 0) ^ 0x80;
    rows[2] = { ...rows[2]!, hash };
    expect(verifyAuditChain(rows, options)).toEqual({ ok: false, firstBadSeq: 3, reason: 'row_changed' });
  });

  it('a removed row is reported at its seq; so is a removed first row', () => {
    const rows = chain(6);
    expect(verifyAuditChain([...rows.slice(0, 2), ...rows.slice(3)], options)).toEqual({ ok: false, firstBadSeq: 3, reason: 'row_removed' });
    expect(verifyAuditChain(rows.slice(1), options)).toEqual({ ok: false, firstBadSeq: 1, reason: 'row_removed' });
  });

  it('a removed row with the rest renumbered to close the gap is still caught', () => {
    const rows = chain(6);
    const renumbered = [...rows.slice(0, 2), ...rows.slice(3).map((row) => ({ ...row, seq: row.seq - 1 }))];
    expect(verifyAuditChain(renumbered, options)).toMatchObject({ ok: false, firstBadSeq: 2 });
  });

  it('rows swapped by renumbering, or handed over out of order, are reordered', () => {
    const rows = chain(6);
    const swapped = [...rows.slice(0, 2), { ...rows[3]!, seq: 3 }, { ...rows[2]!, seq: 4 }, ...rows.slice(4)];
    expect(verifyAuditChain(swapped, options)).toEqual({ ok: false, firstBadSeq: 3, reason: 'row_reordered' });
    const outOfOrder = [rows[0]!, rows[2]!, rows[1]!, ...rows.slice(3)];
    expect(verifyAuditChain(outOfOrder, options)).toEqual({ ok: false, firstBadSeq: 3, reason: 'row_reordered' });
    expect(verifyAuditChain([rows[0]!, rows[1]!, rows[1]!, ...rows.slice(2)], options)).toEqual({ ok: false, firstBadSeq: 2, reason: 'row_reordered' });
    const firstTwoSwapped = [{ ...rows[1]!, seq: 1 }, { ...rows[0]!, seq: 2 }, ...rows.slice(2)];
    expect(verifyAuditChain(firstTwoSwapped, options)).toEqual({ ok: false, firstBadSeq: 1, reason: 'row_reordered' });
  });

  it('a forged genesis, or a log copied from another team, is genesis_forged', () => {
    const rows = chain(3);
    rows[0] = rehash(rows[0]!, { prevHash: Buffer.alloc(32) });
    expect(verifyAuditChain(rows, options)).toEqual({ ok: false, firstBadSeq: 1, reason: 'genesis_forged' });
    expect(verifyAuditChain(chain(3, 'other-team'), options)).toEqual({ ok: false, firstBadSeq: 1, reason: 'genesis_forged' });
  });

  it('a row that cannot be serialised (forged float, bad date) is a changed row, not a crash', () => {
    const rows = chain(3);
    rows[1] = { ...rows[1]!, detail: { ratio: 0.25 } };
    expect(verifyAuditChain(rows, options)).toEqual({ ok: false, firstBadSeq: 2, reason: 'row_changed' });
    const dated = chain(3);
    dated[2] = { ...dated[2]!, at: new Date(Number.NaN) };
    expect(verifyAuditChain(dated, options)).toEqual({ ok: false, firstBadSeq: 3, reason: 'row_changed' });
  });

  it('a known head catches dropped newest rows, a dropped head row and a consistently rewritten log', () => {
    const rows = chain(6);
    const head = { seq: 6, hash: rows[5]!.hash };
    expect(verifyAuditChain(rows, { ...options, knownHead: head })).toMatchObject({ ok: true });
    expect(verifyAuditChain(rows.slice(0, 4), { ...options, knownHead: head })).toEqual({ ok: false, firstBadSeq: 5, reason: 'row_removed' });
    expect(verifyAuditChain([], { ...options, knownHead: head })).toEqual({ ok: false, firstBadSeq: 1, reason: 'row_removed' });
    const rewritten: AuditRow[] = [];
    for (const row of rows) {
      const prevHash = nextPrevHash(TEAM, rewritten.at(-1) ?? null);
      const forged = { ...row, machine: 'elsewhere' };
      rewritten.push({ ...forged, prevHash, hash: auditRowHash(prevHash, forged) });
    }
    expect(verifyAuditChain(rewritten, options)).toMatchObject({ ok: true });
    const withoutHead = rewritten.filter((row) => row.seq !== 4);
    const relinked: AuditRow[] = [];
    for (const row of withoutHead) {
      const prevHash = nextPrevHash(TEAM, relinked.at(-1) ?? null);
      relinked.push({ ...row, prevHash, hash: auditRowHash(prevHash, row) });
    }
    expect(verifyAuditChain(relinked, { ...options, knownHead: { seq: 4, hash: rows[3]!.hash } })).toEqual({
      ok: false,
      firstBadSeq: 4,
      reason: 'row_removed',
    });
    expect(verifyAuditChain(rewritten, { ...options, knownHead: head })).toEqual({ ok: false, firstBadSeq: 6, reason: 'row_changed' });
  });

  it('each reason becomes its own user-facing error naming the row', () => {
    const cases = [
      ['genesis_forged', 'team.audit_genesis_forged'],
      ['row_changed', 'team.audit_row_changed'],
      ['row_removed', 'team.audit_row_removed'],
      ['row_reordered', 'team.audit_row_reordered'],
    ] as const;
    for (const [reason, code] of cases) {
      const error = auditTamperError({ firstBadSeq: 42, reason });
      expect(error).toBeInstanceOf(VaultError);
      expect(error.code).toBe(code);
      expect(error.message).toContain('42');
    }
  });
});
