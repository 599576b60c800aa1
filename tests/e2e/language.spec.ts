import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from './fixtures/test';

test.describe('language', () => {
  test.describe('with a Chinese OS', () => {
    test.use({ systemLocale: 'zh-CN' });

    test('the UI follows the OS language', async ({ app }) => {
      await expect(app.page.locator('html')).toHaveAttribute('lang', 'zh-CN');
      await expect(app.nav(/^总览/)).toHaveAttribute('aria-current', 'page');
      await expect(app.page.getByRole('heading', { level: 1 })).toHaveText('总览');
    });

    test('errors are shown in Chinese, rendered from the error code', async ({ app }) => {
      await app.openScreen('inspect');
      await app.pasteAndInspect('这不是证书');
      await expect(app.errorBanner).toContainText('无法检查所提供的内容');
      const code = await app.errorBanner.getAttribute('data-error-code');
      expect(code).toMatch(/^(input|pem|der)\./);
      await expect(app.errorBanner).not.toContainText(/ is | the /); // not main's English text
      await expect(app.errorBanner).toContainText('粘贴的文本'); // main's "pasted text", translated
    });

    test('switching to English in Settings applies at once and is saved', async ({ app, bridge }) => {
      await app.openScreen('settings');
      await app.page.getByLabel('语言', { exact: true }).selectOption('en');

      await expect(app.page.getByRole('heading', { level: 1 })).toHaveText('Settings');
      await expect(app.page.locator('html')).toHaveAttribute('lang', 'en');
      const saved = JSON.parse(fs.readFileSync(path.join(bridge.dataDir, 'settings.json'), 'utf8')) as { language: string };
      expect(saved.language).toBe('en');

      await app.page.getByLabel('Language', { exact: true }).selectOption('system');
      await expect(app.page.getByRole('heading', { level: 1 })).toHaveText('设置');
    });
  });

  test('an English OS gets English, and Chinese can be chosen', async ({ app, pki }) => {
    await app.openScreen('inspect');
    await app.pasteAndInspect(pki.leaf.pem);
    await expect(app.result).toContainText('Not before');

    await app.openScreen('settings');
    await app.page.getByLabel('Language', { exact: true }).selectOption('zh-CN');
    await app.openScreen('inspect');
    await expect(app.result).toContainText('生效时间');
    await expect(app.result).toContainText('天后到期');
  });
});
