import fs from 'node:fs';
import type { Locale } from '../../shared/i18n';
import type { VaultBridge } from '../../shared/ipc';
import { TlsFront } from '../emulators/tls-front';
import type { AppPage } from './fixtures/app-page';
import type { TestPki } from './fixtures/certificates';
import { expect, test } from './fixtures/test';

// The Inspect screen's "Check what is served": main connects to a loopback TLS front (the bridge's
// resolver override, set on the main side), and the served chain is shown like an opened file.

const SERVED_NAME = 'www.example.test';

let front: TlsFront;
test.beforeAll(async ({ pki }: { pki: TestPki }) => {
  const material = { certPem: pki.leaf.pem + pki.intermediate.pem, keyPem: fs.readFileSync(pki.leafKeyFile, 'utf8') };
  front = await TlsFront.start({ lookup: (domain) => (domain === SERVED_NAME ? material : null) });
});
test.afterAll(() => front.close());

async function check(app: AppPage, fields: { host: string; ip?: string; port?: string }): Promise<void> {
  await app.openScreen('inspect');
  const form = app.page.locator('form.served');
  await form.locator('input[name="domain"]').fill(fields.host);
  await form.locator('input[name="ip"]').fill(fields.ip ?? '');
  await form.locator('input[name="port"]').fill(fields.port ?? '');
  await form.getByRole('button').click();
}

test.describe('Check what is served', () => {
  test('shows the chain a server serves for the name, in the inspector', async ({ app, bridge, pki }) => {
    bridge.useTlsResolver(front.resolver);
    await check(app, { host: SERVED_NAME });

    await expect(app.page.getByTestId('leaf-name')).toHaveText(pki.leaf.commonName);
    // Leaf and intermediate, as served: the root is not sent, and this test root is in no store.
    await expect(app.chainNodes()).toHaveCount(2);
    await expect(app.page.getByTestId('served-origin')).toContainText(`Served for ${SERVED_NAME} by 127.0.0.1 port ${front.port}`);
    await expect(app.page.getByTestId('served-trust')).toContainText('Not trusted by this system');
    await expect(app.page.getByTestId('served-library')).toHaveText('Not in the library');
    await expect(app.result).toContainText(`${SERVED_NAME}:${front.port}`);
    expect(front.handshakes).toContain(SERVED_NAME);
    expect(bridge.calls).toContain('tls.served');
  });

  test('the served leaf is matched to its library entry', async ({ app, bridge, pki, page }) => {
    bridge.useTlsResolver(front.resolver);
    const imported = await page.evaluate(
      (pem) => (window as unknown as { vault: VaultBridge }).vault.invoke('library.importContent', { files: [], text: pem }),
      pki.leaf.pem,
    );
    expect(imported.ok).toBe(true);
    await check(app, { host: `https://${SERVED_NAME}/login` });
    await expect(app.page.getByTestId('served-library')).toContainText('Matches library entry');
  });

  test('a host that is not one, a port that is not one, a server that does not answer: clear errors', async ({ app, bridge }) => {
    bridge.useTlsResolver(front.resolver);
    await check(app, { host: 'exa mple.com' });
    await expect(app.errorBanner).toHaveAttribute('data-error-code', 'tls.invalid_domain');
    await expect(app.errorBanner).toContainText('Could not read what exa mple.com serves');
    await expect(app.errorBanner).toContainText('is not a host name to check');

    await check(app, { host: SERVED_NAME, port: '70000' });
    await expect(app.errorBanner).toHaveAttribute('data-error-code', 'tls.invalid_port');

    await check(app, { host: 'unknown.example.test' });
    await expect(app.errorBanner).toHaveAttribute('data-error-code', 'tls.handshake_failed');
    await expect(app.errorBanner).toContainText(`unknown.example.test at 127.0.0.1 port ${front.port}`);
  });

  test('the page cannot choose where names resolve', async ({ app, bridge }) => {
    // No override in main: a request carrying its own resolution is refused by the contract.
    const answer = await app.page.evaluate(() =>
      (window as unknown as { vault: VaultBridge }).vault.invoke('tls.served', {
        domain: 'www.example.test',
        resolve: { address: '127.0.0.1' },
      } as never),
    );
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.error.code).toBe('ipc.bad_request');
    expect(bridge.context.tlsResolver).toBeUndefined();
  });
});

for (const locale of ['en', 'zh-CN'] as const satisfies readonly Locale[]) {
  for (const theme of ['light', 'dark'] as const) {
    test.describe(`screenshots ${locale} ${theme}`, () => {
      test.use({ systemLocale: locale, colorScheme: theme });

      test('served chain and an error', async ({ app, bridge, pki }) => {
        bridge.useTlsResolver(front.resolver);
        await check(app, { host: SERVED_NAME });
        await expect(app.page.getByTestId('leaf-name')).toHaveText(pki.leaf.commonName);
        await app.screenshot(`check-served-${locale}-${theme}`);

        await check(app, { host: 'unknown.example.test', port: '8443' });
        await expect(app.errorBanner).toHaveAttribute('data-error-code', 'tls.handshake_failed');
        await app.screenshot(`check-served-error-${locale}-${theme}`);
      });
    });
  }
}
