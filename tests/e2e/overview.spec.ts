import type { Locator } from '@playwright/test';
import { saveAccount } from './fixtures/clouds';
import { seedRadar } from './fixtures/radar';
import { textIn } from './fixtures/screen-states';
import { expect, test } from './fixtures/test';
import { seedTencentCertificate, startTencentEmulator } from '../emulators/tencent';
import { defaultCredentials } from '../emulators/credentials';
import { call } from '../../main/cli/handler-context';
import type { HandlerContext } from '../../main/core/ipc/context';
import type { RunningEmulator } from '../emulators/server';

// The Overview: a few hundred certificates from the library and two accounts, grouped by expiry,
// with where each lives and what it serves; the urgent badge; a sync with one failing account;
// importing a remote-only copy; the account cards' counts and the library's "On clouds".

let tencent: RunningEmulator;
test.beforeAll(async () => {
  tencent = await startTencentEmulator();
});
test.afterAll(async () => {
  await tencent.close();
});

const PER_ACCOUNT = 150;

for (const locale of ['en', 'zh-CN'] as const) {
  for (const theme of ['light', 'dark'] as const) {
    test.describe(`${locale} ${theme}`, () => {
      test.use({ systemLocale: locale, colorScheme: theme });

      test('Overview groups library and cloud certificates by expiry, says where each lives and what is renewed', async ({ app, bridge, pki }) => {
        const text = textIn(locale);
        await saveAccount(bridge.context, 'tencent', 'tencent-prod', tencent.url);
        await saveAccount(bridge.context, 'aliyun', 'aliyun-prod', 'http://127.0.0.1:9');
        await seedRadar(bridge.context, pki, ['tencent-prod', 'aliyun-prod'], PER_ACCOUNT);
        await app.page.reload();
        await app.openScreen('overview');
        const list = app.page.getByTestId('radar-list');
        // Both accounts' copies, the remote-only one, and the library's leaf and renewal.
        await expect(list).toHaveAttribute('data-total', String(2 * PER_ACCOUNT + 1 + 2));
        // Virtualised: a few hundred rows, a screenful in the DOM.
        expect(await list.locator('[data-row]').count()).toBeLessThan(60);
        await expect(list.locator('[data-radar-group="expired"] h2')).toContainText(text('ui.overview.group.expired'));
        const old = list.locator(`[data-row="library:${await entryId(bridge.context, pki.leaf.sha256Hex)}"]`);
        await scrollTo(list, old);
        await expect(old.getByTestId('radar-renewal')).toHaveText(text('ui.overview.renewedLocally', { account: 'tencent-prod' }));
        await expect(old.getByTestId('radar-where')).toContainText(text('ui.overview.where.library'));
        await expect(old.getByTestId('radar-where')).toContainText('www.radar.test');
        // Expired and within a week: the sidebar's badge counts them.
        const urgent = await urgentCount(bridge.context);
        expect(urgent).toBeGreaterThan(0);
        await expect(app.page.getByTestId('urgent-badge')).toContainText(String(urgent));
        await app.screenshot(`overview-${locale}-${theme}`);
        await scrollTo(list, list.locator('[data-radar-group="later"]'));
        await expect(list.locator('[data-radar-group="later"]')).toBeVisible();
        await app.screenshot(`overview-later-${locale}-${theme}`);
      });
    });
  }
}

test('Sync reports each account, a failing one with its reason, and the account cards count what each holds', async ({ app, bridge, pki }) => {
  await saveAccount(bridge.context, 'tencent', 'tencent-prod', tencent.url);
  await saveAccount(bridge.context, 'aliyun', 'aliyun-broken', 'http://127.0.0.1:9');
  seedTencentCertificate(tencent.state, { account: defaultCredentials.tencent.accessKeyId, certificatePem: pki.leaf.pem, name: 'on-tencent' });
  await app.openScreen('overview');
  await app.page.getByRole('button', { name: 'Sync accounts' }).click();
  const status = app.page.getByTestId('sync-status');
  await expect(status.locator('[data-account="tencent-prod"]')).toHaveAttribute('data-status', 'ok');
  await expect(status.locator('[data-account="tencent-prod"]')).toHaveText('tencent-prod: done, 1 found');
  await expect(status.locator('[data-account="aliyun-broken"]')).toHaveAttribute('data-status', 'failed');
  await expect(status.locator('[data-account="aliyun-broken"]')).toContainText('aliyun-broken: failed: ');
  await expect(app.page.getByTestId('radar-list')).toHaveAttribute('data-total', '1');
  await app.screenshot('overview-sync-failed-en-light');

  await app.openScreen('accounts');
  await expect(app.page.locator('[data-account="tencent-prod"] [data-inventory]')).toHaveAttribute('data-inventory', '1');
  await expect(app.page.locator('[data-account="tencent-prod"] [data-inventory]')).toContainText('Certificates held: 1');
  await expect(app.page.locator('[data-account="aliyun-broken"] [data-inventory]')).toHaveText('Not synced yet');
  tencent.state.reset();
});

test('A remote-only certificate is imported in one click and then shows its copy under On clouds', async ({ app, bridge, pki }) => {
  await saveAccount(bridge.context, 'tencent', 'tencent-prod', tencent.url);
  const seeded = await seedRadar(bridge.context, pki, ['tencent-prod'], 3);
  await app.page.reload();
  await app.openScreen('overview');
  const row = app.page.locator('[data-row^="remote:"]').filter({ hasText: seeded.importableName });
  await row.getByRole('button', { name: 'Import to library' }).click();
  await expect(app.page.getByRole('status').filter({ hasText: 'Imported' })).toContainText(seeded.importableName);
  await expect(app.page.locator('[data-row^="library:"]').filter({ hasText: seeded.importableName })).toHaveCount(1);

  await app.openScreen('library');
  await app.page.getByTestId('library-list').getByText(seeded.importableName).first().click();
  const onClouds = app.page.getByTestId('entry-on-clouds');
  await expect(onClouds.locator('[data-remote-id="cert-many-sans"]')).toContainText('tencent-prod');
  await expect(onClouds.locator('[data-remote-id="cert-many-sans"]')).toContainText('matched by fingerprint');
  await app.screenshot('library-on-clouds-en-light');
});

/** Scrolls the virtualised list a screen at a time until `item` is rendered. */
async function scrollTo(list: Locator, item: Locator): Promise<void> {
  for (let step = 0; step < 100 && (await item.count()) === 0; step++) {
    // Two frames after each step: the virtual list renders its new window on the scroll event, and
    // a busy machine must not let the loop scroll past the row before it exists.
    await list.evaluate((element) => {
      element.scrollTop += element.clientHeight * 0.8;
      return new Promise<void>((resolve) => requestAnimationFrame(() => requestAnimationFrame(() => resolve())));
    });
  }
  await item.scrollIntoViewIfNeeded();
}

async function entryId(context: HandlerContext, fingerprint: string): Promise<string> {
  return (await call(context, 'library.list', { search: fingerprint })).entries[0]!.id;
}

async function urgentCount(context: HandlerContext): Promise<number> {
  return (await call(context, 'inventory.overview', {})).urgent;
}
