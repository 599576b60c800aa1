import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from '@playwright/test';
import { osKeychain } from '../../main/core/keychain';
import { Vault } from '../../main/core/library/vault';
import { translate, type Locale, type MessageKey } from '../../shared/i18n';
import type { ErrorParams } from '../../shared/errors';
import { AppPage } from './fixtures/app-page';
import type { TestPki } from './fixtures/certificates';
import { expect, test } from './fixtures/test';

// The Library screen end to end, over the real vault (SQLite in the bridge's temporary data folder,
// keys sealed with the throwaway keychain of scripts/with-keyring.sh): import by drop, paste and
// the folder dialog, search, filters, sort, edit, export (the written files are checked) and
// delete, in English and in Chinese. Labels come from the catalogs, so a test reads as the user
// sees the screen in that language.

const MOZILLA_DIR = '/usr/share/ca-certificates/mozilla';
const DAY_MS = 86_400_000;
/** When each root expires: some have expired, some expire soon, and that depends on today. */
const rootsNotAfter = fs
  .readdirSync(MOZILLA_DIR)
  .filter((name) => name.endsWith('.crt'))
  .map((name) => new Date(new X509Certificate(fs.readFileSync(path.join(MOZILLA_DIR, name))).validTo).getTime());
const mozillaRoots = rootsNotAfter.length;

function pemBlocks(text: string): string[] {
  return [...text.matchAll(/-----BEGIN ([A-Z ]+)-----[\s\S]+?-----END \1-----/g)].map((m) => m[0].replace(/\r?\n/g, '\n'));
}

class LibraryPage {
  constructor(
    readonly app: AppPage,
    readonly locale: Locale,
  ) {}

  get page(): Page {
    return this.app.page;
  }

  text(key: MessageKey, params?: ErrorParams): string {
    return translate(this.locale, key, params);
  }

  get list(): Locator {
    return this.page.getByTestId('library-list');
  }

  get rows(): Locator {
    return this.list.locator('[role="row"][data-entry-id]');
  }

  get detail(): Locator {
    return this.page.getByTestId('library-detail');
  }

  get summary(): Locator {
    return this.page.getByTestId('import-summary');
  }

  get search(): Locator {
    return this.page.getByLabel(this.text('ui.library.search.label'));
  }

  row(name: string): Locator {
    return this.rows.filter({ has: this.page.locator('.name', { hasText: name }) });
  }

  button(key: MessageKey): Locator {
    return this.page.getByRole('button', { name: this.text(key), exact: true });
  }

  async open(): Promise<void> {
    await this.app.openScreen('library');
    await expect(this.page.getByRole('heading', { level: 1 })).toHaveText(this.text('ui.nav.library'));
  }

  /** What the list holds; nothing at all is said by the "no match" panel instead of an empty table. */
  async expectTotal(count: number): Promise<void> {
    if (count === 0) await expect(this.page.getByTestId('library-no-match')).toBeVisible();
    else await expect(this.list).toHaveAttribute('data-total', String(count));
  }

  async importFolder(bridge: { queueDialogAnswer(paths: readonly string[]): void }, dir: string): Promise<void> {
    bridge.queueDialogAnswer([dir]);
    await this.button('ui.library.import.folder').click();
    await expect(this.summary).toBeVisible({ timeout: 60_000 });
  }

  async pasteInBox(text: string): Promise<void> {
    await this.button('ui.library.import.paste').click();
    await this.page.getByLabel(this.text('ui.library.paste.label')).fill(text);
    await this.page.locator('dialog').getByRole('button', { name: this.text('ui.library.paste.submit'), exact: true }).click();
    await expect(this.summary).toBeVisible();
  }

  async exportAs(format: MessageKey, file: string, bridge: { queueSaveAnswer(file: string): void }): Promise<Locator> {
    bridge.queueSaveAnswer(file);
    await this.detail.getByRole('button', { name: this.text('ui.library.detail.export') }).click();
    const dialog = this.page.locator('dialog[data-dialog="library-export"]');
    await dialog.getByRole('radio', { name: new RegExp(`^${escapeRegExp(this.text(format))}`) }).check();
    return dialog;
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function chainFiles(pki: TestPki): { name: string; data: Buffer }[] {
  return [
    AppPage.fileFromDisk(pki.leaf.file, 'www.example.test.pem'),
    { name: 'chain.pem', data: Buffer.from(pki.intermediate.pem + pki.root.pem) },
    AppPage.fileFromDisk(pki.leafKeyFile, 'www.example.test.key'),
  ];
}

for (const locale of ['en', 'zh-CN'] as const satisfies readonly Locale[]) {
  test.describe(`Library (${locale})`, () => {
    test.use({ systemLocale: locale });
    /** Screenshot names: library-en.png, library-zh.png, ... */
    const shot = locale === 'en' ? 'en' : 'zh';

    test('a new user is told how to fill the library', async ({ app }) => {
      const library = new LibraryPage(app, locale);
      await library.open();
      const empty = app.page.getByTestId('library-empty');
      await expect(empty).toContainText(library.text('ui.library.empty.title'));
      await expect(empty.getByRole('button', { name: library.text('ui.library.import.folder') })).toBeVisible();
      await app.screenshot(`library-empty-${shot}`);
    });

    test('dropped chain and key become one entry with its key sealed; the detail shows it', async ({ app, pki }) => {
      const library = new LibraryPage(app, locale);
      await library.open();
      await app.dropFiles(chainFiles(pki));

      await expect(library.summary.locator('[data-count="imported"]')).toHaveText(library.text('ui.library.import.imported', { count: 1 }));
      await library.expectTotal(1);
      await expect(library.rows).toHaveCount(1);
      await expect(library.rows.first()).toContainText(pki.leaf.commonName);
      // A single import opens its detail: the inspector's view plus the user's fields.
      await expect(library.detail).toBeVisible();
      await expect(library.detail.locator('[data-key-state]')).toHaveAttribute('data-key-state', 'sealed');
      await expect(library.detail.getByTestId('leaf-name')).toHaveText(pki.leaf.commonName);
      await expect(library.detail.locator('[data-section="chain"] ol button[data-fingerprint]')).toHaveCount(3);
      await expect(library.detail.locator('[data-section="details"] [data-field="sha256"]')).toHaveText(pki.leaf.sha256);
      await app.screenshot(`library-detail-${shot}`);

      // The same certificate again is recognised, not added.
      await app.dropFiles([AppPage.fileFromDisk(pki.leaf.file)]);
      await expect(library.summary.locator('[data-count="duplicates"]')).toHaveText(library.text('ui.library.import.duplicates', { count: 1 }));
      await library.expectTotal(1);

      // With the detail closed the list has room for the key column: the row shows the sealed key.
      await library.detail.getByRole('button', { name: library.text('ui.library.detail.close') }).click();
      await expect(library.rows.first().locator('[data-key-state="sealed"]')).toHaveCount(1);
    });

    test('paste: the paste box, Ctrl+V, and junk reported with its cause', async ({ app, pki, context }) => {
      const library = new LibraryPage(app, locale);
      await library.open();
      await app.page.getByTestId('library-empty').getByRole('button', { name: library.text('ui.library.import.paste') }).click();
      await app.page.getByLabel(library.text('ui.library.paste.label')).fill(pki.root.pem);
      await app.page.locator('dialog').getByRole('button', { name: library.text('ui.library.paste.submit'), exact: true }).click();
      await library.expectTotal(1);
      await expect(library.row(pki.root.commonName)).toHaveCount(1);

      await context.grantPermissions(['clipboard-read', 'clipboard-write']);
      await app.page.evaluate((text) => navigator.clipboard.writeText(text), pki.intermediate.pem);
      await app.page.locator('h1').click();
      await app.page.keyboard.press('Control+V');
      await library.expectTotal(2);
      await expect(library.row(pki.intermediate.commonName)).toHaveCount(1);

      await library.pasteInBox('this is not a certificate');
      await expect(library.summary.locator('[data-count="failed"]')).toHaveText(library.text('ui.library.import.failed', { count: 1 }));
      const failure = library.summary.locator('li[data-error-code]');
      await expect(failure).toContainText(library.text('ui.inspect.source.pasted'));
      await expect(failure).toHaveAttribute('data-error-code', /^(input|pem)\./);
      await library.expectTotal(2);
    });

    test(`hundreds of entries: ${mozillaRoots} roots by folder, then search, filter and sort`, async ({ app, bridge, pki }) => {
      test.setTimeout(120_000);
      const library = new LibraryPage(app, locale);
      await library.open();
      await app.dropFiles(chainFiles(pki));
      await expect(library.summary).toBeVisible();
      await library.importFolder(bridge, MOZILLA_DIR);
      await expect(library.summary.locator('[data-count="imported"]')).toHaveText(
        library.text('ui.library.import.imported', { count: mozillaRoots }),
      );
      const total = mozillaRoots + 1;
      await library.expectTotal(total);
      // Virtualised: the DOM holds the rows in view and a margin, not all of them.
      const rendered = await library.rows.count();
      expect(rendered).toBeGreaterThan(10);
      expect(rendered).toBeLessThan(60);
      await library.button('ui.library.import.dismiss').click();
      await app.page.keyboard.press('Escape'); // the detail of the dropped leaf: the full table is the picture
      await expect(library.detail).toHaveCount(0);
      await app.screenshot(`library-${shot}`);

      // Scrolling to the end fetches and renders the last rows.
      await library.list.focus();
      await app.page.keyboard.press('End');
      await expect(library.list.locator(`[aria-rowindex="${total + 1}"][data-entry-id]`)).toBeVisible();
      await expect(library.detail).toBeVisible();
      await app.page.keyboard.press('Escape');
      await expect(library.detail).toHaveCount(0);

      // Search as you type: CN, SAN, issuer, fingerprint.
      await library.search.fill('ISRG Root');
      await library.expectTotal(2);
      await library.search.fill('api.example.test');
      await library.expectTotal(1);
      await expect(library.rows.first()).toContainText(pki.leaf.commonName);
      await library.search.fill(pki.mozillaRoot.sha256.slice(0, 23));
      await library.expectTotal(1);
      await expect(library.rows.first()).toContainText(pki.mozillaRoot.commonName);
      await library.search.fill('no such certificate anywhere');
      await expect(app.page.getByTestId('library-no-match')).toContainText(library.text('ui.library.noMatch.title'));
      await app.page.getByTestId('library-no-match').getByRole('button').click();
      await library.expectTotal(total);

      // Filters.
      const select = (key: MessageKey) => app.page.getByLabel(library.text(key), { exact: true });
      await select('ui.library.filter.key').selectOption('with');
      await library.expectTotal(1);
      await select('ui.library.filter.key').selectOption('any');
      await select('ui.library.filter.kind').selectOption('leaf');
      await library.expectTotal(1);
      await select('ui.library.filter.kind').selectOption('ca');
      await library.expectTotal(mozillaRoots);
      await select('ui.library.filter.kind').selectOption('all');
      const now = Date.now();
      const expired = rootsNotAfter.filter((end) => end < now).length;
      // The test leaf expires in 25 days, inside the default 30-day window, like any root that does.
      const expiring = 1 + rootsNotAfter.filter((end) => end >= now && end <= now + 30 * DAY_MS).length;
      await select('ui.library.filter.validity').selectOption('expiring');
      await library.expectTotal(expiring);
      await expect(library.list.locator('[data-tone]:not([data-tone="warning"])')).toHaveCount(0);
      await select('ui.library.filter.validity').selectOption('expired');
      await library.expectTotal(expired);
      await expect(library.list.locator('[data-tone]:not([data-tone="danger"])')).toHaveCount(0);
      await select('ui.library.filter.validity').selectOption('valid');
      await library.expectTotal(total - expired);
      await select('ui.library.filter.validity').selectOption('all');
      await library.expectTotal(total);

      // Soonest expiry first until the user sorts otherwise (as `certvault list`); the header says which.
      const expiryHeader = library.list.locator('[role="columnheader"][data-column="expiry"]');
      const shownNotAfter = () =>
        library.rows.locator('[data-not-after]').evaluateAll((cells) => cells.map((cell) => Date.parse(cell.getAttribute('data-not-after')!)));
      const allNotAfter = [...rootsNotAfter, Date.parse(new X509Certificate(pki.leaf.pem).validTo)];
      await expect(expiryHeader).toHaveAttribute('aria-sort', 'ascending');
      await expect.poll(async () => (await shownNotAfter())[0]).toBe(Math.min(...allNotAfter));
      const ascending = await shownNotAfter();
      expect(ascending).toEqual([...ascending].sort((a, b) => a - b));
      await expiryHeader.getByRole('button').click();
      await expect(expiryHeader).toHaveAttribute('aria-sort', 'descending');
      await expect.poll(async () => (await shownNotAfter())[0]).toBe(Math.max(...allNotAfter));

      // The choice outlives the window, like the other preferences.
      await app.page.reload();
      await library.open();
      await expect(library.list.locator('[role="columnheader"][data-column="expiry"]')).toHaveAttribute('aria-sort', 'descending');
      await expect.poll(async () => (await shownNotAfter())[0]).toBe(Math.max(...allNotAfter));
    });

    test('a keychain that lost the data key: said plainly, certificates still there, the key unrecoverable', async ({ app, bridge, pki }) => {
      // A vault with a sealed key, then its data key removed from the (throwaway) keychain, as a
      // keychain reset or a move to another machine would.
      const secrets = osKeychain();
      const vault = Vault.open({ dataDir: bridge.dataDir, secrets });
      await vault.importContent(chainFiles(pki));
      const vaultId = await vault.vaultId();
      await vault.close();
      expect(await secrets.delete(`vault-data-key:${vaultId}`)).toBe(true);

      const library = new LibraryPage(app, locale);
      await library.open();
      const notice = app.page.locator('[data-keychain="missing"]');
      await expect(notice).toContainText(library.text('ui.library.keychain.missing.title'));
      await expect(notice).toContainText(library.text('ui.library.keychain.missing.body', { count: 1 }));
      // The row no longer shows the green key: a struck-through one, saying why.
      const rowKey = library.rows.first().locator('[data-key-state]');
      await expect(rowKey).toHaveAttribute('data-key-state', 'unrecoverable');
      await expect(rowKey).toHaveAttribute('title', library.text('ui.library.row.keyUnrecoverable'));
      await library.rows.first().click();
      await expect(library.detail.locator('[data-key-state]')).toHaveAttribute('data-key-state', 'unrecoverable');
      await library.detail.getByRole('button', { name: library.text('ui.library.detail.export') }).click();
      const dialog = app.page.locator('dialog[data-dialog="library-export"]');
      await expect(dialog.getByRole('radio', { name: new RegExp(`^${escapeRegExp(library.text('ui.library.export.key'))}`) })).toBeDisabled();
      await expect(dialog.getByRole('radio', { name: new RegExp(`^${escapeRegExp(library.text('ui.library.export.fullchain'))}`) })).toBeEnabled();
      await dialog.getByRole('button', { name: library.text('ui.library.cancel') }).click();
      await app.screenshot(`library-keychain-${shot}`);

      // A new certificate with its key: the certificate is filed, the key refused, said per file.
      await app.dropFiles([AppPage.fileFromDisk(pki.renewedLeaf.file, 'renewed.pem'), AppPage.fileFromDisk(pki.leafKeyFile, 'renewed.key')]);
      await expect(library.summary.locator('[data-count="imported"]')).toHaveText(library.text('ui.library.import.imported', { count: 1 }));
      await expect(library.summary.locator('[data-count="keys-not-stored"]')).toHaveText(library.text('ui.library.import.keysNotStored', { count: 1 }));
      const refused = library.summary.locator('li[data-error-code="keychain.data_key_missing"]');
      await expect(refused).toContainText('renewed.key');
      await expect(refused).toContainText(library.text('error.keychain.data_key_missing', { count: 1 }));
      await library.expectTotal(2);
      await app.screenshot(`library-keys-not-stored-${shot}`);
      await library.button('ui.library.import.dismiss').click();
      // With the detail closed the list has room for the key column again (see above).
      await library.detail.getByRole('button', { name: library.text('ui.library.detail.close') }).click();

      // Start a new data key: main asks in its own dialog, saying how many keys stay unrecoverable,
      // and the page asks nothing itself. The user first cancels: nothing changed, nothing to report.
      const resetButton = notice.getByRole('button', { name: library.text('ui.library.keychain.reset.button') });
      bridge.queueDataKeyResetAnswer(false);
      await resetButton.click();
      await expect.poll(() => bridge.dataKeyResetConfirmations).toEqual([1]);
      await expect(resetButton).toBeEnabled();
      await expect(notice).toBeVisible();
      await expect(app.page.locator('dialog[open]')).toHaveCount(0);
      await expect(app.page.locator('[data-error-code]')).toHaveCount(0);
      expect(await secrets.get(`vault-data-key:${vaultId}`)).toBeNull();
      // Then agrees.
      await resetButton.click();
      await expect.poll(() => bridge.dataKeyResetConfirmations).toEqual([1, 1]);
      await expect(app.page.locator('dialog[open]')).toHaveCount(0);
      // Still said plainly afterwards; the key is kept, marked unrecoverable, not deleted.
      const retired = app.page.locator('[data-keychain="retired"]');
      await expect(retired).toContainText(library.text('ui.library.keychain.retired.body', { count: 1 }));
      await expect(rowKey).toHaveAttribute('data-key-state', 'unrecoverable');
      await app.screenshot(`library-keychain-retired-${shot}`);
      expect(await secrets.get(`vault-data-key:${vaultId}`)).not.toBeNull();
      // Importing the same key again restores it.
      await app.dropFiles(chainFiles(pki));
      await expect(library.summary.locator('[data-count="duplicates"]')).toBeVisible();
      await expect(library.rows.locator('[data-key-state="unrecoverable"]')).toHaveCount(0);
      await expect(app.page.locator('[data-keychain]')).toHaveCount(0);
    });

    test('renewals: the detail links the old and the new certificate, imported in any order; "current versions only" hides the old one', async ({ app, pki }) => {
      const library = new LibraryPage(app, locale);
      await library.open();
      // The renewal first, then the certificate it renews.
      await app.dropFiles([AppPage.fileFromDisk(pki.renewedLeaf.file, 'renewed.pem'), AppPage.fileFromDisk(pki.leafKeyFile, 'renewed.key')]);
      await expect(library.detail).toBeVisible();
      const renewedId = await library.detail.getAttribute('data-entry-id');
      await expect(library.detail.getByTestId('entry-lineage')).toHaveCount(0);
      await app.dropFiles(chainFiles(pki));
      await library.expectTotal(2);
      await expect(library.detail).not.toHaveAttribute('data-entry-id', renewedId!);
      const oldId = await library.detail.getAttribute('data-entry-id');

      const lineage = library.detail.getByTestId('entry-lineage');
      await expect(lineage.locator('dt')).toHaveText([library.text('ui.library.detail.lineage.renewedBy')]);
      const renewedBy = lineage.locator('[data-lineage="renewedBy"] button');
      await expect(renewedBy).toHaveAttribute('data-entry-id', renewedId!);
      await expect(renewedBy).toContainText(pki.renewedLeaf.commonName);
      await app.screenshot(`library-lineage-old-${shot}`);

      // The link opens the renewal, which says what it renews.
      await renewedBy.click();
      await expect(library.detail).toHaveAttribute('data-entry-id', renewedId!);
      await expect(lineage.locator('dt')).toHaveText([library.text('ui.library.detail.lineage.renews')]);
      await expect(lineage.locator('[data-lineage="renews"] button')).toHaveAttribute('data-entry-id', oldId!);
      await app.screenshot(`library-lineage-${shot}`);

      const currentOnly = app.page.getByLabel(library.text('ui.library.filter.current'));
      await currentOnly.check();
      await library.expectTotal(1);
      await expect(library.rows).toHaveCount(1);
      await expect(library.rows.first()).toHaveAttribute('data-entry-id', renewedId!);
      await library.button('ui.library.filter.clear').click();
      await expect(currentOnly).not.toBeChecked();
      await library.expectTotal(2);
    });

    test('edit, export (files checked), delete', async ({ app, bridge, pki }) => {
      const library = new LibraryPage(app, locale);
      const out = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-export-'));
      try {
        await library.open();
        await app.dropFiles(chainFiles(pki));
        await expect(library.detail).toBeVisible();

        // Name, tags and notes; a tag is searchable at once.
        await library.detail.getByLabel(library.text('ui.library.edit.name'), { exact: true }).fill('Shop front door');
        await library.detail.getByLabel(library.text('ui.library.edit.tags'), { exact: true }).fill('production, 华东');
        await library.detail.getByLabel(library.text('ui.library.edit.notes'), { exact: true }).fill('Renew via the ACME job on web-1.');
        await library.detail.getByRole('button', { name: library.text('ui.library.edit.save'), exact: true }).click();
        await expect(library.rows.first()).toContainText('Shop front door');
        await library.search.fill('华东');
        await library.expectTotal(1);
        await library.search.fill('acme job');
        await library.expectTotal(1);
        await library.search.fill('华南');
        await library.expectTotal(0);
        await library.search.fill('');

        // Full chain: leaf, intermediate, root, in that order.
        const fullchain = path.join(out, 'fullchain.pem');
        let dialog = await library.exportAs('ui.library.export.fullchain', fullchain, bridge);
        await dialog.getByRole('button', { name: library.text('ui.library.export.submit') }).click();
        await expect(library.detail.getByTestId('export-done')).toContainText(fullchain);
        expect(pemBlocks(fs.readFileSync(fullchain, 'utf8'))).toEqual([pki.leaf.pem, pki.intermediate.pem, pki.root.pem].flatMap(pemBlocks));

        // The key needs an explicit confirmation, and is written owner-only.
        const keyFile = path.join(out, 'leaf.key');
        dialog = await library.exportAs('ui.library.export.key', keyFile, bridge);
        const submit = dialog.getByRole('button', { name: library.text('ui.library.export.submit') });
        await expect(submit).toBeDisabled();
        await dialog.getByLabel(library.text('ui.library.export.confirmKey')).check();
        await submit.click();
        await expect(library.detail.getByTestId('export-done')).toContainText(keyFile);
        const keyPem = fs.readFileSync(keyFile, 'utf8');
        expect(keyPem).toContain('-----BEGIN PRIVATE KEY-----');
        const publicOf = (args: string[]) => execFileSync('openssl', args, { encoding: 'utf8' });
        expect(publicOf(['pkey', '-in', keyFile, '-pubout'])).toBe(publicOf(['x509', '-in', pki.leaf.file, '-noout', '-pubkey']));
        if (process.platform !== 'win32') expect(fs.statSync(keyFile).mode & 0o777).toBe(0o600);

        // PKCS#12 with the legacy 3DES choice and a password openssl accepts.
        const pfx = path.join(out, 'leaf.pfx');
        dialog = await library.exportAs('ui.library.export.pfx', pfx, bridge);
        await dialog.getByLabel(library.text('ui.library.export.password'), { exact: true }).fill('s3cret pass');
        await dialog.getByLabel(library.text('ui.library.export.passwordRepeat')).fill('s3cret pass');
        await dialog.getByLabel(library.text('ui.library.export.legacy')).check();
        await dialog.getByLabel(library.text('ui.library.export.confirmKey')).check();
        await app.screenshot(`library-export-${shot}`);
        await dialog.getByRole('button', { name: library.text('ui.library.export.submit') }).click();
        await expect(library.detail.getByTestId('export-done')).toContainText(pfx);
        const pfxInfo = spawnSync('openssl', ['pkcs12', '-in', pfx, '-info', '-nokeys', '-passin', 'pass:s3cret pass'], { encoding: 'utf8' });
        expect(pfxInfo.status).toBe(0);
        expect(pfxInfo.stderr).toContain('pbeWithSHA1And3-KeyTripleDES-CBC'); // the legacy choice
        expect(pemBlocks(pfxInfo.stdout)).toEqual(expect.arrayContaining(pemBlocks(pki.leaf.pem)));

        // A calendar reminder.
        const ics = path.join(out, 'renew.ics');
        dialog = await library.exportAs('ui.library.export.ics', ics, bridge);
        await dialog.getByRole('button', { name: library.text('ui.library.export.submit') }).click();
        await expect(library.detail.getByTestId('export-done')).toContainText(ics);
        expect(fs.readFileSync(ics, 'utf8')).toContain('BEGIN:VCALENDAR');

        // Delete, confirmed: gone from the list and the vault.
        await library.detail.getByRole('button', { name: library.text('ui.library.detail.delete') }).click();
        const confirm = app.page.locator('dialog[data-dialog="library-delete"]');
        await expect(confirm).toContainText(library.text('ui.library.delete.title', { name: 'Shop front door' }));
        await app.screenshot(`library-delete-${shot}`);
        await confirm.getByRole('button', { name: library.text('ui.library.delete.confirm'), exact: true }).click();
        await expect(library.detail).toHaveCount(0);
        await expect(app.page.getByTestId('library-empty')).toBeVisible();
      } finally {
        fs.rmSync(out, { recursive: true, force: true });
      }
    });
  });
}

test('a folder with a password-protected PKCS#12: the password retry reads the file inside the chosen folder', async ({ app, bridge, pki }) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-folder-'));
  try {
    fs.copyFileSync(pki.leafPkcs12File, path.join(dir, 'shop.p12'));
    const library = new LibraryPage(app, 'en');
    await library.open();
    await library.importFolder(bridge, dir);
    await expect(library.summary.locator('li[data-error-code="pkcs12.password_required"]')).toBeVisible();
    // The retry names dir/shop.p12, which no dialog returned: the folder the user chose covers it.
    await app.page.locator('#import-password').fill(pki.keyPassword);
    await library.button('ui.library.import.password.submit').click();
    await expect(library.summary.locator('[data-count="imported"]')).toHaveText(library.text('ui.library.import.imported', { count: 1 }));
    await expect(library.summary.locator('[data-count="failed"]')).toHaveCount(0);
    await expect(library.rows.first().locator('[data-key-state="sealed"]')).toHaveCount(1);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
