import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { translate, type Locale, type MessageKey } from '../../shared/i18n';
import { cloudIds } from '../../shared/model';
import type { CloudAccount, UploadProgress } from '../../shared/uploads';
import { openSqliteVaultDb } from '../../main/core/db/vault-db';
import type { HandlerContext } from '../../main/core/ipc/context';
import { uploadsOf } from '../../main/core/uploads';
import { HistoryStore } from '../../main/core/uploads/history-store';
import { ownerOf } from '../../main/core/db/row-owner';
import type { AppPage } from './fixtures/app-page';
import type { TestPki } from './fixtures/certificates';
import {
  allSecrets,
  capUploadConcurrency,
  importLibraryEntry,
  ipcLog,
  pageText,
  recordIpc,
  resetClouds,
  saveAccount,
  startClouds,
  stopClouds,
  type Clouds,
} from './fixtures/clouds';
import { expect, test as base } from './fixtures/test';

// One-click upload from a library entry to five accounts (one per cloud) against the emulators on
// 127.0.0.1: pre-flight, live progress, results with remote and request ids, a throttle that is
// retried, a hard failure with its hint, "Retry failed", "Cancel pending", and the history per
// cloud and per certificate, its filters, CSV export and "Check". No secret may reach the page at
// any point.

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

const uploadDialog = (page: Page) => page.locator('dialog[data-dialog="upload"]');
const target = (page: Page, account: string) => uploadDialog(page).locator(`[data-testid="upload-progress"] li[data-account="${account}"]`);

async function seed(context: HandlerContext, pki: TestPki, suffix: string): Promise<{ accounts: CloudAccount[]; entryId: string }> {
  const accounts: CloudAccount[] = [];
  for (const cloud of cloudIds) accounts.push(await saveAccount(context, cloud, `${cloud}-${suffix}`, clouds[cloud].url));
  const pem = [pki.leaf.pem, pki.intermediate.pem, pki.root.pem, fs.readFileSync(pki.leafKeyFile, 'utf8')].join('');
  return { accounts, entryId: await importLibraryEntry(context, pem) };
}

/** The user's way in: the library, the entry, its Upload action. */
async function openUploadDialog(app: AppPage, entryId: string, uploadLabel: string): Promise<void> {
  await app.openScreen('library');
  await app.page.locator(`[role="row"][data-entry-id="${entryId}"]`).click();
  await app.page.getByTestId('library-detail').getByRole('button', { name: uploadLabel }).click();
  await expect(uploadDialog(app.page)).toBeVisible();
}

async function chooseAllTargets(page: Page): Promise<void> {
  for (const box of await uploadDialog(page).locator('input[name="target"]').all()) await box.check();
  await expect(uploadDialog(page).locator('[data-testid="upload-plan"] > li')).toHaveCount(cloudIds.length);
  await expect(uploadDialog(page).locator('[data-testid="upload-plan"] > li[data-blocked="true"]')).toHaveCount(0);
}

async function progressEvents(page: Page): Promise<UploadProgress[]> {
  return (await ipcLog(page))
    .filter((line) => line.startsWith('uploads.progress '))
    .map((line) => JSON.parse(line.slice('uploads.progress '.length)) as UploadProgress);
}

async function expectNoSecretAnywhere(page: Page): Promise<void> {
  const log = await ipcLog(page);
  expect(log.some((line) => line.startsWith('uploads.start '))).toBe(true);
  const seen = [await pageText(page), ...log].join('\n');
  for (const secret of allSecrets) expect(seen, 'a secret reached the renderer').not.toContain(secret);
}

function setLatency(ms: number): void {
  for (const emulator of Object.values(clouds)) emulator.faults.latencyMs = ms;
}

test('one click uploads an entry to five clouds, with live progress and ids', async ({ app, bridge, pki }) => {
  const { page } = app;
  const { entryId } = await seed(bridge.context, pki, 'prod');
  await openUploadDialog(app, entryId, 'Upload…');
  // Never uploaded: nothing is ticked for the user.
  await expect(uploadDialog(page).locator('input[name="target"]')).toHaveCount(cloudIds.length);
  await expect(uploadDialog(page).locator('input[name="target"]:checked')).toHaveCount(0);
  await chooseAllTargets(page);
  // The pre-flight list is in the picker's order (grouped by cloud), not the accounts' name order.
  const pickerOrder = await uploadDialog(page).locator('fieldset label .name').allTextContents();
  const planOrder = await uploadDialog(page).locator('[data-testid="upload-plan"] > li').evaluateAll((items) => items.map((item) => item.getAttribute('data-account')));
  expect(pickerOrder).not.toEqual([...pickerOrder].sort());
  expect(planOrder).toEqual(pickerOrder);
  // The options are prefilled per cloud and editable: a name for Alibaba, shown before sending.
  const aliyunPlan = uploadDialog(page).locator('[data-testid="upload-plan"] li[data-account="aliyun-prod"]');
  await aliyunPlan.locator('summary').click();
  const aliyunName = aliyunPlan.locator('[data-option="name"] input');
  await expect(aliyunName).toHaveValue(/^www\.example\.test-\d{8}-/);
  // An edit goes through the pre-flight again: empty is refused, a new name is accepted.
  await aliyunName.fill('');
  await expect(aliyunPlan).toHaveAttribute('data-blocked', 'true');
  await expect(uploadDialog(page).getByRole('button', { name: 'Upload to 5' })).toBeDisabled();
  await aliyunName.fill('example-test-e2e');
  await expect(aliyunPlan).toHaveAttribute('data-blocked', 'false');
  await app.screenshot('upload-preflight-en');

  // A PEM option is a text area: a pasted root CA keeps its line breaks all the way to Huawei.
  const huaweiPlan = uploadDialog(page).locator('[data-testid="upload-plan"] li[data-account="huawei-prod"]');
  await huaweiPlan.locator('summary').click();
  const trustedRoot = huaweiPlan.locator('[data-option="trustedRootCa"] textarea');
  await trustedRoot.fill(pki.root.pem);
  await expect(trustedRoot).toHaveValue(pki.root.pem);
  await trustedRoot.scrollIntoViewIfNeeded();
  await app.screenshot('upload-option-pem-en');

  // Slow clouds, so the progress is there to be seen.
  setLatency(1500);
  await uploadDialog(page).getByRole('button', { name: 'Upload to 5' }).click();
  await expect(uploadDialog(page).locator('li[data-state="uploading"]').first()).toBeVisible();
  // While it runs, each target says which attempt it is on and for how long.
  await expect(uploadDialog(page).locator('li[data-state="uploading"] [data-detail]').first()).toHaveText(/^attempt 1 · \d+(\.\d)? s$/);
  await app.screenshot('upload-progress-en');

  for (const cloud of cloudIds) await expect(target(page, `${cloud}-prod`)).toHaveAttribute('data-state', 'uploaded', { timeout: 20_000 });
  await expect(page.getByTestId('upload-summary')).toContainText('Done');
  expect(clouds.aliyun.state.store.list()[0]?.name).toBe('example-test-e2e');
  expect(clouds.huawei.state.store.list()[0]?.params.trusted_root_ca).toBe(pki.root.pem.trim());
  for (const cloud of cloudIds) {
    expect(clouds[cloud].state.store.size, `${cloud} holds the certificate`).toBe(1);
    await expect(target(page, `${cloud}-prod`).locator('[data-id="remote"] code')).not.toBeEmpty();
    await expect(target(page, `${cloud}-prod`).locator('[data-id="request"] code')).not.toBeEmpty();
  }
  await app.screenshot('upload-results-en');

  // Every target went queued -> uploading -> uploaded, as pushed events.
  const events = await progressEvents(page);
  for (const cloud of cloudIds) {
    const states = events.filter((event) => event.cloud === cloud).map((event) => event.state);
    expect(states[0], cloud).toBe('queued');
    expect(states).toContain('uploading');
    expect(states.at(-1), cloud).toBe('uploaded');
  }

  // Closed and opened again: the five accounts are remembered and each says "already present".
  await uploadDialog(page).getByRole('button', { name: 'Close' }).last().click();
  await page.getByTestId('library-detail').getByRole('button', { name: 'Upload…' }).click();
  await expect(uploadDialog(page).locator('input[name="target"]:checked')).toHaveCount(cloudIds.length);
  await expect(uploadDialog(page).locator('[data-already-present]')).toHaveCount(cloudIds.length);
  await uploadDialog(page).getByRole('button', { name: 'Close' }).last().click();

  // Another certificate: the targets are remembered per certificate, so none are ticked for it.
  const otherId = await importLibraryEntry(bridge.context, pki.intermediate.pem);
  await openUploadDialog(app, otherId, 'Upload…');
  await expect(uploadDialog(page).locator('input[name="target"]')).toHaveCount(cloudIds.length);
  await expect(uploadDialog(page).locator('input[name="target"]:checked')).toHaveCount(0);
  await expectNoSecretAnywhere(page);
});

test('a throttle is retried, a hard failure shows code, request id and hint, "Retry failed" fixes it', async ({ app, bridge, pki }) => {
  const { page } = app;
  const { entryId } = await seed(bridge.context, pki, 'prod');
  clouds.tencent.faults.throttle(1, 'UploadCertificate');
  clouds.aliyun.faults.inject({
    kind: 'error',
    operation: 'UploadUserCertificate',
    code: 'InvalidParameter',
    status: 400,
    message: 'The parameter Name is invalid.',
  });

  await openUploadDialog(app, entryId, 'Upload…');
  await chooseAllTargets(page);
  await uploadDialog(page).getByRole('button', { name: 'Upload to 5' }).click();
  await expect(page.getByTestId('upload-summary')).toContainText('4 succeeded, 1 failed', { timeout: 20_000 });

  const tencent = target(page, 'tencent-prod');
  await expect(tencent).toHaveAttribute('data-state', 'uploaded');
  await expect(tencent).toContainText('attempts: 2');
  const tencentStates = (await progressEvents(page)).filter((event) => event.cloud === 'tencent').map((event) => event.state);
  expect(tencentStates).toContain('retrying');

  const aliyun = target(page, 'aliyun-prod');
  await expect(aliyun).toHaveAttribute('data-state', 'failed');
  await expect(aliyun.locator('[data-failure-code="InvalidParameter"] [data-cloud-message]')).toHaveText('The parameter Name is invalid.');
  await expect(aliyun.locator('[data-failure-code="InvalidParameter"]')).toContainText("Cloud’s message:");
  await expect(aliyun.locator('[data-id="request"] code')).not.toBeEmpty();
  await expect(aliyun.locator('[data-hint]')).not.toBeEmpty();
  await app.screenshot('upload-error-en');

  await uploadDialog(page).getByRole('button', { name: 'Retry failed (1)' }).click();
  await expect(aliyun).toHaveAttribute('data-state', 'uploaded', { timeout: 20_000 });
  await expect(page.getByTestId('upload-summary')).toContainText('Done');
  // Only the failed target went again.
  expect(clouds.tencent.state.callsOf('UploadCertificate')).toHaveLength(2);
  expect(clouds.aliyun.state.callsOf('UploadUserCertificate')).toHaveLength(2);
  expect(clouds.aliyun.state.store.size).toBe(1);
  await uploadDialog(page).getByRole('button', { name: 'Close' }).last().click();

  // History per cloud: every cloud has its group; Alibaba shows the failure and the retry.
  await app.openScreen('uploads');
  for (const cloud of cloudIds) await expect(page.locator(`[data-group-cloud="${cloud}"]`)).toBeVisible();
  const aliyunRows = page.locator('[data-group-cloud="aliyun"] tr[data-history-id]');
  await expect(aliyunRows).toHaveCount(2);
  await expect(page.locator('[data-group-cloud="aliyun"] tr[data-status="failed"] [data-failure-code="InvalidParameter"]')).toBeVisible();
  await app.screenshot('history-en');

  // Filters: only failures; then back to everything.
  await page.locator('select[data-filter="status"]').selectOption('failed');
  await expect(page.locator('tr[data-history-id]')).toHaveCount(1);
  await page.locator('select[data-filter="status"]').selectOption('');
  await expect(page.locator('tr[data-history-id]')).toHaveCount(6);

  // Per certificate: deployed to all five accounts.
  await page.getByText('Per certificate').click();
  const group = page.locator(`[data-group-certificate="${entryId}"]`);
  await expect(group.locator('[data-placements] .place')).toHaveCount(cloudIds.length);
  // The fingerprint as Inspect shows it: whole, in openssl's colon form.
  await expect(group.locator(`header [data-fingerprint="${pki.leaf.sha256Hex}"]`)).toHaveText(pki.leaf.sha256);
  await app.screenshot('history-certificate-en');

  // CSV export through the save dialog, with the filters applied.
  const csvFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-csv-')), 'uploads.csv');
  bridge.queueSaveAnswer(csvFile);
  await page.getByRole('button', { name: 'Export CSV…' }).click();
  await expect(page.getByRole('status')).toContainText('Exported 6 rows');
  const csv = fs.readFileSync(csvFile, 'utf8').trim().split('\r\n');
  expect(csv).toHaveLength(7);
  expect(csv.filter((line) => line.includes(',failed,'))).toHaveLength(1);
  fs.rmSync(path.dirname(csvFile), { recursive: true, force: true });
  await expectNoSecretAnywhere(page);
});

test('"Cancel pending" stops the targets still waiting for a slot: nothing is sent for them', async ({ app, bridge, pki }) => {
  const { page } = app;
  // One request slot for the whole app, slow clouds: one target sends, four wait their turn.
  capUploadConcurrency(bridge.context, 1);
  const { entryId } = await seed(bridge.context, pki, 'prod');
  await openUploadDialog(app, entryId, 'Upload…');
  await chooseAllTargets(page);
  // Slow enough that the upload in flight is still going when Cancel is clicked on a busy machine.
  setLatency(5000);
  await uploadDialog(page).getByRole('button', { name: 'Upload to 5' }).click();
  const inState = (state: string) => uploadDialog(page).locator(`[data-testid="upload-progress"] > li[data-state="${state}"]`);
  await expect(inState('uploading')).toHaveCount(1, { timeout: 10_000 });
  await expect(inState('queued')).toHaveCount(cloudIds.length - 1);
  const sending = await inState('uploading').getAttribute('data-account');
  await app.screenshot('upload-cancel-pending-en');

  await uploadDialog(page).getByRole('button', { name: 'Cancel pending' }).click();
  // The request in flight finishes and is recorded; the waiting ones end as cancelled.
  await expect(target(page, sending!)).toHaveAttribute('data-state', 'uploaded', { timeout: 20_000 });
  await expect(page.getByTestId('upload-summary')).toContainText(`1 succeeded, 0 failed, ${cloudIds.length - 1} cancelled.`);
  const cancelled = cloudIds.filter((cloud) => `${cloud}-prod` !== sending);
  for (const cloud of cancelled) {
    // Cancelled is what the user asked for: a neutral note, not a red failure.
    await expect(target(page, `${cloud}-prod`)).toHaveAttribute('data-state', 'cancelled');
    await expect(target(page, `${cloud}-prod`).locator('.badge.neutral[data-state="cancelled"]')).toHaveCount(1);
    await expect(target(page, `${cloud}-prod`).locator('[data-detail]')).toHaveText('Not uploaded: cancelled before it was sent.');
    await expect(target(page, `${cloud}-prod`).locator('[data-failure-code]')).toHaveCount(0);
    expect(clouds[cloud].state.calls, `nothing was sent to ${cloud}`).toHaveLength(0);
  }
  await app.screenshot('upload-cancelled-en');
  const history = await uploadsOf(bridge.context).history.list({ certificateId: entryId });
  expect(history.map((row) => [row.accountName, row.status])).toEqual([[sending, 'uploaded']]);

  // Nothing failed, so there is nothing to retry: cancelled targets are not counted as failures.
  await expect(uploadDialog(page).getByRole('button', { name: /^Retry failed/ })).toHaveCount(0);
  await expectNoSecretAnywhere(page);
});

/** Attempts on three days, written through the history itself with its clock set to each day. */
async function seedHistoryDays(context: HandlerContext, pki: TestPki): Promise<void> {
  const { accounts, entryId } = await seed(context, pki, 'prod');
  const account = accounts.find((candidate) => candidate.cloud === 'tencent')!;
  const vault = openSqliteVaultDb(context.dataDir);
  try {
    for (const day of ['2025-03-02', '2025-03-15', '2025-04-01']) {
      const history = new HistoryStore(vault, () => new Date(`${day}T12:00:00.000Z`));
      const id = await history.begin({
        jobId: `job-${day}`,
        certificateId: entryId,
        fingerprintSha256: 'ab'.repeat(32),
        fingerprintSha1: null,
        commonName: 'www.example.test',
        dnsNames: [],
        notAfter: null,
        accountId: account.id,
        accountName: account.name,
        cloud: account.cloud,
      });
      await history.finish(id, { status: 'uploaded', remoteId: `remote-${day}`, requestId: null, error: null, attempts: 1, durationMs: 5 });
    }
  } finally {
    await vault.close();
  }
}

test('history filters by date: whole days, both ends included', async ({ app, bridge, pki }) => {
  const { page } = app;
  await seedHistoryDays(bridge.context, pki);

  await app.openScreen('uploads');
  const rows = page.locator('tr[data-history-id]');
  await expect(rows).toHaveCount(3);
  // A 5 ms attempt is not "0 s".
  await expect(rows.first()).toContainText('0.005 s, attempts: 1');
  const from = page.locator('input[data-filter="from"]');
  const to = page.locator('input[data-filter="to"]');
  await expect(from).toHaveAttribute('placeholder', 'yyyy-mm-dd');
  await from.fill('2025-03-15');
  await expect(rows).toHaveCount(2);
  await to.fill('2025-03-15');
  await expect(rows).toHaveCount(1);
  await expect(rows).toContainText('remote-2025-03-15');
  await app.screenshot('history-date-filter-en');
  await from.fill('');
  await expect(rows).toHaveCount(2);
  await to.fill('2025-03-01');
  await expect(rows).toHaveCount(0);
  // Text that is not a day is said to be wrong and changes nothing.
  await to.fill('03/15/2025');
  await expect(to).toHaveAttribute('aria-invalid', 'true');
  await expect(rows).toHaveCount(0);
  await to.fill('');
  await expect(rows).toHaveCount(3);
});

test.describe('in Chinese', () => {
  test.use({ systemLocale: 'zh-CN' });

  test('history dates are typed and shown as 年月日, durations in tenths of 秒', async ({ app, bridge, pki }) => {
    const { page } = app;
    await seedHistoryDays(bridge.context, pki);
    await app.openScreen('uploads');
    const rows = page.locator('tr[data-history-id]');
    await expect(rows).toHaveCount(3);
    await expect(rows.first()).toContainText('0.005 秒，尝试 1 次');
    const from = page.locator('input[data-filter="from"]');
    await expect(from).toHaveAttribute('placeholder', '年-月-日');
    await from.fill('2025年3月15日');
    await expect(rows).toHaveCount(2);
    await from.blur();
    await expect(from).toHaveValue('2025年3月15日');
    const to = page.locator('input[data-filter="to"]');
    await to.fill('2025-03-15');
    await expect(rows).toHaveCount(1);
    await to.blur();
    await expect(to).toHaveValue('2025年3月15日');
    await app.screenshot('history-date-filter-zh');
  });
});

test('"Check" settles an attempt a crash left unknown', async ({ app, bridge, pki }) => {
  const { page } = app;
  const { accounts, entryId } = await seed(bridge.context, pki, 'prod');
  await openUploadDialog(app, entryId, 'Upload…');
  await uploadDialog(page).locator('input[name="target"]').first().check();
  await expect(uploadDialog(page).locator('[data-testid="upload-plan"] > li')).toHaveCount(1);
  await uploadDialog(page).getByRole('button', { name: 'Upload to 1' }).click();
  await expect(page.getByTestId('upload-summary')).toContainText('Done', { timeout: 20_000 });
  await uploadDialog(page).getByRole('button', { name: 'Close' }).last().click();

  // A crash mid-request: the attempt was written as pending by another process (the app before
  // it died) and that process is gone; the next start marks it unknown (what UploadService does
  // when it opens). The cloud did get it.
  const history = uploadsOf(bridge.context).history;
  const done = (await history.list({ certificateId: entryId }))[0]!;
  const account = accounts.find((candidate) => candidate.id === done.accountId)!;
  const vault = openSqliteVaultDb(bridge.context.dataDir);
  try {
    await new HistoryStore(vault, undefined, ownerOf(undefined, process.pid + 1)).begin({
      jobId: 'crashed-job',
      certificateId: entryId,
      fingerprintSha256: done.fingerprintSha256,
      // What the upload itself records, so the cloud's listing can recognise the certificate.
      fingerprintSha1: new X509Certificate(pki.leaf.pem).fingerprint.replaceAll(':', '').toLowerCase(),
      commonName: done.commonName,
      dnsNames: pki.leafSans.filter((san) => !/^[\d.]+$/.test(san)),
      notAfter: done.notAfter,
      accountId: account.id,
      accountName: account.name,
      cloud: account.cloud,
    });
  } finally {
    await vault.close();
  }
  expect(await history.markAbandoned(() => false)).toBe(1);

  await app.openScreen('uploads');
  const unknown = page.locator('tr[data-status="unknown"]');
  await expect(unknown).toHaveCount(1);
  await app.screenshot('history-unknown-en');
  await unknown.getByRole('button', { name: 'Check' }).click();
  await expect(page.locator('tr[data-status="unknown"]')).toHaveCount(0);
  await expect(page.locator('tr[data-status="uploaded"]')).toHaveCount(2);
});

test.describe('zh-CN', () => {
  test.use({ systemLocale: 'zh-CN' });

  test('upload dialog and history in Chinese', async ({ app, bridge, pki }) => {
    const { page } = app;
    const { entryId } = await seed(bridge.context, pki, '生产');
    clouds.aliyun.faults.inject({
      kind: 'error',
      operation: 'UploadUserCertificate',
      code: 'InvalidParameter',
      status: 400,
      message: 'The parameter Name is invalid.',
    });
    await openUploadDialog(app, entryId, '上传…');
    await chooseAllTargets(page);
    await app.screenshot('upload-preflight-zh-CN');
    setLatency(1500);
    await uploadDialog(page).getByRole('button', { name: '上传到 5 个账号' }).click();
    await expect(uploadDialog(page).locator('li[data-state="uploading"]').first()).toBeVisible();
    await app.screenshot('upload-progress-zh-CN');
    await expect(page.getByTestId('upload-summary')).toContainText('4 个成功，1 个失败', { timeout: 20_000 });
    await app.screenshot('upload-error-zh-CN');
    setLatency(0);
    await uploadDialog(page).getByRole('button', { name: '重试失败项（1）' }).click();
    await expect(page.getByTestId('upload-summary')).toContainText('完成', { timeout: 20_000 });
    await app.screenshot('upload-results-zh-CN');
    await uploadDialog(page).getByRole('button', { name: '关闭' }).last().click();

    await app.openScreen('uploads');
    await expect(page.locator('tr[data-history-id]')).toHaveCount(6);
    await app.screenshot('history-zh-CN');
    await page.getByText('按证书').click();
    await expect(page.locator(`[data-group-certificate="${entryId}"] [data-placements] .place`)).toHaveCount(cloudIds.length);
    await app.screenshot('history-certificate-zh-CN');
    await expectNoSecretAnywhere(page);
  });
});

// Pictures for a person to look at: the upload dialog at its plan, while running and with a
// cloud's refusal, and the history with its date filters, in both languages and both themes.
for (const locale of ['en', 'zh-CN'] as const satisfies readonly Locale[]) {
  for (const theme of ['light', 'dark'] as const) {
    test.describe(`screenshots ${locale} ${theme}`, () => {
      test.use({ systemLocale: locale, colorScheme: theme });
      const text = (key: MessageKey, params?: Record<string, string | number>) => translate(locale, key, params);
      const shot = `${locale === 'en' ? 'en' : 'zh'}-${theme}`;

      test('upload dialog: plan, running, a refusal; history with date filters', async ({ app, bridge, pki }) => {
        test.setTimeout(120_000);
        const { page } = app;
        const { entryId } = await seed(bridge.context, pki, 'prod');
        clouds.aliyun.faults.inject({ kind: 'error', operation: 'UploadUserCertificate', code: 'InvalidParameter', status: 400, message: 'The parameter Name is invalid.' });
        await openUploadDialog(app, entryId, text('ui.library.detail.upload'));
        const upload = uploadDialog(page);
        await chooseAllTargets(page);
        await app.screenshot(`rough-upload-plan-${shot}`);

        setLatency(1500);
        await upload.getByRole('button', { name: text('ui.uploads.uploadTo', { count: cloudIds.length }) }).click();
        await expect(upload.locator('li[data-state="uploading"] [data-detail]').first()).toBeVisible({ timeout: 10_000 });
        await app.screenshot(`rough-upload-running-${shot}`);
        await expect(upload.locator('li[data-state="failed"]')).toHaveCount(1, { timeout: 30_000 });
        await expect(page.getByTestId('upload-summary')).not.toContainText('…', { timeout: 30_000 });
        await upload.locator('li[data-state="failed"]').scrollIntoViewIfNeeded();
        await app.screenshot(`rough-upload-refused-${shot}`);
        await upload.getByRole('button', { name: text('ui.uploads.close') }).last().click();

        await app.openScreen('uploads');
        await expect(page.locator('tr[data-history-id]').first()).toBeVisible();
        const today = new Date().toISOString().slice(0, 10);
        await page.locator('input[data-filter="from"]').fill(locale === 'zh-CN' ? `${today.slice(0, 4)}年${Number(today.slice(5, 7))}月1日` : `${today.slice(0, 8)}01`);
        await page.locator('input[data-filter="to"]').fill('2099-13-01');
        await app.screenshot(`rough-history-${shot}`);
      });
    });
  }
}
