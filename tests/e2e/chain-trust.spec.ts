import { expect, test } from './fixtures/test';
import type { Locale } from '../../shared/i18n';

// Where a chain ends and who vouches for its root, under the chain diagram; screenshots in both
// languages and themes (artifacts/screenshots/).

test.beforeEach(async ({ app }) => {
  await app.openScreen('inspect');
});

test('a Mozilla root says it is trusted by the system', async ({ app, pki }) => {
  await app.pasteAndInspect(pki.mozillaRoot.pem);
  await expect(app.page.locator('.trust[data-trusted-by="system"]')).toHaveText('Ends at ISRG Root X1, trusted by the system.');
});

test('a self-made chain is trusted only by its input', async ({ app, pki }) => {
  await app.pasteAndInspect([pki.leaf.pem, pki.intermediate.pem, pki.root.pem].join('\n'));
  await expect(app.page.locator('.trust[data-trusted-by="input"]')).toContainText('trusted only by this input');
});

for (const locale of ['en', 'zh-CN'] as const satisfies readonly Locale[]) {
  for (const theme of ['light', 'dark'] as const) {
    test.describe(`${locale} ${theme}`, () => {
      test.use({ systemLocale: locale, colorScheme: theme });
      test('chain trust line', async ({ app, pki }) => {
        await app.pasteAndInspect(pki.mozillaRoot.pem);
        await expect(app.page.locator('.trust')).toBeVisible();
        await app.screenshot(`inspect-chain-trust-${locale}-${theme}`);
      });
    });
  }
}
