import { describe, expect, it } from 'vitest';
import { alertThresholds, dueNotifications, markNotified, type DueNotification } from '../../../main/core/alerts';
import { crossedThreshold } from '../../../main/core/alerts/decide';
import { alertVault, inDays, START } from './fixture';

// The notification decision over simulated days: a fake clock walks 120 days, each "start" asks
// what is due, sends it and marks it, as the desktop adapter and `certvault notify` do.

const DAY_MS = 86_400_000;

async function walk(vault: ReturnType<typeof alertVault>, days: number, settingsDays = 30, startsPerDay = 2) {
  const sent: { day: number; subject: string; threshold: DueNotification['threshold']; renewedBy: string | null }[] = [];
  for (let day = 0; day <= days; day += 1) {
    for (let start = 0; start < startsPerDay; start += 1) {
      // Later starts of a day are earlier in it, so a threshold is crossed at the first start of its day.
      const now = new Date(START.getTime() + day * DAY_MS - start * 3_600_000);
      const due = await dueNotifications(vault.vaultDb, now, { expiringWithinDays: settingsDays });
      for (const notification of due) sent.push({ day, subject: notification.subject, threshold: notification.threshold, renewedBy: notification.renewedBy });
      await markNotified(vault.vaultDb, due, now);
    }
  }
  return sent;
}

describe('notification decision over 120 simulated days', () => {
  it('notifies each certificate once per threshold crossing, never again on a restart', async () => {
    const vault = alertVault();
    vault.entry('far', { cn: 'far.example.com', notAfter: inDays(100) });
    vault.entry('soon', { cn: 'soon.example.com', notAfter: inDays(20) });
    vault.entry('ca', { cn: 'Root CA', notAfter: inDays(3), isCa: true });
    vault.copy('tencent-prod', 'r-1', { cn: 'cloud.example.com', notAfter: inDays(45) });
    const sent = await walk(vault, 120);
    const of = (subject: string) => sent.filter((s) => s.subject === subject).map((s) => [s.day, s.threshold]);
    // 100 days out: crosses 90 on day 10, 30 on day 70, 7 on day 93, expires on day 101 (after notAfter at 09:00 on day 100).
    expect(of('library:far')).toEqual([[10, 90], [70, 30], [93, 7], [101, 'expired']]);
    // Already within 30 on the first start: one notification for its tightest crossing, not one for 90 and one for 30.
    expect(of('library:soon')).toEqual([[0, 30], [13, 7], [21, 'expired']]);
    expect(of('remote:acct-tencent-prod:r-1')).toEqual([[0, 90], [15, 30], [38, 7], [46, 'expired']]);
    // CA certificates are not renewed by the user: no alerts.
    expect(of('library:ca')).toEqual([]);
  });

  it('the Settings threshold is one more crossing', async () => {
    const vault = alertVault();
    vault.entry('e', { cn: 'e.example.com', notAfter: inDays(60) });
    expect((await walk(vault, 61, 14)).map((s) => [s.day, s.threshold])).toEqual([[0, 90], [30, 30], [46, 14], [53, 7], [61, 'expired']]);
  });

  it('a renewal in the library silences the old entry and tells each cloud still holding it that the renewal is not deployed', async () => {
    const vault = alertVault();
    vault.entry('old', { cn: 'www.example.com', notAfter: inDays(10) });
    vault.copy('tencent-prod', 'r-old', { cn: 'www.example.com', notAfter: inDays(10), libraryId: 'old' });
    const before = await walk(vault, 0, 30, 1);
    expect(before.map((s) => [s.subject, s.threshold, s.renewedBy])).toEqual([
      ['library:old', 30, null],
      ['remote:acct-tencent-prod:r-old', 30, null],
    ]);
    // Renewed on day 0 (after the first run); lineage links new -> old.
    vault.entry('new', { cn: 'www.example.com', notAfter: inDays(100), renews: 'old' });
    const after = (await walk(vault, 20, 30, 1)).filter((s) => s.day > 0);
    expect(after.filter((s) => s.subject === 'library:old')).toEqual([]);
    expect(after.filter((s) => s.subject === 'remote:acct-tencent-prod:r-old').map((s) => [s.day, s.threshold, s.renewedBy])).toEqual([
      [3, 7, 'new'],
      [11, 'expired', 'new'],
    ]);
    expect(after.filter((s) => s.subject === 'library:new').map((s) => [s.day, s.threshold])).toEqual([[10, 90]]);
  });

  it('a copy replaced on the cloud by a new certificate under the same remote id starts over', async () => {
    const vault = alertVault();
    vault.copy('tencent-prod', 'r', { cn: 'a.example.com', notAfter: inDays(5) });
    expect((await walk(vault, 0, 30, 1)).map((s) => s.threshold)).toEqual([7]);
    vault.db.prepare('UPDATE remote_copies SET not_after = ?').run(inDays(6));
    expect((await walk(vault, 0, 30, 1)).map((s) => s.threshold)).toEqual([7]);
  });

  it('nothing is marked until the caller marks it, so a failed send is tried again', async () => {
    const vault = alertVault();
    vault.entry('e', { cn: 'e.example.com', notAfter: inDays(5) });
    expect(await dueNotifications(vault.vaultDb, START, { expiringWithinDays: 30 })).toHaveLength(1);
    expect(await dueNotifications(vault.vaultDb, START, { expiringWithinDays: 30 })).toHaveLength(1);
  });

  it('withinDays narrows the thresholds (certvault notify --days)', async () => {
    expect(alertThresholds(30)).toEqual([90, 30, 7]);
    expect(alertThresholds(120)).toEqual([120, 90, 30, 7]);
    expect(alertThresholds(30, 10)).toEqual([10, 7]);
    expect(crossedThreshold(-1, [30, 7])).toBe('expired');
    expect(crossedThreshold(0, [30, 7])).toBe(7);
    expect(crossedThreshold(31, [30, 7])).toBeNull();
    const vault = alertVault();
    vault.entry('e', { cn: 'e.example.com', notAfter: inDays(20) });
    expect(await dueNotifications(vault.vaultDb, START, { expiringWithinDays: 30, withinDays: 10 })).toEqual([]);
  });
});

describe('notification channels', () => {
  it('desktop notifications and webhooks each tell once, independently', async () => {
    const vault = alertVault();
    vault.entry('e', { cn: 'e.example.com', notAfter: inDays(5) });
    const desktop = await dueNotifications(vault.vaultDb, START, { expiringWithinDays: 30 });
    await markNotified(vault.vaultDb, desktop, START);
    expect(await dueNotifications(vault.vaultDb, START, { expiringWithinDays: 30 })).toEqual([]);
    const webhooks = await dueNotifications(vault.vaultDb, START, { expiringWithinDays: 30, channel: 'webhooks' });
    expect(webhooks.map((n) => n.subject)).toEqual(['library:e']);
    await markNotified(vault.vaultDb, webhooks, START, 'webhooks');
    expect(await dueNotifications(vault.vaultDb, START, { expiringWithinDays: 30, channel: 'webhooks' })).toEqual([]);
  });
});
