import type { Locator, Page } from '@playwright/test';
import { dispatch } from '../../main/core/ipc/dispatch';
import { cloudIds, type CloudId } from '../../shared/model';
import { allSecrets, huaweiProject, huaweiRegion, ipcLog, pageText, recordIpc, resetClouds, saveAccount, secretOf, startClouds, stopClouds, type Clouds } from './fixtures/clouds';
import { translate } from '../../shared/i18n';
import { expect, test as base } from './fixtures/test';

// The accounts screen against the five cloud emulators on 127.0.0.1: an account of each cloud added
// through the form (endpoint override pointing at its emulator), "Test connection" verdicts, the
// write-only secret, and proof that no secret reaches the page: not in the DOM, not in any IPC answer.

const test = base.extend({
  bridge: async ({ bridge, page }, use) => {
    await recordIpc(page);
    await use(bridge);
  },
});

let clouds: Clouds;
test.beforeAll(async () => {
  clouds = await startClouds();
});
test.afterEach(() => resetClouds(clouds));
test.afterAll(async () => {
  await stopClouds(clouds);
});

const accountForm = (page: Page) => page.locator('dialog[data-dialog="account"]');
const card = (page: Page, name: string) => page.locator(`li[data-account="${name}"]`);

async function fillSecret(form: Locator, secret: { accessKeyId: string; accessKeySecret: string }): Promise<void> {
  await form.locator('input[name="access-key-id"]').fill(secret.accessKeyId);
  await form.locator('input[name="access-key-secret"]').fill(secret.accessKeySecret);
}

async function addAccount(page: Page, cloud: CloudId, name: string, endpoint: string): Promise<void> {
  await page.getByRole('button', { name: 'Add account' }).first().click();
  const form = accountForm(page);
  await expect(form).toBeVisible();
  await form.locator('select[name="cloud"]').selectOption(cloud);
  await form.locator('input[name="name"]').fill(name);
  await form.locator('input[name="endpoint"]').fill(endpoint);
  if (cloud === 'huawei') {
    await form.locator('input[name="region"]').fill(huaweiRegion);
    await form.locator('#account-field-projectId').fill(huaweiProject);
  }
  await fillSecret(form, secretOf(cloud));
  await form.getByRole('button', { name: 'Save account' }).click();
  await expect(form).toBeHidden();
  await expect(card(page, name).locator('[data-secret-stored]')).toBeVisible();
}

async function testConnection(page: Page, name: string): Promise<Locator> {
  const account = card(page, name);
  await account.getByRole('button', { name: 'Test connection' }).click();
  const verdict = account.locator('[data-verdict]');
  await expect(verdict).toBeVisible({ timeout: 20_000 });
  return verdict;
}

async function expectNoSecretAnywhere(page: Page): Promise<void> {
  const log = await ipcLog(page);
  // The recorder itself must have seen the traffic, or this check proves nothing.
  expect(log.some((line) => line.startsWith('app.info '))).toBe(true);
  expect(log.some((line) => line.startsWith('accounts.list '))).toBe(true);
  const seen = [await pageText(page), ...log].join('\n');
  for (const secret of allSecrets) expect(seen, 'a secret reached the renderer').not.toContain(secret);
}

test('an account of each cloud: added, tested, secret write-only, never sent back', async ({ app, bridge, pki }) => {
  const { page } = app;
  await app.openScreen('accounts');
  await expect(page.locator('[data-empty]')).toBeVisible();

  for (const cloud of cloudIds) await addAccount(page, cloud, `${cloud}-prod`, clouds[cloud].url);
  await expect(page.locator('li[data-account]')).toHaveCount(cloudIds.length);
  // Each override, loopback emulators included, was confirmed in a main-process dialog.
  expect(bridge.endpointConfirmations).toEqual(cloudIds.map((cloud) => ({ name: `${cloud}-prod`, endpoint: clouds[cloud].url })));

  for (const cloud of cloudIds) {
    await expect(await testConnection(page, `${cloud}-prod`)).toHaveAttribute('data-verdict', 'works');
    expect(clouds[cloud].state.calls.length, `${cloud} emulator was called`).toBeGreaterThan(0);
  }

  // Editing shows "secret stored", never the value; the other fields come back as saved.
  await card(page, 'huawei-prod').getByRole('button', { name: 'Edit' }).click();
  const form = accountForm(page);
  await expect(form.locator('[data-secret-stored]')).toBeVisible();
  await expect(form.locator('input[name="access-key-secret"]')).toHaveCount(0);
  await expect(form.locator('input[name="region"]')).toHaveValue(huaweiRegion);
  await expect(form.locator('#account-field-projectId')).toHaveValue(huaweiProject);
  await app.screenshot('accounts-edit-en');
  await form.getByRole('button', { name: 'Cancel' }).click();

  // Default upload options prefill every upload to this account.
  await card(page, 'tencent-prod').getByRole('button', { name: 'Edit' }).click();
  await form.getByText('Default upload options').click();
  await form.locator('#account-default-certificateUse').selectOption('CDN');
  await form.locator('#account-default-tags').fill('env=prod, team=web');
  await form.getByRole('button', { name: 'Save account' }).click();
  await expect(form).toBeHidden();
  await expect(card(page, 'tencent-prod')).toContainText('CDN');
  await expect(card(page, 'tencent-prod')).toContainText('env=prod, team=web');
  // Only what was set: not the cloud's own defaults (certificate type SVR, duplicate upload off).
  await expect(card(page, 'tencent-prod').locator('dt', { hasText: / \(default\)$/ })).toHaveText(['Certificate use (default)', 'Tags (default)']);

  // A PEM default is a text area: the pasted root CA comes back with its line breaks.
  await card(page, 'huawei-prod').getByRole('button', { name: 'Edit' }).click();
  await form.getByText('Default upload options').click();
  const trustedRoot = form.locator('textarea#account-default-trustedRootCa');
  await trustedRoot.fill(pki.root.pem);
  await trustedRoot.scrollIntoViewIfNeeded();
  await app.screenshot('accounts-default-pem-en');
  await form.getByRole('button', { name: 'Save account' }).click();
  await expect(form).toBeHidden();
  const huaweiDefaults = card(page, 'huawei-prod').locator('dt', { hasText: / \(default\)$/ });
  await expect(huaweiDefaults).toHaveText(['Trusted root CA (PEM) (default)']);
  await expect(card(page, 'huawei-prod')).toContainText('-----BEGIN CERTIFICATE----- …');
  await card(page, 'huawei-prod').getByRole('button', { name: 'Edit' }).click();
  await form.getByText('Default upload options').click();
  await expect(trustedRoot).toHaveValue(pki.root.pem.trim());
  await form.getByRole('button', { name: 'Cancel' }).click();

  await app.screenshot('accounts-en');
  await expectNoSecretAnywhere(page);
  // Five accounts added and two edited: every answer was recorded, and none carried a secret.
  expect((await ipcLog(page)).filter((line) => line.startsWith('accounts.save '))).toHaveLength(cloudIds.length + 2);
});

/** The form filled for a new account, up to (not including) Save. */
async function fillNewAccount(page: Page, fields: { cloud: CloudId; name: string; endpoint?: string }): Promise<Locator> {
  await page.getByRole('button', { name: 'Add account' }).first().click();
  const form = accountForm(page);
  await form.locator('select[name="cloud"]').selectOption(fields.cloud);
  await form.locator('input[name="name"]').fill(fields.name);
  if (fields.endpoint) await form.locator('input[name="endpoint"]').fill(fields.endpoint);
  await fillSecret(form, secretOf(fields.cloud));
  return form;
}

test('an endpoint override the user declines in main leaves no account behind', async ({ app, bridge }) => {
  const { page } = app;
  await app.openScreen('accounts');
  bridge.queueEndpointAnswer(false);
  const form = await fillNewAccount(page, { cloud: 'tencent', name: 'redirected', endpoint: 'https://attacker.example/' });
  await form.getByRole('button', { name: 'Save account' }).click();
  await expect(form.getByRole('alert')).toContainText('Account "redirected" was not saved: sending its uploads to https://attacker.example was not confirmed.');
  expect(bridge.endpointConfirmations).toEqual([{ name: 'redirected', endpoint: 'https://attacker.example' }]);
  await form.getByRole('button', { name: 'Cancel' }).click();
  await expect(page.locator('[data-empty]')).toBeVisible();
  expect(await dispatch(bridge.context, 'accounts.list', {})).toMatchObject({ ok: true, value: { accounts: [] } });
});

test('a Huawei account with neither a region nor an endpoint is refused at the region field', async ({ app, bridge }) => {
  const { page } = app;
  await app.openScreen('accounts');
  const form = await fillNewAccount(page, { cloud: 'huawei', name: 'huawei-nowhere' });
  await form.getByRole('button', { name: 'Save account' }).click();
  await expect(form.getByRole('alert')).toContainText('a Huawei Cloud API Gateway account needs a region such as cn-north-4');
  await expect(form.locator('input[name="region"]')).toHaveAttribute('aria-invalid', 'true');
  await form.locator('input[name="region"]').fill(huaweiRegion);
  await form.locator('#account-field-projectId').fill(huaweiProject);
  await form.getByRole('button', { name: 'Save account' }).click();
  await expect(form).toBeHidden();
  await expect(card(page, 'huawei-nowhere')).toBeVisible();
  expect(bridge.endpointConfirmations).toEqual([]);
});

test('"Test connection" tells wrong key, no permission, unreachable and clock skew apart', async ({ app, bridge }) => {
  const { page } = app;
  for (const cloud of ['tencent', 'huawei', 'aliyun'] as const) await saveAccount(bridge.context, cloud, `${cloud}-prod`, clouds[cloud].url);
  await saveAccount(bridge.context, 'volcengine', 'volcengine-offline', 'http://127.0.0.1:9');
  await app.openScreen('accounts');

  // Wrong key: replace the secret with one the cloud does not know, then put the right one back.
  await card(page, 'aliyun-prod').getByRole('button', { name: 'Edit' }).click();
  await accountForm(page).getByRole('button', { name: 'Replace secret' }).click();
  await fillSecret(accountForm(page), { accessKeyId: 'LTAIWRONGWRONGWRONG0', accessKeySecret: 'NotTheRightSecret000000000000000' });
  await accountForm(page).getByRole('button', { name: 'Save account' }).click();
  await expect(accountForm(page)).toBeHidden();
  const wrong = await testConnection(page, 'aliyun-prod');
  await expect(wrong).toHaveAttribute('data-verdict', 'wrong_key');
  await expect(wrong.locator('[data-failure-code]')).toBeVisible();

  clouds.tencent.faults.inject({ kind: 'error', code: 'UnauthorizedOperation', message: 'You are not authorized to perform this operation.' });
  await expect(await testConnection(page, 'tencent-prod')).toHaveAttribute('data-verdict', 'no_permission');

  await expect(await testConnection(page, 'volcengine-offline')).toHaveAttribute('data-verdict', 'unreachable');

  clouds.huawei.state.clockOffsetMs = 60 * 60 * 1000;
  await expect(await testConnection(page, 'huawei-prod')).toHaveAttribute('data-verdict', 'clock_skew');

  await app.screenshot('accounts-verdicts-en');

  // Remove: asks first, then the card and the keychain entry are gone.
  await card(page, 'volcengine-offline').getByRole('button', { name: 'Remove' }).click();
  await card(page, 'volcengine-offline').getByRole('button', { name: 'Remove account' }).click();
  await expect(card(page, 'volcengine-offline')).toHaveCount(0);
  await expectNoSecretAnywhere(page);
});

test.describe('zh-CN', () => {
  test.use({ systemLocale: 'zh-CN' });

  test('accounts screen and form in Chinese', async ({ app, bridge }) => {
    const { page } = app;
    for (const cloud of cloudIds) await saveAccount(bridge.context, cloud, `${cloud}-生产`, clouds[cloud].url);
    await app.openScreen('accounts');
    await card(page, 'tencent-生产').getByRole('button', { name: '测试连接' }).click();
    await expect(card(page, 'tencent-生产').locator('[data-verdict="works"]')).toBeVisible();
    await app.screenshot('accounts-zh-CN');

    await page.getByRole('button', { name: '添加账号' }).first().click();
    await accountForm(page).locator('select[name="cloud"]').selectOption('huawei');
    await expect(accountForm(page).locator('#account-field-instanceId')).toBeVisible();
    await app.screenshot('accounts-add-zh-CN');
    await expectNoSecretAnywhere(page);
  });
});

for (const locale of ['en', 'zh-CN'] as const) {
  test.describe(`account confirmation (${locale})`, () => {
    test.use({ systemLocale: locale });

    test('an account the user did not confirm is marked, and Confirm asks main again', async ({ app, bridge }) => {
      const { page } = app;
      // Saving asks at once; this time the user says no (or a page saved it behind their back).
      bridge.queueAccountAnswer(false);
      const saved = await saveAccount(bridge.context, 'tencent', 'unconfirmed', clouds.tencent.url);
      expect(saved.confirmed).toBe(false);
      await app.openScreen('accounts');
      const account = card(page, 'unconfirmed');
      await expect(account.locator('[data-unconfirmed]')).toHaveText(translate(locale, 'ui.accounts.unconfirmed'));
      await app.screenshot(`accounts-unconfirmed-${locale}`);
      await account.getByRole('button', { name: translate(locale, 'ui.accounts.confirm'), exact: true }).click();
      await expect(account.locator('[data-unconfirmed]')).toBeHidden();
      await expect(page.getByRole('status')).toHaveText(translate(locale, 'ui.accounts.confirmed', { name: 'unconfirmed' }));
      expect(bridge.accountConfirmations.at(-1)).toEqual({
        name: 'unconfirmed',
        identity: { cloud: 'tencent', keyId: secretOf('tencent').accessKeyId, endpoint: clouds.tencent.url },
      });
    });
  });
}
