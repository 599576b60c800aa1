import fs from 'node:fs';
import path from 'node:path';
import type { Locale } from '../../shared/i18n';
import { expect, test } from './fixtures/test';

// The screenshots reviewers look at (artifacts/screenshots/), in both languages and both themes.
// The English light Inspect screen is also the README's picture, refreshed only on request
// (UPDATE_README_SCREENSHOT=1 npm run test:e2e), so a test run never dirties the work tree.

const readmeShot = path.resolve(__dirname, '../../docs/screenshots/inspect-en.png');

for (const locale of ['en', 'zh-CN'] as const satisfies readonly Locale[]) {
  for (const theme of ['light', 'dark'] as const) {
    test.describe(`${locale} ${theme}`, () => {
      test.use({ systemLocale: locale, colorScheme: theme });

      test('Inspect with a chain and its key', async ({ app, pki }) => {
        await app.openScreen('inspect');
        await app.dropFiles([
          { name: 'fullchain.pem', data: Buffer.from([pki.leaf.pem, pki.intermediate.pem, pki.root.pem].join('')) },
          { name: 'privkey.pem', data: fs.readFileSync(pki.leafKeyFile) },
        ]);
        await expect(app.page.getByTestId('leaf-name')).toHaveText(pki.leaf.commonName);
        const file = await app.screenshot(`inspect-${locale}-${theme}`);
        if (locale === 'en' && theme === 'light' && process.env.UPDATE_README_SCREENSHOT === '1') {
          fs.mkdirSync(path.dirname(readmeShot), { recursive: true });
          fs.copyFileSync(file, readmeShot);
        }
      });

      test('Inspect, empty', async ({ app }) => {
        await app.openScreen('inspect');
        await expect(app.pasteArea).toBeVisible();
        await app.screenshot(`inspect-empty-${locale}-${theme}`);
      });

      test('Inspect, error', async ({ app }) => {
        await app.openScreen('inspect');
        await app.pasteAndInspect('-----BEGIN CERTIFICATE-----\nMIIB!!!!notbase64\n-----END CERTIFICATE-----\n');
        await expect(app.errorBanner).toBeVisible();
        await app.screenshot(`inspect-error-${locale}-${theme}`);
      });

      test('Inspect, password needed', async ({ app, pki }) => {
        await app.openScreen('inspect');
        await app.dropFiles([{ name: 'server.key', data: fs.readFileSync(pki.leafEncryptedKeyFile) }]);
        await expect(app.errorBanner.locator('input[type="password"]')).toBeFocused();
        await app.screenshot(`inspect-password-${locale}-${theme}`);
      });

      test('Inspect, a hundred SANs in a narrow window', async ({ app, pki }) => {
        await app.openScreen('inspect');
        await app.page.setViewportSize({ width: 960, height: 900 });
        await app.pasteAndInspect(pki.manySans.pem);
        await expect(app.field('dnsNames')).toBeVisible();
        await app.field('dnsNames').scrollIntoViewIfNeeded();
        await app.screenshot(`inspect-narrow-${locale}-${theme}`);
      });

      test('Settings', async ({ app }) => {
        await app.openScreen('settings');
        await app.screenshot(`settings-${locale}-${theme}`);
      });

      test('Library', async ({ app }) => {
        await app.openScreen('library');
        // The vault is empty here: the picture is of the empty state, not of the moment before it.
        await expect(app.page.getByTestId('library-empty')).toBeVisible();
        await app.screenshot(`library-${locale}-${theme}`);
      });

      test('Library detail with a renewal', async ({ app, pki }) => {
        await app.openScreen('library');
        await app.dropFiles([{ name: 'renewed.pem', data: Buffer.from(pki.renewedLeaf.pem + pki.intermediate.pem + pki.root.pem) }]);
        await app.dropFiles([{ name: 'fullchain.pem', data: Buffer.from([pki.leaf.pem, pki.intermediate.pem, pki.root.pem].join('')) }]);
        await expect(app.page.getByTestId('entry-lineage').locator('[data-lineage="renewedBy"]')).toBeVisible();
        await app.page.getByTestId('library-current-only').check();
        await app.screenshot(`library-lineage-${locale}-${theme}`);
      });
    });
  }
}
