import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../main/core/db/open';
import type { VaultBridge } from '../../../shared/ipc';
import { alertVault, inDays } from '../../unit/alerts/fixture';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { removeTempDirs, start, tempDir } from './harness';

// The desktop notification of the built app, under the electron double: shown once at start for a
// certificate that crossed a threshold, in the system's language, not again on the next start, and
// a click brings the window forward on the Overview.
assertThrowawayKeyring();

afterEach(removeTempDirs);

/** A vault whose library holds one certificate expiring in 5 days (automatic sync off: the default). */
function vaultWithExpiringCertificate(): string {
  const userData = path.join(tempDir(), 'Cert Vault');
  const db = openDatabase(userData);
  alertVault(db).entry('shop', { cn: 'shop.example.com', notAfter: inDays(5, new Date()) });
  db.close();
  return userData;
}

describe('desktop notification', () => {
  it('is shown once at start in English, and a click focuses the window and opens the Overview', async () => {
    const userData = vaultWithExpiringCertificate();
    const { double, page } = await start({ userData, preferredSystemLanguages: ['en-US'] });
    expect(double.notifications).toHaveLength(1);
    const [shown] = double.notifications;
    expect(shown!.title).toBe('Cert Vault: 1 certificate(s) need attention');
    expect(shown!.body).toMatch(/^shop\.example\.com expires in [45] day\(s\), on \d{4}-\d\d-\d\d, in the library\.\nClick to open the Overview\.$/);

    const navigated: unknown[] = [];
    (page.mainWorld.vault as VaultBridge).on('app.navigate', (request) => navigated.push(request));
    const window = double.windows[0]!;
    window.minimize();
    shown!.click();
    expect(window.isMinimized()).toBe(false);
    expect(window.isFocused()).toBe(true);
    expect(navigated).toEqual([{ screen: 'overview' }]);
    double.app.quit();

    // The next start: the certificate is still 5 days out, it was told; nothing new.
    const again = await start({ userData, preferredSystemLanguages: ['en-US'] });
    expect(again.double.notifications).toEqual([]);
    again.double.app.quit();
  });

  it('speaks the system language: Chinese', async () => {
    const { double } = await start({ userData: vaultWithExpiringCertificate(), preferredSystemLanguages: ['zh-CN'] });
    expect(double.notifications.map((n) => n.title)).toEqual(['Cert Vault：1 张证书需要处理']);
    expect(double.notifications[0]!.body).toMatch(/shop\.example\.com[^\n]*\n点击打开“总览”。$/);
    double.app.quit();
  });
});
