import fs from 'node:fs';
import path from 'node:path';
import { dispatch } from '../../main/core/ipc/dispatch';
import { translate } from '../../shared/i18n';
import { expect, test } from './fixtures/test';

test.describe('Settings screen', () => {
  test('theme follows the OS, and the override wins', async ({ app }) => {
    const html = app.page.locator('html');
    await app.page.emulateMedia({ colorScheme: 'dark' });
    await expect(html).toHaveAttribute('data-theme', 'dark');
    await app.page.emulateMedia({ colorScheme: 'light' });
    await expect(html).toHaveAttribute('data-theme', 'light');

    await app.openScreen('settings');
    await app.page.getByRole('radio', { name: 'Dark' }).check();
    await expect(html).toHaveAttribute('data-theme', 'dark');
    await app.page.reload();
    await expect(html).toHaveAttribute('data-theme', 'dark');
  });

  test('the expiring-soon threshold changes the expiry badge colour', async ({ app, pki }) => {
    await app.openScreen('inspect');
    await app.pasteAndInspect(pki.leaf.pem); // expires in 24 or 25 days
    const badge = app.page.locator('[data-testid="inspection"] .headline [data-tone]');
    await expect(badge).toHaveAttribute('data-tone', 'warning');

    await app.openScreen('settings');
    const days = app.page.getByLabel('Expiring soon');
    await days.fill('7');
    await days.press('Tab');
    await expect.poll(() => app.page.evaluate(() => document.querySelector<HTMLInputElement>('#setting-expiring')?.value)).toBe('7');
    await app.openScreen('inspect');
    await expect(badge).toHaveAttribute('data-tone', 'success');
  });

  test('an out-of-range threshold is not saved', async ({ app, bridge }) => {
    await app.openScreen('settings');
    const days = app.page.getByLabel('Expiring soon');
    await days.fill('0');
    await days.press('Tab');
    await expect(days).toHaveValue('30');
    expect(bridge.context.settings.get().expiringWithinDays).toBe(30);
  });
});

for (const locale of ['en', 'zh-CN'] as const) {
  test.describe(`Backup and restore (${locale})`, () => {
    test.use({ systemLocale: locale });

    test('backs up through a save dialog and a passphrase typed twice, and restores with Replace', async ({ app, bridge, pki }) => {
      // Each backup or restore derives its key with scrypt (about half a second, much more on a busy CI box).
      test.setTimeout(120_000);
      const scrypt = { timeout: 30_000 };
      const { page } = app;
      const text = (key: Parameters<typeof translate>[1], params?: Record<string, string | number>) => translate(locale, key, params);
      const imported = await dispatch(bridge.context, 'library.importContent', {
        files: [{ name: 'leaf.pem', data: new TextEncoder().encode(pki.leaf.pem + fs.readFileSync(pki.leafKeyFile, 'utf8')) }],
      });
      expect(imported.ok).toBe(true);
      const file = path.join(bridge.dataDir, 'e2e.cvbackup');

      await app.openScreen('settings');
      bridge.queueSaveAnswer(file);
      await page.getByRole('button', { name: text('ui.settings.backup.create') }).click();
      const dialog = page.locator('dialog[data-dialog="passphrase"]');
      await expect(dialog).toBeVisible();
      const start = dialog.getByRole('button', { name: text('ui.settings.backup.start') });
      await dialog.locator('[data-passphrase]').fill('a long passphrase');
      await dialog.locator('[data-passphrase-repeat]').fill('a long passphrase?');
      await expect(dialog.getByText(text('ui.settings.backup.mismatch'))).toBeVisible();
      await expect(start).toBeDisabled();
      await dialog.locator('[data-passphrase-repeat]').fill('a long passphrase');
      await app.screenshot(`settings-backup-${locale}`);
      await start.click();
      await expect(dialog).toBeHidden(scrypt);
      await expect(page.getByRole('status').filter({ hasText: 'e2e.cvbackup' })).toBeVisible();
      expect(fs.statSync(file).size).toBeGreaterThan(100);

      // Restoring into this (non-empty) vault is refused until Replace is ticked.
      bridge.queueDialogAnswer([file]);
      await page.getByRole('button', { name: text('ui.settings.backup.restore') }).click();
      await expect(dialog).toBeVisible();
      await dialog.locator('[data-passphrase]').fill('a long passphrase');
      await dialog.getByRole('button', { name: text('ui.settings.restore.start') }).click();
      await expect(dialog.locator('[data-error-code="backup.vault_not_empty"]')).toContainText(text('error.backup.vault_not_empty', { entries: 1, accounts: 0, history: 0 }), scrypt);
      await app.screenshot(`settings-restore-refused-${locale}`);
      await dialog.locator('[data-replace]').check();
      await dialog.getByRole('button', { name: text('ui.settings.restore.start') }).click();
      await expect(dialog).toBeHidden(scrypt);
      await expect(page.getByRole('status').filter({ hasText: text('ui.settings.restore.done', { entries: 1, keys: 1, accounts: 0, history: 0 }) })).toBeVisible();
      await app.screenshot(`settings-restored-${locale}`);
    });
  });
}
