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
