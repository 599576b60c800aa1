import fs from 'node:fs';
import type { Page } from '@playwright/test';
import { translate, type Locale, type MessageKey } from '../../shared/i18n';
import { dispatch } from '../../main/core/ipc/dispatch';
import type { HandlerContext } from '../../main/core/ipc/context';
import type { TestPki } from './fixtures/certificates';
import { importLibraryEntry } from './fixtures/clouds';
import { expect, test } from './fixtures/test';

// Pictures of the library screens issue 8 §7 touched, with realistic content (the Mozilla roots),
// in both languages and both themes, for a person to look at: hundreds of entries, the detail
// pane, the delete dialog and a narrow window. The upload dialog and history pictures are taken
// in uploads.spec.ts, beside the emulators.

const MOZILLA_DIR = '/usr/share/ca-certificates/mozilla';

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
    });
  }
}
