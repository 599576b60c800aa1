import fs from 'node:fs';
import type { Page } from '@playwright/test';
import type { Locale } from '../../shared/i18n';
import { importLibraryEntry, saveAccount } from './fixtures/clouds';
import { dialog, textIn } from './fixtures/screen-states';
import { expect, test } from './fixtures/test';
import { defaultCredentials } from '../emulators/credentials';
import { resourcesOf, seedResource } from '../emulators/seed';
import type { RunningEmulator } from '../emulators/server';
import { seedTencentCertificate, startTencentEmulator } from '../emulators/tencent';

// A first deployment to a Tencent account that holds no older copy: the plan card lists the
// resources NEW's names match as 'bind' rows with why, one serving another valid certificate as
// 'skip' with why (left alone), and the run binds NEW where it said. Both languages, screenshots.

let tencent: RunningEmulator;
test.beforeAll(async () => {
  tencent = await startTencentEmulator();
});
test.afterEach(() => {
  tencent.state.reset();
});
test.afterAll(async () => {
  await tencent.close();
});

const ACCOUNT = 'tencent-bind';
const keyOwner = defaultCredentials.tencent.accessKeyId;
const BIND = 'host-001.cluster.example.test';
const OTHER = 'host-002.cluster.example.test';

function cdn(certId: string, domain: string): void {
  seedResource(tencent.state, { account: keyOwner, certificateId: certId, type: 'cdn', region: '', instance: { Domain: domain, CertId: certId, Status: 'online', HttpsBillingSwitch: 'on' } });
}

const row = (page: Page, id: string) => dialog(page, 'deploy').locator(`[data-testid="deploy-plan"] tr[data-resource-id="${id}"]`);

for (const [locale, theme] of [
  ['en', 'light'],
  ['zh-CN', 'dark'],
] as const satisfies readonly (readonly [Locale, 'light' | 'dark'])[]) {
  test.describe(`${locale} ${theme}`, () => {
  test.use({ systemLocale: locale, colorScheme: theme });

  test('bind rows with their reasons, an unrelated certificate left alone, NEW bound', async ({ app, bridge, pki }) => {
    test.setTimeout(120_000);
    const text = textIn(locale);
    const key = fs.readFileSync(pki.leafKeyFile, 'utf8');
    await saveAccount(bridge.context, 'tencent', ACCOUNT, tencent.url);
    // NEW (the many-names certificate) is in the library and already on the account; nothing older is.
    const newId = await importLibraryEntry(bridge.context, [pki.manySans.pem, pki.intermediate.pem, key].join(''));
    const newRemote = seedTencentCertificate(tencent.state, { account: keyOwner, certificatePem: pki.manySans.pem + pki.intermediate.pem, privateKeyPem: key, name: 'cluster' }).id;
    // Someone else's valid certificate, on a domain NEW happens to cover.
    const other = seedTencentCertificate(tencent.state, { account: keyOwner, certificatePem: pki.leaf.pem + pki.intermediate.pem, privateKeyPem: key, name: 'other' }).id;
    cdn('', BIND);
    cdn(other, OTHER);
    tencent.state.taskPollsBeforeDone = 0;

    await app.openScreen('library');
    await app.page.locator(`[role="row"][data-entry-id="${newId}"]`).click();
    await app.page.getByTestId('library-detail').getByRole('button', { name: text('ui.library.detail.deploy'), exact: true }).click();
    const deploy = dialog(app.page, 'deploy');
    const card = deploy.locator(`[data-testid="deploy-plan"] > li[data-account="${ACCOUNT}"]`);
    await expect(card.locator('[data-bind-only]')).toHaveText(text('ui.deploy.noOldCopy'), { timeout: 30_000 });
    await expect(card.locator('[data-new]')).toHaveText(newRemote);

    await expect(row(app.page, BIND)).toHaveAttribute('data-action', 'bind');
    await expect(row(app.page, BIND).locator('[data-action-badge]')).toHaveText(text('ui.deploy.action.bind'));
    await expect(row(app.page, BIND).locator('[data-reason]')).toHaveText(locale === 'en' ? 'serves no certificate yet' : '尚未配置证书');
    await expect(row(app.page, OTHER)).toHaveAttribute('data-action', 'skip');
    await expect(row(app.page, OTHER)).toHaveAttribute('data-current-remote-id', other);
    await expect(row(app.page, OTHER).locator('[data-action-badge]')).toHaveText(text('ui.deploy.action.skip'));
    await expect(row(app.page, OTHER).locator('[data-reason]')).toContainText(locale === 'en' ? `serves another certificate (${other}` : `正在使用另一张证书（${other}`);
    await app.screenshot(`deploy-bind-plan-${locale}-${theme}`);

    await deploy.locator('input[name="deploy-verify"]').uncheck();
    await deploy.getByRole('button', { name: text('ui.deploy.deploy'), exact: true }).click();
    const summary = deploy.getByTestId('deploy-summary');
    await expect(summary).toHaveAttribute('data-status', 'deployed', { timeout: 60_000 });
    await app.screenshot(`deploy-bind-done-${locale}-${theme}`);
    // The cloud agrees: the bound domain serves NEW, the other keeps its own certificate.
    const serving = (domain: string) => resourcesOf(tencent.state, keyOwner).find((resource) => resource.instance.Domain === domain)!.certificateId;
    expect([serving(BIND), serving(OTHER)]).toEqual([newRemote, other]);
  });
  });
}
