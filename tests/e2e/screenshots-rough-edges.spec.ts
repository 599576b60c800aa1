import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { translate, type Locale, type MessageKey } from '../../shared/i18n';
import { cloudIds } from '../../shared/model';
import { dispatch } from '../../main/core/ipc/dispatch';
import type { HandlerContext } from '../../main/core/ipc/context';
import type { TestPki } from './fixtures/certificates';
import { importLibraryEntry, resetClouds, saveAccount, startClouds, stopClouds, type Clouds } from './fixtures/clouds';
import { expect, test } from './fixtures/test';

// Pictures of the screens issue 8 §7 touched, with realistic content (the Mozilla roots, five
// cloud accounts on the emulators), in both languages and both themes, for a person to look at:
// the library with hundreds of entries and with its detail pane, a narrow window, the delete
// dialog, the upload dialog at its plan, while running and with a cloud's refusal, and the
// history with its date filters.

const MOZILLA_DIR = '/usr/share/ca-certificates/mozilla';

let clouds: Clouds;
test.beforeAll(async () => {
  clouds = await startClouds();
});
test.afterEach(() => resetClouds(clouds));
test.afterAll(async () => {
  await stopClouds(clouds);
});

async function fillLibrary(context: HandlerContext, pki: TestPki): Promise<string> {
  const result = await dispatch(context, 'library.import', { paths: [MOZILLA_DIR] });
  if (!result.ok) throw new Error(result.error.message);
  const pem = [pki.leaf.pem, pki.intermediate.pem, pki.root.pem, fs.readFileSync(pki.leafKeyFile, 'utf8')].join('');
  return importLibraryEntry(context, pem);
}

const dialog = (page: Page) => page.locator('dialog[open]');

for (const locale of ['en', 'zh-CN'] as const satisfies readonly Locale[]) {
  for (const theme of ['light', 'dark'] as const) {
    test.describe(`${locale} ${theme}`, () => {
      test.use({ systemLocale: locale, colorScheme: theme });
      const text = (key: MessageKey, params?: Record<string, string | number>) => translate(locale, key, params);
      const shot = `${locale === 'en' ? 'en' : 'zh'}-${theme}`;

      test('library, detail, delete, narrow window', async ({ app, bridge, pki }) => {
        test.setTimeout(120_000);
        const { page } = app;
        const entryId = await fillLibrary(bridge.context, pki);
        await app.openScreen('library');
        const list = page.getByTestId('library-list');
        await expect(list).toHaveAttribute('data-total', /^\d{3}$/);
        await expect(list.locator('[role="row"][data-entry-id]').first()).toBeVisible();
        await app.screenshot(`rough-library-${shot}`);

        await page.getByLabel(text('ui.library.search.label')).fill(pki.leaf.commonName);
        await list.locator(`[role="row"][data-entry-id="${entryId}"]`).click();
        await page.getByLabel(text('ui.library.search.label')).fill('');
        await expect(page.getByTestId('library-detail')).toBeVisible();
        await app.screenshot(`rough-library-detail-${shot}`);

        await page.getByTestId('library-detail').getByRole('button', { name: text('ui.library.detail.delete') }).click();
        await expect(dialog(page)).toBeVisible();
        await app.screenshot(`rough-delete-${shot}`);
        await dialog(page).getByRole('button', { name: text('ui.library.cancel'), exact: true }).click();

        await page.setViewportSize({ width: 900, height: 720 });
        await app.screenshot(`rough-library-narrow-${shot}`);
        await page.getByTestId('library-detail').getByRole('button', { name: text('ui.library.detail.close') }).click();
        await app.screenshot(`rough-library-narrow-list-${shot}`);
      });

      test('upload dialog: plan, running, a refusal; history with date filters', async ({ app, bridge, pki }) => {
        test.setTimeout(120_000);
        const { page } = app;
        for (const cloud of cloudIds) await saveAccount(bridge.context, cloud, `${cloud}-prod`, clouds[cloud].url);
        const pem = [pki.leaf.pem, pki.intermediate.pem, pki.root.pem, fs.readFileSync(pki.leafKeyFile, 'utf8')].join('');
        const entryId = await importLibraryEntry(bridge.context, pem);
        clouds.aliyun.faults.inject({ kind: 'error', operation: 'UploadUserCertificate', code: 'InvalidParameter', status: 400, message: 'The parameter Name is invalid.' });

        await app.openScreen('library');
        await page.locator(`[role="row"][data-entry-id="${entryId}"]`).click();
        await page.getByTestId('library-detail').getByRole('button', { name: text('ui.library.detail.upload') }).click();
        const upload = page.locator('dialog[data-dialog="upload"]');
        await expect(upload).toBeVisible();
        for (const box of await upload.locator('input[name="target"]').all()) await box.check();
        await expect(upload.locator('[data-testid="upload-plan"] > li')).toHaveCount(cloudIds.length);
        await app.screenshot(`rough-upload-plan-${shot}`);

        for (const emulator of Object.values(clouds)) emulator.faults.latencyMs = 1500;
        await upload.getByRole('button', { name: text('ui.uploads.uploadTo', { count: cloudIds.length }) }).click();
        await expect(upload.locator('li[data-state="uploading"] [data-detail]').first()).toBeVisible({ timeout: 10_000 });
        await app.screenshot(`rough-upload-running-${shot}`);
        await expect(upload.locator('li[data-state="failed"]')).toHaveCount(1, { timeout: 30_000 });
        await expect(page.getByTestId('upload-summary')).not.toContainText('…', { timeout: 30_000 });
        await upload.locator('li[data-state="failed"]').scrollIntoViewIfNeeded();
        await app.screenshot(`rough-upload-refused-${shot}`);
        await upload.getByRole('button', { name: text('ui.uploads.close') }).last().click();

        await app.openScreen('uploads');
        await expect(page.locator('tr[data-history-id]').first()).toBeVisible();
        const today = new Date().toISOString().slice(0, 10);
        await page.locator('input[data-filter="from"]').fill(locale === 'zh-CN' ? `${today.slice(0, 4)}年${Number(today.slice(5, 7))}月1日` : `${today.slice(0, 8)}01`);
        await page.locator('input[data-filter="to"]').fill('2099-13-01');
        await app.screenshot(`rough-history-${shot}`);
      });
    });
  }
}
