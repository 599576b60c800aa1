import type { Locator, Page } from '@playwright/test';
import { saveAccount } from './fixtures/clouds';
import { chainAndKeyPem, dialog, textIn } from './fixtures/screen-states';
import { expect, test } from './fixtures/test';
import type { RunningEmulator } from '../emulators/server';
import { startTencentEmulator } from '../emulators/tencent';

// The app by keyboard alone: every screen is reached with Tab and Enter, its main task is done
// without the mouse, the focused control always shows a ring, each dialog opens on its first real
// control and gives focus back to the control that opened it, and new results take focus.

let tencent: RunningEmulator;
test.beforeAll(async () => {
  tencent = await startTencentEmulator();
});
test.afterEach(() => tencent.state.reset());
test.afterAll(async () => {
  await tencent.close();
});

/** Why the focused element shows no focus ring, or null when it does (a hidden radio shows it on its label). */
function missingFocusRing(page: Page): Promise<string | null> {
  return page.evaluate(() => {
    const focused = document.activeElement;
    // Past the last control focus leaves the page for the browser's own UI, then wraps around.
    if (!(focused instanceof HTMLElement) || focused === document.body) return null;
    // Chromium draws a date input's ring itself, on the inner part (day, month, picker) that has focus.
    if (focused instanceof HTMLInputElement && focused.type === 'date') return null;
    const ringed = [focused, focused.closest('label')].some((element) => {
      if (!element) return false;
      const style = getComputedStyle(element);
      return style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2;
    });
    return ringed ? null : `${focused.outerHTML.slice(0, 120)} has no focus ring`;
  });
}

/** Presses Tab until `target` has focus, checking the ring at every stop on the way. */
async function tabTo(page: Page, target: Locator, limit = 60): Promise<void> {
  for (let presses = 0; presses < limit; presses++) {
    await page.keyboard.press('Tab');
    expect(await missingFocusRing(page)).toBeNull();
    if (await target.evaluate((element) => element === document.activeElement)) return;
  }
  throw new Error(`${target.toString()} was not reached in ${limit} presses of Tab`);
}

async function openByKeyboard(page: Page, screen: string): Promise<void> {
  await tabTo(page, page.locator(`nav button[data-screen="${screen}"]`));
  await page.keyboard.press('Enter');
  await expect(page.locator('main')).toHaveAttribute('data-screen', screen);
}

const button = (scope: Locator, name: string): Locator => scope.getByRole('button', { name, exact: true });

for (const [locale, theme] of [
  ['en', 'light'],
  ['zh-CN', 'dark'],
] as const) {
  test.describe(`${locale} ${theme}`, () => {
    test.use({ systemLocale: locale, colorScheme: theme });

    test('every screen is reached and used by keyboard alone', async ({ app, bridge, pki }) => {
      test.setTimeout(180_000);
      const { page } = app;
      const text = textIn(locale);
      const main = page.getByRole('main');
      const detail = page.getByTestId('library-detail');

      for (const screen of ['library', 'accounts', 'uploads', 'settings', 'inspect']) await openByKeyboard(page, screen);

      // Inspect: type, press the button, land on the result's heading.
      await tabTo(page, app.pasteArea);
      await page.keyboard.insertText(chainAndKeyPem(pki));
      await tabTo(page, button(main, text('ui.inspect.run')));
      await page.keyboard.press('Enter');
      await expect(page.getByTestId('leaf-name')).toBeFocused();

      // Library: the paste dialog opens on its text box and gives focus back on Escape.
      await openByKeyboard(page, 'library');
      const pasteButton = button(page.getByTestId('library-empty'), text('ui.library.import.paste'));
      await tabTo(page, pasteButton);
      await page.keyboard.press('Enter');
      await expect(dialog(page, 'library-paste').locator('textarea')).toBeFocused();
      await page.keyboard.press('Escape');
      await expect(dialog(page, 'library-paste')).toHaveCount(0);
      await expect(pasteButton).toBeFocused();
      await page.keyboard.press('Enter');
      await page.keyboard.insertText(chainAndKeyPem(pki));
      await tabTo(page, button(dialog(page, 'library-paste'), text('ui.library.paste.submit')));
      await page.keyboard.press('Enter');
      await expect(detail).toBeVisible();
      // The paste button went with the empty state: focus lands on the screen's heading, not the page.
      await expect(main.locator('h1')).toBeFocused();

      // The list: Escape closes the detail, the arrow keys open an entry again.
      await page.keyboard.press('Escape');
      await expect(detail).toHaveCount(0);
      await tabTo(page, page.getByTestId('library-list'));
      await page.keyboard.press('ArrowDown');
      await expect(detail.getByTestId('leaf-name')).toHaveText(pki.leaf.commonName);

      // Export opens on the chosen format; Delete on Cancel; both give focus back.
      const exportButton = button(detail, text('ui.library.detail.export'));
      await tabTo(page, exportButton);
      await page.keyboard.press('Enter');
      await expect(dialog(page, 'library-export').locator('input[name="export-format"]:checked')).toBeFocused();
      await page.keyboard.press('Escape');
      await expect(exportButton).toBeFocused();
      const deleteButton = button(detail, text('ui.library.detail.delete'));
      await tabTo(page, deleteButton);
      await page.keyboard.press('Enter');
      await expect(button(dialog(page, 'library-delete'), text('ui.library.cancel'))).toBeFocused();
      await page.keyboard.press('Enter');
      await expect(dialog(page, 'library-delete')).toHaveCount(0);
      await expect(deleteButton).toBeFocused();

      // Upload: opens on the first target, Upload moves focus to the progress, Close gives it back.
      await saveAccount(bridge.context, 'tencent', 'tencent-prod', tencent.url);
      const uploadButton = button(detail, text('ui.library.detail.upload'));
      await tabTo(page, uploadButton);
      await page.keyboard.press('Enter');
      const upload = dialog(page, 'upload');
      const target = upload.locator('input[name="target"]').first();
      await expect(target).toBeFocused();
      const start = upload.locator('footer button.primary');
      await expect(start).toBeDisabled();
      // Disabled must not look like the enabled primary button (it did in the dark theme).
      const disabledBackground = await start.evaluate((element) => getComputedStyle(element).backgroundColor);
      await page.keyboard.press('Space');
      await expect(start).toBeEnabled();
      expect(await start.evaluate((element) => getComputedStyle(element).backgroundColor)).not.toBe(disabledBackground);
      await tabTo(page, start);
      await page.keyboard.press('Enter');
      const summary = upload.getByTestId('upload-summary');
      await expect(summary).toBeFocused();
      await expect(summary).toHaveAttribute('aria-live', 'polite');
      await expect(summary).toHaveText(text('ui.uploads.summary.allDone', { count: 1 }), { timeout: 20_000 });
      await expect(summary).toBeFocused();
      // Screen readers hear each target's outcome, not only the count.
      const announcements = upload.getByTestId('upload-announcements');
      await expect(announcements).toHaveAttribute('aria-live', 'polite');
      await expect(announcements).toHaveText(text('ui.uploads.announce.uploaded', { account: 'tencent-prod' }));
      await tabTo(page, upload.locator('footer').getByRole('button', { name: text('ui.uploads.close'), exact: true }));
      await page.keyboard.press('Enter');
      await expect(upload).toHaveCount(0);
      await expect(uploadButton).toBeFocused();

      // Accounts: the add dialog opens on the cloud choice, its × is named as it reads.
      await openByKeyboard(page, 'accounts');
      const addButton = button(main, text('ui.accounts.add')).first();
      await tabTo(page, addButton);
      await page.keyboard.press('Enter');
      await expect(dialog(page, 'account').locator('select[name="cloud"]')).toBeFocused();
      const close = dialog(page, 'account').locator('header button');
      await expect(close).toHaveAccessibleName(text('ui.uploads.close'));
      await expect(close).toHaveAttribute('title', text('ui.uploads.close'));
      await page.keyboard.press('Escape');
      await expect(addButton).toBeFocused();

      // Uploads: the grouping radios switch with the arrow keys.
      await openByKeyboard(page, 'uploads');
      await tabTo(page, page.locator('input[name="history-view"]:checked'));
      await page.keyboard.press('ArrowRight');
      await expect(page.locator('[data-group-certificate]')).toHaveCount(1);

      // Settings: the theme changes from the keyboard.
      await openByKeyboard(page, 'settings');
      const other = theme === 'light' ? 'dark' : 'light';
      await tabTo(page, page.locator('input[name="theme"]:checked'));
      for (let presses = 0; presses < 3 && !(await page.locator(`input[name="theme"][value="${other}"]`).isChecked()); presses++) {
        await page.keyboard.press('ArrowRight');
      }
      await expect(page.locator('html')).toHaveAttribute('data-theme', other);
    });
  });
}
