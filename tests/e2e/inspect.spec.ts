import fs from 'node:fs';
import type { VaultBridge } from '../../shared/ipc';
import { AppPage } from './fixtures/app-page';
import { expect, test } from './fixtures/test';

test.describe('Inspect screen', () => {
  test.beforeEach(async ({ app }) => {
    await app.openScreen('inspect');
  });

  test('a pasted chain in the wrong order is shown leaf to root with its fields', async ({ app, pki }) => {
    await app.pasteAndInspect([pki.root.pem, pki.leaf.pem, pki.intermediate.pem].join('\n'));

    await expect(app.page.getByTestId('leaf-name')).toHaveText(pki.leaf.commonName);
    await expect(app.chainNodes()).toHaveCount(3);
    const order = await app.chainNodes().evaluateAll((nodes) => nodes.map((n) => n.getAttribute('data-fingerprint')));
    expect(order).toEqual([pki.leaf.sha256Hex, pki.intermediate.sha256Hex, pki.root.sha256Hex]);
    await expect(app.chainNodes().nth(0)).toContainText('Leaf');
    await expect(app.chainNodes().nth(2)).toContainText('Root');

    await expect(app.field('commonName')).toHaveText(pki.leaf.commonName);
    // Shown as people read it; the RFC 4514 form (comma escaped) is what its copy button gives.
    await expect(app.field('subject')).toContainText('O=Example Network Technology Co., Ltd., OU=Platform Operations');
    for (const san of pki.leafSans.filter((s) => !/^[\d.]+$/.test(s))) {
      await expect(app.field('dnsNames')).toContainText(san);
    }
    await expect(app.field('ipAddresses')).toContainText('192.0.2.10');
    await expect(app.field('sha256')).toHaveText(pki.leaf.sha256);
    await expect(app.field('key')).toContainText('P-256');
    await expect(app.result).toContainText('Chain complete');
  });

  test('clicking a chain node shows that certificate', async ({ app, pki }) => {
    await app.pasteAndInspect([pki.leaf.pem, pki.intermediate.pem, pki.root.pem].join('\n'));
    await app.chainNodes().nth(1).click();
    await expect(app.field('commonName')).toHaveText(pki.intermediate.commonName);
    await expect(app.field('sha256')).toHaveText(pki.intermediate.sha256);
    await expect(app.chainNodes().nth(1)).toHaveAttribute('aria-pressed', 'true');
  });

  test('dropped files: certificate, chain and matching key', async ({ app, pki }) => {
    await app.dropFiles([
      AppPage.fileFromDisk(pki.leaf.file),
      { name: 'chain.pem', data: Buffer.from(pki.intermediate.pem + pki.root.pem) },
      AppPage.fileFromDisk(pki.leafKeyFile),
    ]);

    await expect(app.page.getByTestId('leaf-name')).toHaveText(pki.leaf.commonName);
    await expect(app.result).toContainText('Private key matches');
    await expect(app.page.locator('[data-section="keys"] [data-key-match="yes"]')).toContainText(`Matches ${pki.leaf.commonName}`);
    await expect(app.result).toContainText('leaf.pem, chain.pem, leaf.key');
    await expect(app.chainNodes()).toHaveCount(3);
  });

  test('a certificate whose issuer is missing names it in the diagram', async ({ app, pki }) => {
    await app.dropFiles([AppPage.fileFromDisk(pki.leaf.file)]);
    await expect(app.result).toContainText('Chain incomplete');
    await expect(app.page.locator('[data-role="missing"]')).toContainText(pki.intermediate.commonName);
  });

  test('Ctrl+V anywhere on the screen inspects the clipboard', async ({ app, pki, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await app.page.evaluate((text) => navigator.clipboard.writeText(text), pki.mozillaRoot.pem);
    await app.page.locator('h1').click();
    await app.page.keyboard.press('Control+V');

    await expect(app.page.getByTestId('leaf-name')).toHaveText(pki.mozillaRoot.commonName);
    await expect(app.chainNodes().first()).toHaveAttribute('data-role', 'root');
  });

  test('files chosen in the open dialog are inspected from disk', async ({ app, bridge, pki }) => {
    bridge.queueDialogAnswer([pki.mozillaRoot.file]);
    await app.page.getByRole('button', { name: 'Open files…' }).click();

    await expect(app.page.getByTestId('leaf-name')).toHaveText(pki.mozillaRoot.commonName);
    await expect(app.field('sha256')).toHaveText(pki.mozillaRoot.sha256);
    expect(bridge.calls).toContain('inspect.paths');
  });

  test('a path no dialog returned is refused, even a real file; chosen in the dialog, it is read', async ({ app, bridge, pki }) => {
    const inspectPath = (file: string) =>
      app.page.evaluate((paths) => (window as unknown as { vault: VaultBridge }).vault.invoke('inspect.paths', { paths }), [file]);
    expect(await inspectPath(pki.leaf.file)).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'ipc.path_not_chosen', params: { file: pki.leaf.file } }),
    });

    bridge.queueDialogAnswer([pki.leaf.file]);
    await app.page.getByRole('button', { name: 'Open files…' }).click();
    await expect(app.page.getByTestId('leaf-name')).toHaveText(pki.leaf.commonName);
    expect(await inspectPath(pki.leaf.file)).toMatchObject({ ok: true });
  });

  test('junk pasted: a clear error, no result', async ({ app }) => {
    await app.pasteAndInspect('this is not a certificate, just some words someone pasted');

    await expect(app.errorBanner).toBeVisible();
    await expect(app.errorBanner).toContainText('The input could not be inspected');
    await expect(app.errorBanner).not.toContainText(/\bat \w+ \(|Error:/); // no stack trace
    await expect(app.result).toHaveCount(0);
  });

  test('an encrypted key asks for its password, then opens', async ({ app, pki }) => {
    await app.dropFiles([AppPage.fileFromDisk(pki.leaf.file), AppPage.fileFromDisk(pki.leafEncryptedKeyFile)]);

    await expect(app.errorBanner).toHaveAttribute('data-error-code', /password_required/);
    await expect(app.errorBanner).toContainText('The input is password-protected');
    const password = app.page.getByLabel('Password');
    // Focused although the sidebar button that opened Inspect had the focus.
    await expect(password).toBeFocused();
    await password.fill('not the password');
    await password.press('Enter');
    await expect(app.errorBanner).toHaveAttribute('data-error-code', /wrong_password/);

    await password.fill(pki.keyPassword);
    await password.press('Enter');
    await expect(app.result).toContainText('Private key matches');
    await expect(app.errorBanner).toHaveCount(0);
  });

  test('binary files survive the trip: DER certificate and PKCS#12 with its password', async ({ app, pki }) => {
    await app.dropFiles([AppPage.fileFromDisk(pki.leafDerFile)]);
    await expect(app.field('sha256')).toHaveText(pki.leaf.sha256);

    await app.page.getByRole('button', { name: 'New inspection' }).click();
    await app.dropFiles([AppPage.fileFromDisk(pki.leafPkcs12File)]);
    await expect(app.errorBanner).toHaveAttribute('data-error-code', 'pkcs12.password_required');
    await app.page.getByLabel('Password').fill(pki.keyPassword);
    await app.page.getByRole('button', { name: 'Unlock and inspect' }).click();
    await expect(app.page.getByTestId('leaf-name')).toHaveText(pki.leaf.commonName);
    await expect(app.chainNodes()).toHaveCount(2);
    await expect(app.result).toContainText('Private key matches');
  });

  test('a fingerprint is copied as shown', async ({ app, pki, context }) => {
    await context.grantPermissions(['clipboard-read', 'clipboard-write']);
    await app.pasteAndInspect(pki.leaf.pem);
    await app.page.getByRole('button', { name: 'Copy SHA-256 fingerprint' }).click();

    await expect(app.page.getByRole('button', { name: 'Copy SHA-256 fingerprint' })).toContainText('Copied');
    expect(await app.page.evaluate(() => navigator.clipboard.readText())).toBe(pki.leaf.sha256);
  });

  test('a hundred SANs are folded behind "Show all"', async ({ app, pki }) => {
    await app.pasteAndInspect(pki.manySans.pem);
    const sans = app.field('dnsNames');
    await expect(sans.locator('li')).toHaveCount(24);
    await sans.getByRole('button', { name: 'Show all 100' }).click();
    await expect(sans.locator('li')).toHaveCount(100);
    await expect(sans).toContainText('host-099.cluster.example.test');
  });

  test('the result survives a visit to another screen', async ({ app, pki }) => {
    await app.pasteAndInspect(fs.readFileSync(pki.leaf.file, 'utf8'));
    await app.openScreen('settings');
    await app.openScreen('inspect');
    await expect(app.page.getByTestId('leaf-name')).toHaveText(pki.leaf.commonName);
  });
});
