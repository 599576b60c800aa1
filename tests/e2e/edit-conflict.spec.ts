import { AxeBuilder } from '@axe-core/playwright';
import { dispatch } from '../../main/core/ipc/dispatch';
import { translate, type Locale, type MessageKey } from '../../shared/i18n';
import type { LibraryEntry } from '../../shared/library';
import { AppPage } from './fixtures/app-page';
import { expect, test } from './fixtures/test';

// Two members editing the same entry (issue 11 §3): another writer saves while this window has
// the form open with edits of its own. Saving must not silently overwrite theirs: the window shows
// both versions, and the user re-applies theirs or saves theirs over.

for (const locale of ['en', 'zh-CN'] as const satisfies readonly Locale[]) {
  test.describe(`Entry edit conflict (${locale})`, () => {
    test.use({ systemLocale: locale });
    const text = (key: MessageKey) => translate(locale, key);

    test('a change made underneath is shown beside ours; theirs can be re-applied, ours saved over', async ({ app, bridge, pki }) => {
      await app.openScreen('library');
      await app.dropFiles([AppPage.fileFromDisk(pki.leaf.file, 'www.example.test.pem')]);
      const detail = app.page.getByTestId('library-detail');
      const editor = detail.getByTestId('entry-editor');
      await expect(editor).toBeVisible();
      const id = (await detail.getAttribute('data-entry-id'))!;
      const field = (key: MessageKey) => editor.getByLabel(text(key), { exact: true });

      await field('ui.library.edit.name').fill('ours: shop');
      await field('ui.library.edit.notes').fill('our note');

      // Another member saves first, from the entry as it was when our form opened.
      const opened = await dispatch(bridge.context, 'library.get', { id });
      if (!opened.ok) throw new Error(opened.error.message);
      const base = (opened.value as LibraryEntry).updatedAt;
      const theirs = await dispatch(bridge.context, 'library.update', { id, baseUpdatedAt: base, name: 'theirs: shop', tags: ['payments'], notes: 'their note' });
      expect(theirs.ok).toBe(true);
      // Their save reached this window, and our unsaved edits are still in the form.
      await expect(field('ui.library.edit.name')).toHaveValue('ours: shop');

      await editor.getByRole('button', { name: text('ui.library.edit.save'), exact: true }).click();
      const conflict = editor.getByTestId('entry-conflict');
      await expect(conflict).toContainText(text('ui.library.edit.conflict.title'));
      await expect(conflict.getByTestId('entry-conflict-theirs')).toContainText('theirs: shop');
      await expect(conflict.getByTestId('entry-conflict-theirs')).toContainText('payments');
      await expect(conflict.getByTestId('entry-conflict-theirs')).toContainText('their note');
      await expect(conflict.getByTestId('entry-conflict-yours')).toContainText('ours: shop');
      await expect(conflict.getByTestId('entry-conflict-yours')).toContainText('our note');
      // Save waits for a choice between the two versions, and says so.
      const save = editor.getByRole('button', { name: text('ui.library.edit.save'), exact: true });
      await expect(save).toBeDisabled();
      await expect(save).toHaveAttribute('title', text('ui.library.edit.conflict.chooseFirst'));
      // Nothing of ours was written.
      const stored = await dispatch(bridge.context, 'library.get', { id });
      expect(stored.ok && (stored.value as LibraryEntry).name).toBe('theirs: shop');
      const { violations } = await new AxeBuilder({ page: app.page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']).include('[data-testid="entry-editor"]').analyze();
      expect(violations.map((violation) => `${violation.id}: ${violation.help}`)).toEqual([]);
      await conflict.getByRole('button', { name: text('ui.library.edit.conflict.keepMine') }).scrollIntoViewIfNeeded();
      await app.screenshot(`library-edit-conflict-${locale === 'en' ? 'en' : 'zh'}`);

      // Re-apply theirs: the form holds their values, nothing to save.
      await conflict.getByRole('button', { name: text('ui.library.edit.conflict.useTheirs') }).click();
      await expect(conflict).toBeHidden();
      await expect(field('ui.library.edit.name')).toHaveValue('theirs: shop');
      await expect(field('ui.library.edit.tags')).toHaveValue('payments');
      await expect(field('ui.library.edit.notes')).toHaveValue('their note');
      await expect(editor.getByRole('button', { name: text('ui.library.edit.save'), exact: true })).toBeDisabled();

      // From their version an edit saves; another change underneath, and "save mine" writes ours over it.
      await field('ui.library.edit.notes').fill('our second note');
      const current = await dispatch(bridge.context, 'library.get', { id });
      if (!current.ok) throw new Error(current.error.message);
      expect((await dispatch(bridge.context, 'library.update', { id, baseUpdatedAt: (current.value as LibraryEntry).updatedAt, notes: 'their second note' })).ok).toBe(true);
      await editor.getByRole('button', { name: text('ui.library.edit.save'), exact: true }).click();
      await conflict.getByRole('button', { name: text('ui.library.edit.conflict.keepMine') }).click();
      await expect(conflict).toBeHidden();
      await expect(editor.getByRole('status')).toHaveText(text('ui.library.edit.saved'));
      const final = await dispatch(bridge.context, 'library.get', { id });
      expect(final.ok && (final.value as LibraryEntry).notes).toBe('our second note');
    });
  });
}
