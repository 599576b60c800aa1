import fs from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import type { Locale } from '../../shared/i18n';
import type { AppPage } from './fixtures/app-page';
import type { Bridge } from './fixtures/bridge';
import type { TestPki } from './fixtures/certificates';
import { importLibraryEntry, saveAccount } from './fixtures/clouds';
import { dialog, textIn } from './fixtures/screen-states';
import { expect, test } from './fixtures/test';
import { defaultCredentials } from '../emulators/credentials';
import { resourcesOf, seedResource } from '../emulators/seed';
import type { RunningEmulator } from '../emulators/server';
import { seedTencentCertificate, startTencentEmulator } from '../emulators/tencent';

// A first deployment to a Tencent account that holds no older copy: the plan card lists the
// resources NEW's names match as 'bind' rows with why, one serving another valid certificate as
// 'skip' with why (left alone, counted apart from "already serving new"), and the run binds NEW
// where it said. The user can bind NEW to that resource anyway (the CLI's --bind), and take it back.
// Both languages, screenshots.

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
const serving = (domain: string) => resourcesOf(tencent.state, keyOwner).find((resource) => resource.instance.Domain === domain)!.certificateId;

interface Planned {
  readonly deploy: Locator;
  readonly newRemote: string;
  readonly other: string;
  readonly text: ReturnType<typeof textIn>;
}

/** NEW in the library and on the account, BIND serving nothing, OTHER someone else's valid certificate; the plan shown. */
async function openPlan(app: AppPage, bridge: Bridge, pki: TestPki, locale: Locale): Promise<Planned> {
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
  return { deploy, newRemote, other, text };
}

/** OTHER as the plan shows it by default: left alone, what it serves named, counted apart from "already serving new". */
async function expectLeftAlone(page: Page, { deploy, other, text }: Planned, locale: Locale): Promise<void> {
  await expect(row(page, OTHER)).toHaveAttribute('data-action', 'skip');
  await expect(row(page, OTHER)).toHaveAttribute('data-current-remote-id', other);
  await expect(row(page, OTHER).locator('[data-action-badge]')).toHaveText(text('ui.deploy.action.skip'));
  await expect(row(page, OTHER).locator('[data-reason]')).toContainText(locale === 'en' ? `serves another certificate (${other}` : `正在使用另一张证书（${other}`);
  await expect(bindAnyway(page, text)).not.toBeChecked();
  await expect(deploy.getByTestId('deploy-counts')).toHaveText(text('ui.deploy.plan.summaryOthers', { move: 1, skip: 0, blocked: 0, others: 1 }));
}

/** OTHER once the user chose to bind NEW there anyway: a bind row that still says what it replaces. */
async function expectNamed(page: Page, { deploy, other, text }: Planned, locale: Locale): Promise<void> {
  await expect(row(page, OTHER)).toHaveAttribute('data-action', 'bind', { timeout: 30_000 });
  await expect(row(page, OTHER).locator('[data-action-badge]')).toHaveText(text('ui.deploy.action.bind'));
  await expect(row(page, OTHER).locator('[data-reason]')).toContainText(locale === 'en' ? `named to be bound: replaces ${other}` : `已指定绑定：替换 ${other}`);
  await expect(bindAnyway(page, text)).toBeChecked();
  await expect(deploy.getByTestId('deploy-counts')).toHaveText(text('ui.deploy.plan.summary', { move: 2, skip: 0, blocked: 0 }));
}

const bindAnyway = (page: Page, text: Planned['text']) => row(page, OTHER).getByRole('checkbox', { name: text('ui.deploy.bindAnyway') });

async function run(page: Page, { deploy, text }: Planned): Promise<void> {
  await deploy.locator('input[name="deploy-verify"]').uncheck();
  await deploy.getByRole('button', { name: text('ui.deploy.deploy'), exact: true }).click();
  await expect(deploy.getByTestId('deploy-summary')).toHaveAttribute('data-status', 'deployed', { timeout: 60_000 });
}

for (const [locale, theme] of [
  ['en', 'light'],
  ['zh-CN', 'dark'],
] as const satisfies readonly (readonly [Locale, 'light' | 'dark'])[]) {
  test.describe(`${locale} ${theme}`, () => {
  test.use({ systemLocale: locale, colorScheme: theme });

  test('bind rows with their reasons, an unrelated certificate left alone (also after opting in and out), NEW bound', async ({ app, bridge, pki }) => {
    test.setTimeout(120_000);
    const planned = await openPlan(app, bridge, pki, locale);
    const { text } = planned;
    await expect(row(app.page, BIND)).toHaveAttribute('data-action', 'bind');
    await expect(row(app.page, BIND).locator('[data-action-badge]')).toHaveText(text('ui.deploy.action.bind'));
    await expect(row(app.page, BIND).locator('[data-reason]')).toHaveText(locale === 'en' ? 'serves no certificate yet' : '尚未配置证书');
    // Only the resource serving another certificate offers the choice; one bound by default does not.
    await expect(row(app.page, BIND).locator('[data-bind-anyway]')).toHaveCount(0);
    await expectLeftAlone(app.page, planned, locale);
    await row(app.page, OTHER).scrollIntoViewIfNeeded();
    await app.screenshot(`deploy-bind-plan-${locale}-${theme}`);

    // Opting in and out by keyboard: the plan is made again each time and focus stays on the box.
    await bindAnyway(app.page, text).focus();
    await app.page.keyboard.press('Space');
    await expectNamed(app.page, planned, locale);
    await expect(bindAnyway(app.page, text)).toBeFocused();
    await app.page.keyboard.press('Space');
    await expectLeftAlone(app.page, planned, locale);
    await expect(bindAnyway(app.page, text)).toBeFocused();

    await run(app.page, planned);
    await app.screenshot(`deploy-bind-done-${locale}-${theme}`);
    // The cloud agrees: the bound domain serves NEW, the other keeps its own certificate.
    expect([serving(BIND), serving(OTHER)]).toEqual([planned.newRemote, planned.other]);
  });

  test('binding the new certificate anyway where another one is served: the run moves it to NEW', async ({ app, bridge, pki }) => {
    test.setTimeout(120_000);
    const planned = await openPlan(app, bridge, pki, locale);
    await expectLeftAlone(app.page, planned, locale);
    await bindAnyway(app.page, planned.text).check();
    await expectNamed(app.page, planned, locale);
    await row(app.page, OTHER).scrollIntoViewIfNeeded();
    await app.screenshot(`deploy-bind-anyway-${locale}-${theme}`);

    await run(app.page, planned);
    await expect(planned.deploy.getByTestId('deploy-progress').locator(`li[data-resource-id="${OTHER}"]`)).toHaveAttribute('data-status', 'deployed');
    expect([serving(BIND), serving(OTHER)]).toEqual([planned.newRemote, planned.newRemote]);
  });
  });
}
