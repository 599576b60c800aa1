import { afterEach, describe, expect, it, vi } from 'vitest';
import { HEARTBEAT_INTERVAL_MS, Heartbeat, holderParams, isAbandoned, LEASE_MS, type OwnerColumns, type RowOwner } from '../../../main/core/db/row-owner';

const self: RowOwner = { pid: 10, machine: 'here', name: 'me' };
const NOW = new Date('2026-12-07T16:00:00.000Z');
const row = (over: Partial<OwnerColumns>): OwnerColumns => ({ owner_pid: 20, owner_machine: 'here', owner_name: 'ann', heartbeat_at: NOW.toISOString(), ...over });

describe('isAbandoned', () => {
  it('on this machine (or a row from before the machine was recorded) asks whether the process lives', () => {
    expect(isAbandoned(row({}), self, NOW, () => true)).toBe(false);
    expect(isAbandoned(row({}), self, NOW, () => false)).toBe(true);
    expect(isAbandoned(row({ owner_machine: null, heartbeat_at: null }), self, NOW, () => false)).toBe(true);
    // This very process is never its own orphan.
    expect(isAbandoned(row({ owner_pid: 10 }), self, NOW, () => false)).toBe(false);
    expect(isAbandoned(row({ owner_pid: null }), self, NOW, () => true)).toBe(true);
  });

  it("on another machine looks only at the heartbeat's age against the lease", () => {
    const alive = () => {
      throw new Error('a pid of another machine must not be looked up here');
    };
    const beat = (agoMs: number) => row({ owner_machine: 'there', heartbeat_at: new Date(NOW.getTime() - agoMs).toISOString() });
    expect(isAbandoned(beat(LEASE_MS), self, NOW, alive)).toBe(false);
    expect(isAbandoned(beat(LEASE_MS + 1), self, NOW, alive)).toBe(true);
    expect(isAbandoned(row({ owner_machine: 'there', heartbeat_at: null }), self, NOW, alive)).toBe(true);
  });
});

describe('holderParams', () => {
  it('names the holder, with the time alone today and the date otherwise', () => {
    const today = holderParams({ name: 'Ann', machine: 'ann-laptop', since: '2026-12-07T15:02:00.000Z' }, NOW);
    expect(today).toMatchObject({ owner: 'Ann', machine: 'ann-laptop', startedAt: '2026-12-07T15:02:00.000Z' });
    expect(today.since).toMatch(/^\d\d:\d\d$/);
    expect(holderParams({ name: null, machine: null, since: '2026-11-01T15:02:00.000Z' }, NOW)).toMatchObject({ owner: '—', machine: '—', since: expect.stringMatching(/^2026-1[01]-\d\d \d\d:\d\d$/) });
  });
});

describe('Heartbeat', () => {
  afterEach(() => void vi.useRealTimers());

  it('beats while held, and stops when the last holder lets go', async () => {
    vi.useFakeTimers();
    const beats: number[] = [];
    const heartbeat = new Heartbeat(async () => void beats.push(Date.now()), () => undefined);
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS * 2);
    expect(beats).toHaveLength(0);
    const one = heartbeat.hold();
    const two = heartbeat.hold();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    expect(beats).toHaveLength(1);
    one();
    one();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS);
    expect(beats).toHaveLength(2);
    two();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS * 3);
    expect(beats).toHaveLength(2);
  });

  it('reports a failed beat and keeps beating', async () => {
    vi.useFakeTimers();
    const errors: unknown[] = [];
    const heartbeat = new Heartbeat(() => Promise.reject(new Error('db down')), (error) => errors.push(error));
    const release = heartbeat.hold();
    await vi.advanceTimersByTimeAsync(HEARTBEAT_INTERVAL_MS * 2);
    release();
    expect(errors).toHaveLength(2);
  });
});
