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
import { radarLimits } from '../../shared/inventory';

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
/** The rows per page the Overview fetches (renderer/src/lib/radar.svelte.ts): the radar spans several. */
const PAGE_ROWS = radarLimits.defaultPageSize;

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
        // The first screen: no navigation needed.
        await expect(app.page.locator('main')).toHaveAttribute('data-screen', 'overview');
        const list = app.page.getByTestId('radar-list');
        // Both accounts' copies, the remote-only one, and the library's leaf and renewal.
        await expect(list).toHaveAttribute('data-total', String(2 * PER_ACCOUNT + 1 + 2));
        // Virtualised: a few hundred rows, a screenful in the DOM.
        await expect(list.locator('[data-row]').first()).toBeVisible();
        expect(await list.locator('[data-row]').count()).toBeLessThan(60);
        await expect(list.locator('[data-radar-group="expired"] h2')).toContainText(text('ui.overview.group.expired'));
        await expectRowsAsMainOrders(list, bridge.context, [0, 1, 2]);
        const old = list.locator(`[data-row="library:${await entryId(bridge.context, pki.leaf.sha256Hex)}"]`);
        await scrollTo(list, old);
        await expect(old.getByTestId('radar-renewal')).toHaveText(text('ui.overview.renewedLocally', { account: 'tencent-prod' }));
        await expect(old.getByTestId('radar-where')).toContainText(text('ui.overview.where.library'));
        await expect(old.getByTestId('radar-where')).toContainText('www.radar.test');
        await app.screenshot(`overview-renewal-${locale}-${theme}`);
        // Expired and within a week: the sidebar's badge counts them.
        const { urgent, counts } = await call(bridge.context, 'inventory.overview', { limit: 0 });
        expect(urgent).toBeGreaterThan(0);
        await expect(app.page.getByTestId('urgent-badge')).toContainText(String(urgent));
        await list.evaluate((element) => element.scrollTo(0, 0));
        await app.screenshot(`overview-${locale}-${theme}`);

        // Jump to the last group, a page or more down: its header is in view and its rows are the ones main orders there.
        const jump = app.page.getByRole('navigation', { name: text('ui.overview.jump.aria') });
        await expect(jump.locator('[data-jump="later"]')).toContainText(String(counts.later));
        await jump.locator('[data-jump="later"]').click();
        await expect(list.locator('[data-radar-group="later"]')).toBeInViewport();
        await expect(jump.locator('[data-jump="later"]')).toHaveAttribute('aria-current', 'true');
        const firstLater = counts.expired + counts.week + counts.soon + counts.quarter;
        expect(firstLater).toBeGreaterThan(PAGE_ROWS);
        await expectRowsAsMainOrders(list, bridge.context, [firstLater, firstLater + 1, firstLater + 2]);
        await app.screenshot(`overview-later-${locale}-${theme}`);

        // Scrolled to the very end, then jumped back to the top: each time the rows main has there.
        const total = 2 * PER_ACCOUNT + 3;
        await list.evaluate((element) => element.scrollTo(0, element.scrollHeight));
        await expectRowsAsMainOrders(list, bridge.context, [total - 2, total - 1]);
        await jump.locator('[data-jump="expired"]').click();
        await expect(list.locator('[data-radar-group="expired"]')).toBeInViewport();
        await expectRowsAsMainOrders(list, bridge.context, [0, 1]);
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
    await list.evaluate((element) => {
      element.scrollTop += element.clientHeight * 0.8;
    });
    // The rows of a page not fetched yet are placeholders: wait for them, or the loop would
    // scroll past the row before it exists.
    await expect(list.locator('[data-loading]')).toHaveCount(0);
  }
  await item.scrollIntoViewIfNeeded();
}

/** The list shows, at each of these radar indices, the row main's radar has there. */
async function expectRowsAsMainOrders(list: Locator, context: HandlerContext, indices: readonly number[]): Promise<void> {
  for (const index of indices) {
    const { rows } = await call(context, 'inventory.overview', { offset: index, limit: 1 });
    await expect(list.locator(`li[data-index="${index}"] [data-row]`)).toHaveAttribute('data-row', rows[0]!.key);
  }
}

async function entryId(context: HandlerContext, fingerprint: string): Promise<string> {
  return (await call(context, 'library.list', { search: fingerprint })).entries[0]!.id;
}

