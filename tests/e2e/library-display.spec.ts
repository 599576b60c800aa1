import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator } from '@playwright/test';
import { translate, type Locale, type MessageKey } from '../../shared/i18n';
import type { ErrorParams } from '../../shared/errors';
import { AppPage } from './fixtures/app-page';
import type { TestPki } from './fixtures/certificates';
import { expect, test } from './fixtures/test';

// How the library shows what it holds: full names within reach of the pointer, no cell that is
// empty without a reason, no name said twice, distinguished names without RFC 4514 escapes (which
// stay in what is copied), the "Uploaded to" column beside an open detail pane, the delete
// dialog's word on cloud copies, the calendar hint that matches the calendar, and a narrow window.

/** A self-signed CA whose organisation has a comma (escaped as `\,` in RFC 4514) and no SANs. */
function commaCa(dir: string): { pem: string; commonName: string; organisation: string } {
  const commonName = 'Example Trust Root';
  const organisation = 'Example Co., Ltd.';
  const key = path.join(dir, 'ca.key');
  const cert = path.join(dir, 'ca.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
    '-days', '400', '-subj', `/CN=${commonName}/O=Example Co.\\, Ltd.`], { stdio: 'ignore' });
  return { pem: fs.readFileSync(cert, 'utf8'), commonName, organisation };
}

function chainFiles(pki: TestPki): { name: string; data: Buffer }[] {
  return [
    { name: 'fullchain.pem', data: Buffer.from(pki.leaf.pem + pki.intermediate.pem + pki.root.pem) },
    AppPage.fileFromDisk(pki.leafKeyFile, 'privkey.pem'),
  ];
}

for (const locale of ['en', 'zh-CN'] as const satisfies readonly Locale[]) {
  test.describe(`Library display (${locale})`, () => {
    test.use({ systemLocale: locale });
    const text = (key: MessageKey, params?: ErrorParams) => translate(locale, key, params);

    test('rows say why a cell is empty, never repeat the name, and show DNs unescaped', async ({ app, pki, context }) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-dn-'));
      try {
        const ca = commaCa(dir);
        await app.openScreen('library');
        await app.dropFiles([{ name: 'ca.pem', data: Buffer.from(ca.pem) }]);
        await expect(app.page.getByTestId('library-detail')).toBeVisible();
        const list = app.page.getByTestId('library-list');
        const row = list.locator('[role="row"][data-entry-id]').first();

        // The "Uploaded to" column stays beside the open detail pane.
        await expect(list.locator('[role="columnheader"][data-column="uploaded"]')).toBeVisible();
        await app.page.getByTestId('library-detail').getByRole('button', { name: text('ui.library.detail.close') }).click();

        // The entry is named after its CN: the CN column does not say it again.
        const cn = row.locator('.cell.commonName');
        await expect(cn.locator('[data-absent]')).toHaveAttribute('title', text('ui.library.row.sameAsName'));
        await expect(cn).not.toContainText(ca.commonName);
        await expect(row.locator('.cell.name .text')).toHaveAttribute('title', ca.commonName);
        await expect(row.locator('.cell.dnsNames [data-absent]')).toHaveAttribute('title', text('ui.library.row.noDnsNames'));
        const issuer = row.locator('.cell.issuer .text');
        await expect(issuer).toHaveAttribute('title', `CN=${ca.commonName}, O=${ca.organisation}`);

        // The detail shows the value, the copy button gives the RFC 4514 form.
        await row.click();
        const subject = app.page.getByTestId('library-detail').locator('[data-field="subject"]');
        await expect(subject).toHaveText(`CN=${ca.commonName}, O=${ca.organisation}`);
        await context.grantPermissions(['clipboard-read', 'clipboard-write']);
        // The subject's copy button comes first (the issuer's DN has one too).
        await app.page.getByTestId('library-detail').getByRole('button', { name: text('ui.copy.aria', { label: text('ui.cert.subject') }) }).first().click();
        await expect.poll(() => app.page.evaluate(() => navigator.clipboard.readText())).toBe(`CN=${ca.commonName}, O=Example Co.\\, Ltd.`);

        // The leaf of the test PKI has DNS names: they are shown, no dash.
        await app.dropFiles(chainFiles(pki));
        const leafRow = list.locator('[role="row"][data-entry-id]').filter({ hasText: pki.leaf.commonName });
        await app.page.getByTestId('library-detail').getByRole('button', { name: text('ui.library.detail.close') }).click();
        await expect(leafRow.locator('.cell.dnsNames')).toContainText(pki.leafSans[0]!);
        await expect(leafRow.locator('.cell.dnsNames [data-absent]')).toHaveCount(0);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    test('delete says cloud copies stay; the calendar hint matches the calendar', async ({ app, pki }) => {
      await app.openScreen('library');
      await app.dropFiles(chainFiles(pki));
      const detail = app.page.getByTestId('library-detail');
      await expect(detail).toBeVisible();

      await detail.getByRole('button', { name: text('ui.library.detail.export') }).click();
      const exportDialog = app.page.locator('dialog[data-dialog="library-export"]');
      // An event at expiry with alarms 30 days and 1 day before (main/core/library/ics.ts).
      const days = translate(locale, 'ui.days.other', { count: 30 });
      await expect(exportDialog).toContainText(text('ui.library.export.ics.hint', { days }));
      await exportDialog.getByRole('button', { name: text('ui.library.cancel') }).click();

      await detail.getByRole('button', { name: text('ui.library.detail.delete') }).click();
      const confirm = app.page.locator('dialog[data-dialog="library-delete"]');
      await expect(confirm.getByTestId('delete-clouds')).toHaveText(text('ui.library.delete.clouds'));
    });

    test('a narrow window: the sidebar is icons with names, no heading clipped', async ({ app, pki }) => {
      const nav = app.page.getByRole('navigation');
      const libraryButton = nav.getByRole('button', { name: text('ui.nav.library') });
      await expect(libraryButton.locator('.label')).toBeVisible();

      await app.page.setViewportSize({ width: 900, height: 700 });
      expect((await nav.boundingBox())!.width).toBeLessThan(64);
      await expect(libraryButton).toHaveAttribute('title', text('ui.nav.library'));
      await expect(libraryButton.locator('.label')).not.toBeInViewport({ ratio: 0.5 });
      await libraryButton.click();
      await app.dropFiles(chainFiles(pki));
      await expect(app.page.getByTestId('library-detail')).toBeVisible();
      for (const heading of await app.page.locator('h1, h2').all()) await expectUnclipped(heading);
    });
  });
}

async function expectUnclipped(heading: Locator): Promise<void> {
  const clipped = await heading.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return element.scrollWidth > element.clientWidth + 1 || box.right > window.innerWidth + 1;
  });
  expect(clipped, `heading "${await heading.textContent()}" is clipped`).toBe(false);
}
