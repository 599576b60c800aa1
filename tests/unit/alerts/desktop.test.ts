import { describe, expect, it } from 'vitest';
import { notifyDesktop, type DesktopNotice } from '../../../main/core/alerts/desktop';
import type { Locale } from '../../../shared/i18n';
import { alertVault, inDays, START } from './fixture';

// The desktop notification over simulated days, as the app runs it: a start (and every automatic
// sync) calls notifyDesktop; the Electron adapter shows what it is given.

const DAY_MS = 86_400_000;

function desktop(vault: ReturnType<typeof alertVault>, options: { locale?: Locale; canShow?: boolean } = {}) {
  const shown: { day: number; notice: DesktopNotice }[] = [];
  let day = 0;
  const start = (atDay: number) => {
    day = atDay;
    return notifyDesktop(vault.vaultDb, new Date(START.getTime() + atDay * DAY_MS), {
      expiringWithinDays: 30,
      locale: options.locale ?? 'en',
      show: (notice) => {
        if (options.canShow === false) return false;
        shown.push({ day, notice });
        return true;
      },
    });
  };
  return { shown, start };
}

describe('desktop notification over simulated days', () => {
  it('shows one notice per crossing, none on the restarts between, and again at the next threshold', async () => {
    const vault = alertVault();
    vault.entry('shop', { cn: 'shop.example.com', notAfter: inDays(40) });
    const app = desktop(vault);
    for (let day = 0; day <= 41; day += 1) {
      await app.start(day);
      await app.start(day); // a restart the same day
    }
    expect(app.shown.map(({ day, notice }) => [day, notice.body.split('\n')[0]])).toEqual([
      [0, 'shop.example.com expires in 40 day(s), on 2026-02-10, in the library.'],
      [10, 'shop.example.com expires in 30 day(s), on 2026-02-10, in the library.'],
      [33, 'shop.example.com expires in 7 day(s), on 2026-02-10, in the library.'],
      [41, 'shop.example.com expired on 2026-02-10, in the library.'],
    ]);
  });

  it('stops for a certificate once it is renewed and the renewal is what the cloud holds', async () => {
    const vault = alertVault();
    vault.entry('old', { cn: 'www.example.com', notAfter: inDays(10) });
    vault.copy('tencent-prod', 'r-old', { cn: 'www.example.com', notAfter: inDays(10), libraryId: 'old' });
    const app = desktop(vault);
    expect((await app.start(0)).map((n) => n.subject)).toEqual(['library:old', 'remote:acct-tencent-prod:r-old']);
    // Renewed in the library and deployed: the next sync finds the new certificate in place of the old one.
    vault.entry('new', { cn: 'www.example.com', notAfter: inDays(100), renews: 'old' });
    vault.db.prepare("DELETE FROM remote_copies WHERE remote_id = 'r-old'").run();
    vault.copy('tencent-prod', 'r-new', { cn: 'www.example.com', notAfter: inDays(100), libraryId: 'new' });
    for (let day = 1; day <= 20; day += 1) await app.start(day);
    // Only the new certificate's own 90-day crossing, 10 days in; nothing about the old one, expired on day 10.
    expect(app.shown.slice(1).map(({ day, notice }) => [day, notice.title])).toEqual([[10, 'Cert Vault: 2 certificate(s) need attention']]);
    expect(app.shown[1]!.notice.body).not.toContain('old');
  });

  it('marks nothing when the system cannot show it, so the next start shows it', async () => {
    const vault = alertVault();
    vault.entry('e', { cn: 'e.example.com', notAfter: inDays(5) });
    expect(await desktop(vault, { canShow: false }).start(0)).toEqual([]);
    const app = desktop(vault);
    expect(await app.start(0)).toHaveLength(1);
    expect(await app.start(0)).toEqual([]);
  });

  it('is one notice for many certificates: three lines, the rest counted, in English and Chinese', async () => {
    const fresh = alertVault();
    for (let i = 0; i < 5; i += 1) fresh.entry(`e${i}`, { cn: `e${i}.example.com`, notAfter: inDays(i + 1) });
    const english = desktop(fresh);
    expect(await english.start(0)).toHaveLength(5);
    expect(english.shown).toHaveLength(1);
    expect(english.shown[0]!.notice).toEqual({
      title: 'Cert Vault: 5 certificate(s) need attention',
      body: [
        'e0.example.com expires in 1 day(s), on 2026-01-02, in the library.',
        'e1.example.com expires in 2 day(s), on 2026-01-03, in the library.',
        'e2.example.com expires in 3 day(s), on 2026-01-04, in the library.',
        '…and 2 more.',
        'Click to open the Overview.',
      ].join('\n'),
    });

    const other = alertVault();
    other.copy('tencent-prod', 'r-1', { cn: 'cloud.example.com', notAfter: inDays(-1) });
    const chinese = desktop(other, { locale: 'zh-CN' });
    await chinese.start(0);
    expect(chinese.shown[0]!.notice.title).toBe('Cert Vault：1 张证书需要处理');
    expect(chinese.shown[0]!.notice.body).toContain('点击打开“总览”。');
    expect(chinese.shown[0]!.notice.body).toContain('tencent-prod');
  });
});
