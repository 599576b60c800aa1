import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { translate } from '../../shared/i18n';
import { expect, test } from './fixtures/test';

// Issue 8 §2 in the window: a certificate whose CN carries a right-to-left override reads
// "evil‮gpj.exe" as "evilexe.jpg". Names, CNs and issuers show such characters as escapes, in the
// library row, the detail heading and the inspector.

const RLO = '\u202e';
const cn = `evil${RLO}gpj.exe\u2066x\u2069`;
const shown = 'evil\\u202egpj.exe\\u2066x\\u2069';

function hostilePem(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-spoofed-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', path.join(dir, 'k.pem'),
      '-out', path.join(dir, 'c.pem'), '-subj', `/O=Spoof${RLO}Co/CN=${cn}`, '-utf8', '-days', '30'], { stdio: 'pipe' });
    return fs.readFileSync(path.join(dir, 'c.pem'), 'utf8');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

test.describe('names with bidi controls', () => {
  test('the inspector shows them visibly in the heading, the chain and the fields', async ({ app }) => {
    await app.openScreen('inspect');
    await app.pasteAndInspect(hostilePem());

    await expect(app.page.getByTestId('leaf-name')).toHaveText(shown);
    await expect(app.page.locator('[data-field="commonName"]').first()).toHaveText(shown);
    await expect(app.page.locator('[data-field="subject"]').first()).toContainText('Spoof\\u202eCo');
    await expect(app.result).not.toContainText(RLO);
    await app.screenshot('spoofed-name-inspect');
  });

  test('the library row and the detail heading show them visibly', async ({ app }) => {
    await app.openScreen('library');
    await app.page.getByTestId('library-empty').getByRole('button', { name: translate('en', 'ui.library.import.paste') }).click();
    await app.page.getByLabel(translate('en', 'ui.library.paste.label')).fill(hostilePem());
    await app.page.locator('dialog').getByRole('button', { name: translate('en', 'ui.library.paste.submit'), exact: true }).click();

    const row = app.page.getByTestId('library-list').locator('[role="row"][data-entry-id]');
    await expect(row).toHaveCount(1);
    await expect(row.locator('.name .text')).toHaveText(shown);
    await expect(row).not.toContainText(RLO);
    await row.click();
    await expect(app.page.getByTestId('library-detail').getByRole('heading', { level: 2 }).first()).toHaveText(shown);
    await app.screenshot('spoofed-name-library');

    // The upload dialog names the certificate whose key is about to leave: no spoof there either.
    await app.page.getByTestId('library-detail').getByRole('button', { name: translate('en', 'ui.library.detail.upload') }).click();
    const dialog = app.page.locator('dialog[open]');
    await expect(dialog).toContainText(shown);
    await expect(dialog).not.toContainText(RLO);
    await app.screenshot('spoofed-name-upload');
  });
});
