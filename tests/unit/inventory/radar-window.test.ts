import { describe, expect, it } from 'vitest';
import type { AccountStore } from '../../../main/core/accounts/account-store';
import { InventoryService } from '../../../main/core/inventory';
import { buildRadar, radarPage, pageOf, type BindingsOf } from '../../../main/core/inventory/radar';
import { readRadarSource } from '../../../main/core/inventory/radar-source';
import { buildRadarInChunks, radarWindow } from '../../../main/core/inventory/radar-window';
import { alertVault, inDays, START, type AlertVault } from '../alerts/fixture';
import { AccountPacer } from '../../../main/core/uploads/pacing';
import { systemClock } from '../../../main/core/uploads/clock';

// The radar read without the whole library (the first pages from the indexes, the whole radar in
// chunks) must be the radar buildRadar makes from everything, after any sequence of changes.

const noBindings: BindingsOf = () => () => [];

/** A small PRNG with a fixed seed, so a failure replays. */
function random(seed: number): (below: number) => number {
  let state = seed >>> 0;
  return (below) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return state % below;
  };
}

/** Few distinct days and names, so ties in expiry and name are common, as in a batch issued together. */
function randomChanges(vault: AlertVault, seed: number, steps: number, check: (step: number) => Promise<void>): Promise<void> {
  const pick = random(seed);
  const ids: string[] = [];
  let next = 0;
  const day = () => pick(200) - 20;
  const add = () => {
    const id = `e${String(next++).padStart(4, '0')}`;
    const renews = ids.length > 0 && pick(5) === 0 ? ids[pick(ids.length)] : undefined;
    vault.entry(id, { cn: `host${pick(6)}.example`, notAfter: inDays(day()), isCa: pick(12) === 0, ...(renews ? { renews } : {}) });
    // Entries named alike: the radar orders ties by name, then id.
    vault.db.prepare('UPDATE entries SET name = ? WHERE id = ?').run(`name${pick(4)}`, id);
    ids.push(id);
  };
  const sync = (account: string) => {
    vault.db.prepare('DELETE FROM remote_copies WHERE account_id = ?').run(`acct-${account}`);
    for (let i = pick(6); i > 0; i--) {
      const matched = ids.length > 0 && pick(2) === 0 ? ids[pick(ids.length)] : undefined;
      vault.copy(account, `${account}-r${pick(1000)}`, { cn: `remote${pick(3)}`, notAfter: pick(8) === 0 ? null : inDays(day()), ...(matched ? { libraryId: matched } : {}) });
    }
  };
  return (async () => {
    for (let step = 0; step < steps; step++) {
      const action = pick(10);
      if (action < 4) for (let i = 1 + pick(8); i > 0; i--) add();
      else if (action < 6 && ids.length > 0) {
        const [id] = ids.splice(pick(ids.length), 1);
        vault.db.prepare('DELETE FROM entries WHERE id = ?').run(id);
      } else if (action < 8 && ids.length > 0) {
        const id = ids[pick(ids.length)]!;
        vault.db.prepare('UPDATE entries SET name = ?, not_after = ? WHERE id = ?').run(`name${pick(4)}`, inDays(day()), id);
      } else {
        try {
          sync(['prod', 'stage'][pick(2)]!);
        } catch {
          // A copy id drawn twice in one sync: that sync is skipped, as a cloud never lists one twice.
        }
      }
      await check(step);
    }
  })();
}

describe('the radar read without the whole library', () => {
  it('gives the same pages and counts as the whole radar after random imports, edits, deletes and syncs (seed 7)', async () => {
    const vault = alertVault();
    const now = new Date(START.getTime() + 3_600_000);
    await randomChanges(vault, 7, 60, async (step) => {
      const whole = buildRadar(await readRadarSource(vault.vaultDb));
      expect(await buildRadarInChunks(vault.vaultDb, 3), `step ${step}`).toEqual(whole);
      for (const threshold of [5, 30]) {
        for (const [offset, limit] of [
          [0, 10],
          [0, 1000],
          [7, 5],
          [whole.rows.length, 3],
        ] as const) {
          const { window, frame } = await radarWindow(vault.vaultDb, now, threshold, offset, limit);
          expect(pageOf(window, frame, now, threshold, noBindings), `step ${step}, threshold ${threshold}, ${offset}+${limit}`).toEqual(
            radarPage(whole, now, threshold, offset, limit, noBindings),
          );
        }
      }
    });
  });

  it('answers the first page before the whole radar is built, and the same page once it is', async () => {
    const vault = alertVault();
    vault.entry('soon', { cn: 'soon.example', notAfter: inDays(3) });
    vault.entry('old-ca', { cn: 'Root', notAfter: inDays(-1), isCa: true });
    vault.entry('v1', { cn: 'www.example', notAfter: inDays(10) });
    vault.entry('v2', { cn: 'www.example', notAfter: inDays(400), renews: 'v1' });
    vault.copy('prod', 'r1', { cn: 'www.example', notAfter: inDays(10), libraryId: 'v1' });
    vault.copy('prod', 'r2', { cn: 'lost.example', notAfter: inDays(-2) });
    // The Overview reads no account: the store is never asked.
    const service = new InventoryService({ vault: vault.vaultDb, accounts: {} as AccountStore, pacer: new AccountPacer(systemClock), now: () => START });
    const first = await service.overview(30, 0, 50);
    expect(first.rows.map((row) => row.key)).toEqual(['remote:acct-prod/r2', 'library:soon', 'library:v1', 'library:v2']);
    expect(first.counts).toEqual({ expired: 1, week: 1, soon: 1, quarter: 0, later: 1 });
    // A page beyond the first ones waits for the whole radar; the first page is then served from it.
    expect((await service.overview(30, 600, 10)).rows).toEqual([]);
    expect(await service.overview(30, 0, 50)).toEqual(first);
  });
});
