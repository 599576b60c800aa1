import { expect, test } from './fixtures/test';

test.describe('app frame', () => {
  test('opens on Inspect with every section in the sidebar', async ({ app }) => {
    for (const name of ['Library', 'Inspect', 'Cloud accounts', 'Uploads', 'Settings']) {
      await expect(app.nav(new RegExp(`^${name}`))).toBeVisible();
    }
    await expect(app.nav(/^Inspect/)).toHaveAttribute('aria-current', 'page');
  });

  test('screens of later versions say so honestly and lead back to Inspect', async ({ app }) => {
    for (const [id, title] of [
      ['library', 'The library arrives in a later version'],
      ['accounts', 'Cloud accounts arrive in a later version'],
      ['uploads', 'Uploads arrive in a later version'],
    ] as const) {
      await app.openScreen(id);
      await expect(app.page.getByRole('heading', { level: 2 })).toHaveText(title);
    }
    await app.page.getByRole('button', { name: 'Go to Inspect' }).click();
    await expect(app.nav(/^Inspect/)).toHaveAttribute('aria-current', 'page');
  });

  test('the sidebar works from the keyboard', async ({ app }) => {
    await app.nav(/^Inspect/).focus();
    await app.page.keyboard.press('Tab'); // Cloud accounts
    await app.page.keyboard.press('Tab'); // Uploads
    await app.page.keyboard.press('Tab'); // Settings
    await app.page.keyboard.press('Enter');
    await expect(app.page.getByRole('heading', { level: 1 })).toHaveText('Settings');
  });
});

test('without a back end the app says so instead of breaking', async ({ page, renderer }) => {
  await page.goto(renderer.url); // no bridge: window.vault is absent
  await expect(page.getByRole('alert')).toContainText('Settings could not be loaded');
  await expect(page.getByRole('navigation')).toBeVisible();
});
