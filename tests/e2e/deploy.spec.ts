import fs from 'node:fs';
import type { Locator, Page } from '@playwright/test';
import type { Locale } from '../../shared/i18n';
import { call } from '../../main/cli/handler-context';
import type { HandlerContext } from '../../main/core/ipc/context';
import type { AppPage } from './fixtures/app-page';
import type { TestPki } from './fixtures/certificates';
import { importLibraryEntry, saveAccount } from './fixtures/clouds';
import { dialog, textIn } from './fixtures/screen-states';
import { expect, test } from './fixtures/test';
import { defaultCredentials } from '../emulators/credentials';
import { resourcesOf, seedResource } from '../emulators/seed';
import type { BoundResource, EmulatorState, RunningEmulator } from '../emulators/server';
import { seedTencentCertificate, startTencentEmulator } from '../emulators/tencent';
import { emulatorLookup, TlsFront, type CertificateLookup } from '../emulators/tls-front';
import { seedVolcengineCertificate, startVolcengineEmulator } from '../emulators/volcengine';

// Deploying a renewed library entry where the old one serves, against the Tencent emulator on
// 127.0.0.1 through the real handlers: the plan after a re-sync with its old-vs-new diff, one
// click, live progress per resource, success with every emulated resource on NEW; then a partial
// failure (a resource the cloud refuses, a domain NEW does not cover, one already on NEW) with the
// cloud's message, a rollback after its confirm step, and the Deployments history with a Check of
// a deployment cancelled while its task ran. Verification goes over TLS to a loopback front that
// serves, for each name, what the emulators bind to it now (the bridge's resolver override aims
// main's probes at it): per domain "serves NEW", or "deployed but not yet served" when the front's
// propagation delay outlasts the verify timeout. In place on Volcengine, chosen per account.
// Both languages; screenshots of each state.

let tencent: RunningEmulator;
let volcengine: RunningEmulator;
let front: TlsFront;

/** Where each emulated resource's domains are: a CDN's Domain, a CLB listener's rules. */
function domainsOf(resource: BoundResource): string[] {
  const listeners = (Array.isArray(resource.instance.Listeners) ? resource.instance.Listeners : []) as { Rules?: { Domain?: string }[] }[];
  const rules = listeners.flatMap((listener) => (listener.Rules ?? []).map((rule) => rule.Domain ?? ''));
  return [typeof resource.instance.Domain === 'string' ? resource.instance.Domain : '', ...rules].filter((domain) => domain !== '');
}

const lookup: CertificateLookup = (domain) => emulatorLookup(tencent.state, domainsOf)(domain) ?? emulatorLookup(volcengine.state, domainsOf)(domain);

test.beforeAll(async () => {
  tencent = await startTencentEmulator();
  volcengine = await startVolcengineEmulator();
  front = await TlsFront.start({ lookup });
});
test.afterEach(() => {
  tencent.state.reset();
  volcengine.state.reset();
});
test.afterAll(async () => {
  await front.close();
  await tencent.close();
  await volcengine.close();
});

const ACCOUNT = 'tencent-prod';
const keyOwner = defaultCredentials.tencent.accessKeyId;
/** A resource name a cloud controls, with a right-to-left override: shown escaped, never obeyed. */
const HOSTILE = 'evil\u202egpj.example.test';

interface Seeded {
  readonly newId: string;
  readonly oldRemote: string;
}

/** OLD and its renewal NEW in the library (a lineage: same key and names), OLD on the account. */
async function seedRenewal(context: HandlerContext, pki: TestPki): Promise<Seeded> {
  const key = fs.readFileSync(pki.leafKeyFile, 'utf8');
  await saveAccount(context, 'tencent', ACCOUNT, tencent.url);
  await importLibraryEntry(context, [pki.leaf.pem, pki.intermediate.pem, key].join(''));
  const newId = await importLibraryEntry(context, [pki.renewedLeaf.pem, pki.intermediate.pem, key].join(''));
  const old = seedTencentCertificate(tencent.state, { account: keyOwner, certificatePem: pki.leaf.pem + pki.intermediate.pem, privateKeyPem: key, name: 'www-old' });
  // Discovery tasks finish on their first poll and updates start at once; a deploy task still runs for one poll.
  tencent.state.taskPollsBeforeDone = 0;
  tencent.state.deploy.preparingCalls = 0;
  return { newId, oldRemote: old.id };
}

function clb(state: EmulatorState, certId: string, lb: string, domain: string): void {
  seedResource(state, {
    account: keyOwner,
    certificateId: certId,
    type: 'clb',
    region: 'ap-guangzhou',
    instance: { LoadBalancerId: lb, LoadBalancerName: lb, Forward: 1, Listeners: [{ ListenerId: `lbl-${lb}`, Protocol: 'HTTPS', SniSwitch: 1, Certificate: { CertId: certId }, Rules: [{ LocationId: 'loc', Domain: domain }] }] },
  });
}

function cdn(state: EmulatorState, certId: string, domain: string): void {
  seedResource(state, { account: keyOwner, certificateId: certId, type: 'cdn', region: '', instance: { Domain: domain, CertId: certId, Status: 'online', HttpsBillingSwitch: 'on' } });
}

const deployDialog = (page: Page): Locator => dialog(page, 'deploy');
const planned = (page: Page, resourceId: string): Locator => deployDialog(page).locator(`[data-testid="deploy-plan"] tr[data-resource-id="${resourceId}"]`);
const progressOf = (page: Page, resourceId: string): Locator => deployDialog(page).locator(`[data-testid="deploy-progress"] li[data-resource-id="${resourceId}"]`);

async function openDeploy(app: AppPage, entryId: string, text: ReturnType<typeof textIn>): Promise<Locator> {
  await app.openScreen('library');
  await app.page.locator(`[role="row"][data-entry-id="${entryId}"]`).click();
  await app.page.getByTestId('library-detail').getByRole('button', { name: text('ui.library.detail.deploy'), exact: true }).click();
  return deployDialog(app.page);
}

for (const [locale, theme] of [
  ['en', 'light'],
  ['zh-CN', 'dark'],
] as const satisfies readonly (readonly [Locale, 'light' | 'dark'])[]) {
  test.describe(`${locale} ${theme}`, () => {
    test.use({ systemLocale: locale, colorScheme: theme });

    test('a renewed entry is deployed everywhere the old one serves: plan with its diff, progress, success verified over TLS', async ({ app, bridge, pki }) => {
      test.setTimeout(120_000);
      const text = textIn(locale);
      bridge.useTlsResolver(front.resolver);
      const { newId, oldRemote } = await seedRenewal(bridge.context, pki);
      const state = tencent.state;
      clb(state, oldRemote, 'lb-web', 'www.example.test');
      cdn(state, oldRemote, 'example.test');
      cdn(state, oldRemote, 'static.example.test');
      // The first discovery task waits a poll: long enough to see the plan being built.
      state.taskPollsBeforeDone = 1;

      const deploy = await openDeploy(app, newId, text);
      await expect(deploy.getByTestId('deploy-syncing')).toHaveText(text('ui.deploy.syncing'));
      const card = deploy.locator(`[data-testid="deploy-plan"] > li[data-account="${ACCOUNT}"]`);
      await expect(card).toHaveAttribute('data-old-remote-id', oldRemote, { timeout: 30_000 });
      state.taskPollsBeforeDone = 0;
      // NEW is not on the account yet: uploaded first, then bound where OLD serves.
      await expect(card.locator('[data-upload-first]')).toHaveText(text('ui.deploy.uploadFirst'));
      await expect(card.locator('tr[data-resource-id]')).toHaveCount(3);
      for (const id of ['lb-web|lbl-lb-web|www.example.test', 'example.test', 'static.example.test']) {
        await expect(planned(app.page, id)).toHaveAttribute('data-action', 'replace');
      }
      await expect(card.locator('[data-diff="names"]')).toContainText(text('ui.deploy.diff.namesCovered'));
      await expect(card.locator('[data-diff="key"] dd')).toHaveText(/^(\S.*) → \1$/);
      await expect(card.locator('[data-diff="expiry"] dd')).toContainText('→');
      await expect(card.locator('[data-diff="sm2"] dd')).toHaveText(`${text('ui.value.no')} → ${text('ui.value.no')}`);
      await expect(deploy.getByTestId('deploy-counts')).toHaveText(text('ui.deploy.plan.summary', { move: 3, skip: 0, blocked: 0 }));
      // Tencent mutes one certificate's notices: every retire choice is offered, with nothing to explain.
      await expect(deploy.locator('input[name="deploy-retire"][value="mute"]')).toBeEnabled();
      await expect(deploy.getByTestId('deploy-no-mute')).toHaveCount(0);
      await app.screenshot(`deploy-plan-${locale}-${theme}`);

      // Verified over TLS (on by default): main's probes reach the loopback front, which serves what the emulator binds.
      await expect(deploy.locator('input[name="deploy-verify"]')).toBeChecked();
      await deploy.locator('input[name="deploy-verify-timeout"]').fill('30');
      await deploy.locator('input[name="deploy-retire"][value="mute"]').check();
      await expect(deploy.getByText(text('ui.deploy.retire.safety'))).toBeVisible();
      await deploy.getByRole('button', { name: text('ui.deploy.deploy'), exact: true }).click();
      const summary = deploy.getByTestId('deploy-summary');
      await expect(summary).toBeFocused();
      await expect(progressOf(app.page, 'example.test')).toHaveAttribute('data-status', 'running', { timeout: 30_000 });
      await expect(deploy.getByRole('button', { name: text('ui.deploy.cancel'), exact: true })).toBeVisible();
      await app.screenshot(`deploy-progress-${locale}-${theme}`);

      await expect(summary).toHaveAttribute('data-status', 'deployed', { timeout: 60_000 });
      await expect(summary).toHaveText(text('ui.deploy.summary.deployed'));
      await expect(deploy.locator('[data-testid="deploy-progress"] li[data-resource-id][data-status="deployed"]')).toHaveCount(3);
      await expect(deploy.getByRole('button', { name: text('ui.deploy.cancel'), exact: true })).toHaveCount(0);
      await expect(deploy.getByRole('button', { name: text('ui.deploy.rollback'), exact: true })).toBeVisible();
      // Nothing serves OLD any more, so its expiry notices were muted as asked.
      await expect(deploy.locator(`[data-testid="deploy-retired"] li[data-remote-id="${oldRemote}"]`)).toHaveAttribute('data-done', 'true');
      await expect(deploy.getByTestId('deploy-retired')).toHaveText(text('ui.deploy.retired.mute', { id: oldRemote }));
      expect(state.store.find(keyOwner, (entry) => entry.id === oldRemote)?.params.IsIgnore).toBe(true);
      // Each domain answered over TLS with NEW.
      const verified = deploy.getByTestId('deploy-verified');
      for (const domain of ['www.example.test', 'example.test', 'static.example.test']) {
        await expect(verified.locator(`li[data-domain="${domain}"]`)).toHaveAttribute('data-verdict', 'ok');
        await expect(verified.locator(`li[data-domain="${domain}"]`)).toContainText(text('ui.deploy.verified.ok'));
      }
      await expect(deploy.getByTestId('deploy-not-yet')).toHaveCount(0);
      expect(front.handshakes).toEqual(expect.arrayContaining(['www.example.test', 'example.test', 'static.example.test']));
      await app.screenshot(`deploy-success-${locale}-${theme}`);
      await verified.scrollIntoViewIfNeeded();
      await app.screenshot(`deploy-verified-${locale}-${theme}`);

      // The cloud agrees: every resource that served OLD serves the uploaded NEW.
      const serving = new Set(resourcesOf(state, keyOwner).map((resource) => resource.certificateId));
      expect(serving.size).toBe(1);
      expect(serving.has(oldRemote)).toBe(false);
      const [record] = (await call(bridge.context, 'deploy.history', { certificateId: newId })).deployments;
      expect(record!.accounts.map((account) => [account.account, account.status, account.newRemoteId])).toEqual([[ACCOUNT, 'deployed', [...serving][0]]]);
    });

    test('a partial failure shows the cloud’s message, rolls back after a confirm, and both are in the Deployments history', async ({ app, bridge, pki }) => {
      test.setTimeout(150_000);
      const text = textIn(locale);
      const { newId, oldRemote } = await seedRenewal(bridge.context, pki);
      const state = tencent.state;
      const key = fs.readFileSync(pki.leafKeyFile, 'utf8');
      const newRemote = seedTencentCertificate(state, { account: keyOwner, certificatePem: pki.renewedLeaf.pem + pki.intermediate.pem, privateKeyPem: key, name: 'www-new' }).id;
      clb(state, oldRemote, 'lb-web', 'www.example.test');
      cdn(state, oldRemote, 'api.example.test');
      cdn(state, oldRemote, HOSTILE);
      cdn(state, newRemote, 'static.example.test');
      state.deploy.failing.add('api.example.test');

      const deploy = await openDeploy(app, newId, text);
      const card = deploy.locator(`[data-testid="deploy-plan"] > li[data-account="${ACCOUNT}"]`);
      await expect(card.locator('[data-new]')).toHaveText(newRemote, { timeout: 30_000 });
      await expect(planned(app.page, 'static.example.test')).toHaveAttribute('data-action', 'skip');
      await expect(planned(app.page, HOSTILE)).toHaveAttribute('data-action', 'blocked');
      // The hostile name is shown with its override escaped, marked as not covered.
      const escaped = 'evil\\u202egpj.example.test';
      await expect(planned(app.page, HOSTILE).locator('mark[data-uncovered]')).toContainText(escaped);
      await expect(card.locator('[data-diff="names"]')).toHaveText(new RegExp(escaped.replaceAll('\\', '\\\\')));
      expect(await deploy.innerText()).not.toContain(HOSTILE);
      await expect(deploy.getByTestId('deploy-counts')).toHaveText(text('ui.deploy.plan.summary', { move: 2, skip: 1, blocked: 1 }));
      await app.screenshot(`deploy-plan-blocked-${locale}-${theme}`);

      await deploy.locator('input[name="deploy-verify"]').uncheck();
      await deploy.getByRole('button', { name: text('ui.deploy.deploy'), exact: true }).click();
      const summary = deploy.getByTestId('deploy-summary');
      await expect(summary).toHaveAttribute('data-status', 'partial', { timeout: 60_000 });
      await expect(summary).toHaveText(text('ui.deploy.summary.partial', { ok: 2, total: 4, failed: 2 }));
      await expect(progressOf(app.page, 'lb-web|lbl-lb-web|www.example.test')).toHaveAttribute('data-status', 'deployed');
      await expect(progressOf(app.page, 'static.example.test')).toHaveAttribute('data-status', 'deployed');
      await expect(progressOf(app.page, 'static.example.test').locator('[data-already-new]')).toHaveText(text('ui.deploy.alreadyNew'));
      const failed = progressOf(app.page, 'api.example.test');
      await expect(failed).toHaveAttribute('data-status', 'failed');
      // The cloud's words, labelled as the cloud's, with our hint on what to do.
      await expect(failed.locator('[data-cloud-message]')).toContainText('emulated failure');
      await expect(failed.locator('[data-source="cloud"] [data-source-label]')).toHaveText(text('ui.deploy.source.cloud', { cloud: text('ui.cloud.tencent') }));
      await expect(failed.locator('[data-action]')).toHaveText(text('ui.deploy.action.replace'));
      await expect(failed.locator('[data-hint]')).not.toBeEmpty();
      await expect(progressOf(app.page, HOSTILE)).toHaveAttribute('data-status', 'failed');
      await expect(progressOf(app.page, HOSTILE).locator('[data-failure-code="deploy.not_covered"]')).toContainText(escaped);
      // Blocked by Cert Vault's own check of the names, and said to be ours.
      await expect(progressOf(app.page, HOSTILE).locator('[data-source="app"] [data-source-label]')).toHaveText(text('ui.deploy.source.app'));
      await expect(progressOf(app.page, HOSTILE).locator('[data-action]')).toHaveText(text('ui.deploy.action.blocked'));
      await app.screenshot(`deploy-partial-${locale}-${theme}`);

      // Roll back: asked first; keeping the new certificate changes nothing.
      await deploy.getByRole('button', { name: text('ui.deploy.rollback'), exact: true }).click();
      const confirm = deploy.getByTestId('deploy-rollback-confirm');
      await expect(confirm).toBeFocused();
      await expect(confirm).toHaveText(text('ui.deploy.rollback.confirm', { count: 1 }));
      await app.screenshot(`deploy-rollback-confirm-${locale}-${theme}`);
      await deploy.getByRole('button', { name: text('ui.deploy.rollback.keep'), exact: true }).click();
      await expect(confirm).toHaveCount(0);
      expect(resourcesOf(state, keyOwner, 'clb')[0]!.certificateId).toBe(newRemote);
      await deploy.getByRole('button', { name: text('ui.deploy.rollback'), exact: true }).click();
      await deploy.getByRole('button', { name: text('ui.deploy.rollback.go'), exact: true }).click();
      const rolled = deploy.getByTestId('rollback-summary');
      await expect(rolled).toHaveAttribute('data-status', 'rolled-back', { timeout: 60_000 });
      await expect(rolled).toHaveText(text('ui.deploy.summary.rolled-back'));
      await expect(deploy.getByRole('button', { name: text('ui.deploy.rollback'), exact: true })).toHaveCount(0);
      await app.screenshot(`deploy-rolled-back-${locale}-${theme}`);
      // The moved listener is back on OLD; what was already on NEW stays there.
      expect(resourcesOf(state, keyOwner).map((resource) => resource.certificateId)).toEqual([oldRemote, oldRemote, oldRemote, newRemote]);

      await app.page.keyboard.press('Escape');
      await expect(deploy).toHaveCount(0);
      await app.openScreen('uploads');
      await app.page.getByRole('tab', { name: text('ui.history.tab.deployments'), exact: true }).click();
      const history = app.page.getByTestId('deployments');
      await expect(history.locator('section[data-deployment]')).toHaveCount(2);
      const rollback = history.locator('section[data-deployment]').nth(0);
      const partial = history.locator('section[data-deployment]').nth(1);
      await expect(rollback).toHaveAttribute('data-status', 'rolled-back');
      await expect(rollback.locator('[data-rollback-of]')).toHaveAttribute('data-rollback-of', (await partial.getAttribute('data-deployment'))!);
      // Rolled back, the partial deployment says so; its resources still say what happened then.
      await expect(partial).toHaveAttribute('data-status', 'rolled-back');
      const step = partial.locator(`details[data-account="${ACCOUNT}"]`);
      await step.locator('summary').click();
      await expect(step.locator('li[data-resource-id="api.example.test"] [data-cloud-message]')).toBeVisible();
      await expect(step.locator('li[data-resource-id="api.example.test"] [data-cloud-message]')).toContainText('emulated failure');
      await expect(step.locator('li[data-resource-id="api.example.test"] [data-source-label]')).toHaveText(text('ui.deploy.source.cloud', { cloud: text('ui.cloud.tencent') }));
      await expect(step.locator(`li[data-resource-id="${HOSTILE}"] [data-source-label]`)).toHaveText(text('ui.deploy.source.app'));
      await expect(rollback.locator('[data-copies]')).toHaveText(`${newRemote} → ${oldRemote}`);
      await app.screenshot(`deploy-history-${locale}-${theme}`);
    });

    test('propagation slower than the verify timeout: deployed, but each domain is said to be not yet served', async ({ app, bridge, pki }) => {
      test.setTimeout(120_000);
      const text = textIn(locale);
      const { newId, oldRemote } = await seedRenewal(bridge.context, pki);
      cdn(tencent.state, oldRemote, 'api.example.test');
      const slow = await TlsFront.start({ lookup, propagationDelayMs: 600_000 });
      try {
        slow.snapshot(['api.example.test']);
        bridge.useTlsResolver(slow.resolver);
        const deploy = await openDeploy(app, newId, text);
        await expect(deploy.locator('[data-testid="deploy-plan"] tr[data-resource-id]')).toHaveCount(1, { timeout: 30_000 });
        // A timeout that is not whole seconds is refused before anything is sent.
        const timeout = deploy.locator('input[name="deploy-verify-timeout"]');
        await timeout.fill('0');
        await expect(deploy.getByTestId('deploy-verify-timeout-note')).toHaveText(text('ui.deploy.verify.timeoutInvalid', { max: 3600 }));
        await expect(deploy.getByRole('button', { name: text('ui.deploy.deploy'), exact: true })).toBeDisabled();
        await timeout.fill('2');
        await deploy.getByRole('button', { name: text('ui.deploy.deploy'), exact: true }).click();
        const summary = deploy.getByTestId('deploy-summary');
        await expect(summary).toHaveAttribute('data-status', 'deployed', { timeout: 60_000 });
        const check = deploy.locator('[data-testid="deploy-verified"] li[data-domain="api.example.test"]');
        await expect(check).toHaveAttribute('data-verdict', 'not-yet');
        await expect(check).toContainText(text('ui.deploy.verified.notYet'));
        await expect(deploy.getByTestId('deploy-not-yet')).toHaveText(text('ui.deploy.verified.notYetNote'));
        // The cloud moved it; the front still serves OLD, as an edge that has not caught up would.
        expect(resourcesOf(tencent.state, keyOwner)[0]!.certificateId).not.toBe(oldRemote);
        expect(slow.handshakes).toContain('api.example.test');
        await deploy.getByTestId('deploy-not-yet').scrollIntoViewIfNeeded();
        await app.screenshot(`deploy-not-yet-served-${locale}-${theme}`);
      } finally {
        await slow.close();
      }
    });

    test('in place on a cloud that offers it: chosen per account, the id kept, NEW served over TLS', async ({ app, bridge, pki }) => {
      test.setTimeout(120_000);
      const text = textIn(locale);
      bridge.useTlsResolver(front.resolver);
      const key = fs.readFileSync(pki.leafKeyFile, 'utf8');
      const owner = defaultCredentials.volcengine.accessKeyId;
      await saveAccount(bridge.context, 'volcengine', 'live-prod', volcengine.url);
      await importLibraryEntry(bridge.context, [pki.leaf.pem, pki.intermediate.pem, key].join(''));
      const newId = await importLibraryEntry(bridge.context, [pki.renewedLeaf.pem, pki.intermediate.pem, key].join(''));
      const chain = seedVolcengineCertificate(volcengine.state, { account: owner, certificatePem: pki.leaf.pem + pki.intermediate.pem, privateKeyPem: key, name: 'live-old' }).id;
      seedResource(volcengine.state, { account: owner, certificateId: chain, type: 'live-domain', region: '', instance: { Domain: 'static.example.test' } });

      const deploy = await openDeploy(app, newId, text);
      const card = deploy.locator('[data-testid="deploy-plan"] > li[data-account="live-prod"]');
      await expect(card.locator('[data-upload-first]')).toBeVisible({ timeout: 30_000 });
      const choice = card.locator('[data-mode-choice]');
      await expect(choice).toHaveAttribute('data-mode-choice', 'rebind');
      await expect(choice.locator('[data-tradeoff]')).toHaveText(text('ui.deploy.mode.tradeoff'));
      // Volcengine cannot mute one certificate's notices: not offered, and said why.
      await expect(deploy.locator('input[name="deploy-retire"][value="mute"]')).toBeDisabled();
      await expect(deploy.getByTestId('deploy-no-mute')).toContainText(text('ui.cloud.volcengine'));

      await choice.getByRole('radio', { name: text('ui.deploy.mode.in-place') }).check();
      // Planned again: the old chain keeps its id and gets NEW's content; nothing is uploaded first.
      await expect(card.locator('[data-mode]')).toHaveAttribute('data-mode', 'in-place', { timeout: 30_000 });
      await expect(card.locator('[data-new]')).toHaveText(chain);
      await expect(card.locator('[data-upload-first]')).toHaveCount(0);
      await expect(card.locator('tr[data-resource-id="static.example.test"]')).toHaveAttribute('data-action', 'replace');
      await expect(card.locator('[data-mode-choice]')).toHaveAttribute('data-mode-choice', 'in-place');
      // Nothing is left to retire: only Keep is offered, and the dialog says why.
      await expect(deploy.getByTestId('deploy-retire-in-place')).toHaveText(text('ui.deploy.retire.inPlace', { accounts: 'live-prod' }));
      await expect(deploy.locator('input[name="deploy-retire"][value="delete"]')).toBeDisabled();
      await app.screenshot(`deploy-in-place-${locale}-${theme}`);

      await deploy.locator('input[name="deploy-verify-timeout"]').fill('30');
      await deploy.getByRole('button', { name: text('ui.deploy.deploy'), exact: true }).click();
      const summary = deploy.getByTestId('deploy-summary');
      await expect(summary).toHaveAttribute('data-status', 'deployed', { timeout: 60_000 });
      await expect(deploy.locator('[data-testid="deploy-verified"] li[data-domain="static.example.test"]')).toHaveAttribute('data-verdict', 'ok');
      // Same chain id on the domain, NEW's certificate in it.
      expect(resourcesOf(volcengine.state, owner)[0]!.certificateId).toBe(chain);
      expect(volcengine.state.store.find(owner, (entry) => entry.id === chain)!.certificatePem).toContain(pki.renewedLeaf.pem.trim().split('\n')[1]!);
      const [record] = (await call(bridge.context, 'deploy.history', { certificateId: newId })).deployments;
      expect(record!.accounts.map((account) => [account.status, account.oldRemoteId, account.newRemoteId])).toEqual([['deployed', chain, chain]]);
    });
  });
}

test('a deployment cancelled while the cloud’s task runs is unknown until Check reads its task to the end', async ({ app, bridge, pki }) => {
  test.setTimeout(120_000);
  const text = textIn('en');
  const { newId, oldRemote } = await seedRenewal(bridge.context, pki);
  const state = tencent.state;
  clb(state, oldRemote, 'lb-web', 'www.example.test');
  // The task runs until the test lets it finish.
  state.deploy.pollsBeforeDone = 1_000;

  const deploy = await openDeploy(app, newId, text);
  await expect(deploy.locator('[data-testid="deploy-plan"] tr[data-resource-id]')).toHaveCount(1, { timeout: 30_000 });
  await deploy.locator('input[name="deploy-verify"]').uncheck();
  await deploy.getByRole('button', { name: text('ui.deploy.deploy'), exact: true }).click();
  await expect(progressOf(app.page, 'lb-web|lbl-lb-web|www.example.test')).toHaveAttribute('data-status', 'running', { timeout: 30_000 });
  await deploy.getByRole('button', { name: text('ui.deploy.cancel'), exact: true }).click();
  const summary = deploy.getByTestId('deploy-summary');
  await expect(summary).toHaveAttribute('data-status', 'unknown', { timeout: 30_000 });
  await expect(summary).toHaveText(text('ui.deploy.summary.unknown'));
  await expect(deploy.getByRole('button', { name: text('ui.deploy.rollback'), exact: true })).toHaveCount(0);

  await app.page.keyboard.press('Escape');
  await app.openScreen('uploads');
  const tab = app.page.getByRole('tab', { name: text('ui.history.tab.deployments'), exact: true });
  // Keyboard: the tabs follow the arrow keys.
  await app.page.getByRole('tab', { name: text('ui.history.tab.uploads'), exact: true }).focus();
  await app.page.keyboard.press('ArrowRight');
  await expect(tab).toBeFocused();
  await expect(tab).toHaveAttribute('aria-selected', 'true');
  const record = app.page.locator('[data-testid="deployments"] section[data-deployment]');
  await expect(record).toHaveAttribute('data-status', 'unknown');
  await expect(record).toContainText(text('ui.deployments.unknownExplained'));
  await app.screenshot('deploy-history-unknown-en-light');

  // The task finishes at the cloud; Check watches the recorded task (nothing is sent again).
  state.deploy.pollsBeforeDone = 0;
  const updates = state.callsOf('UpdateCertificateInstance').length;
  await record.getByRole('button', { name: text('ui.history.check'), exact: true }).click();
  await expect(record).toHaveAttribute('data-status', 'deployed', { timeout: 60_000 });
  await expect(app.page.getByRole('status').filter({ hasText: text('ui.deployments.checked', { count: 1 }) })).toBeVisible();
  expect(state.callsOf('UpdateCertificateInstance')).toHaveLength(updates);
  expect(resourcesOf(state, keyOwner)[0]!.certificateId).not.toBe(oldRemote);
});
