import { expect, test } from './fixtures/test';

test.describe('app frame', () => {
  test('opens on Overview with every section in the sidebar', async ({ app }) => {
    for (const name of ['Overview', 'Library', 'Inspect', 'Cloud accounts', 'Uploads', 'Team', 'Settings']) {
      await expect(app.nav(new RegExp(`^${name}`))).toBeVisible();
    }
    await expect(app.nav(/^Overview/)).toHaveAttribute('aria-current', 'page');
    await expect(app.page.locator('main')).toHaveAttribute('data-screen', 'overview');
  });

  test('every sidebar entry opens its screen and marks itself current', async ({ app }) => {
    for (const [id, title] of [
      ['overview', 'Overview'],
      ['library', 'Library'],
      ['accounts', 'Cloud accounts'],
      ['uploads', 'Uploads'],
      ['team', 'Team'],
      ['settings', 'Settings'],
      ['inspect', 'Inspect'],
    ] as const) {
      await app.openScreen(id);
      await expect(app.page.getByRole('heading', { level: 1 })).toHaveText(title);
      await expect(app.page.locator(`nav button[data-screen="${id}"]`)).toHaveAttribute('aria-current', 'page');
    }
  });

  test('the sidebar works from the keyboard', async ({ app }) => {
    await app.nav(/^Inspect/).focus();
    await app.page.keyboard.press('Tab'); // Cloud accounts
    await app.page.keyboard.press('Tab'); // Uploads
    await app.page.keyboard.press('Tab'); // Team
    await app.page.keyboard.press('Tab'); // Settings
    await app.page.keyboard.press('Enter');
    await expect(app.page.getByRole('heading', { level: 1 })).toHaveText('Settings');
  });
});

test('without a back end the app says so instead of breaking', async ({ page, renderer }) => {
  await page.goto(renderer.url); // no bridge: window.vault is absent
  await expect(page.getByRole('alert').filter({ hasText: 'Settings could not be loaded' })).toBeVisible();
  // The first screen, Overview, says it has nothing to show and why.
  await expect(page.getByRole('alert').filter({ hasText: 'The overview could not be loaded' })).toBeVisible();
  await expect(page.getByRole('navigation')).toBeVisible();
});
