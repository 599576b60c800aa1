import fs from 'node:fs';
import { locales, translate, type Locale, type MessageKey } from '../../shared/i18n';
import type { ErrorParams } from '../../shared/errors';
import { dispatch } from '../../main/core/ipc/dispatch';
import { osKeychain } from '../../main/core/keychain';
import { approveRequest, createTeam, joinTeam } from '../../main/core/team/membership';
import type { TeamEnvironment } from '../../main/core/team/session';
import { contextOnVault } from '../../main/core/team/vault-switch';
import { testHandlerContext } from '../unit/electron/handler-context';
import { startPgCluster, type PgCluster } from '../support/pg-cluster';
import { createDatabases } from '../support/pg-superuser';
import { defaultCredentials } from '../emulators/credentials';
import type { RunningEmulator } from '../emulators/server';
import { startTencentEmulator } from '../emulators/tencent';
import { expect, test } from './fixtures/test';
import { expectNoAxeViolations, TeamComputers } from './fixtures/team-world';

// The accounts screen of a team vault's admin: "Shared with the team" in the account form, with
// its one-line explanation; an account shared through it is marked Shared, and an operator's
// personal account is marked as that member's. In both languages; axe and a screenshot of each.

let cluster: PgCluster;
let tencent: RunningEmulator;
const computers = new TeamComputers('shared');

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await startPgCluster();
  tencent = await startTencentEmulator();
});
test.afterAll(async () => {
  await tencent.close();
  await cluster.stop();
  computers.removeAll();
});


const secret = defaultCredentials.tencent;

for (const locale of locales) {
  test.describe(locale, () => {
    test.use({ systemLocale: locale });

    test('an admin shares an account with the team; a member’s personal account names its owner', async ({ app, bridge, page }) => {
      test.setTimeout(180_000);
      const tr = (key: MessageKey, params?: ErrorParams) => translate(locale as Locale, key, params);
      const database = `shared_${locale.replace('-', '_').toLowerCase()}`;
      await createDatabases(cluster, [database]);
      const url = cluster.url({ database, query: 'sslmode=disable' });
      const shoot = async (name: string) => {
        await expectNoAxeViolations(page, name);
        expect(fs.existsSync(await app.screenshot(`shared-accounts-${name}-${locale}`))).toBe(true);
      };

      // This window's computer creates the team (its admin); Bob, an operator, adds a personal account.
      const here: TeamEnvironment = { dataDir: bridge.dataDir, secrets: osKeychain(), now: () => new Date() };
      await createTeam(here, { url, name: 'ops', memberName: 'Ann' });
      const bob = computers.computer('bob-desktop');
      const request = await joinTeam(bob, { url, name: 'ops', memberName: 'Bob' });
      await approveRequest(here, 'ops', { requestId: request.requestId, role: 'operator', phrase: request.fingerprintPhrase });
      const bobWindow = await contextOnVault(testHandlerContext({ dataDir: bob.dataDir, secrets: () => bob.secrets, now: bob.now }), 'ops');
      try {
        const saved = await dispatch(bobWindow.ctx, 'accounts.save', { cloud: 'tencent', name: 'bob-own', secret });
        expect(saved.ok ? null : saved.error).toBeNull();
      } finally {
        await bobWindow.close();
      }

      await page.reload();
      await page.getByLabel(tr('ui.vault.label')).selectOption('ops');
      await app.openScreen('accounts');
      const personal = page.locator('li[data-account="bob-own"]');
      await expect(personal.locator('[data-owner="Bob"]')).toHaveText(tr('ui.accounts.badge.personal', { member: 'Bob' }));
      await expect(personal.locator('[data-secret-stored]')).toHaveCount(0);

      await page.getByRole('button', { name: tr('ui.accounts.add') }).first().click();
      const form = page.locator('dialog[data-dialog="account"]');
      const toggle = form.getByRole('checkbox', { name: tr('ui.accounts.secret.shared') });
      await expect(toggle).not.toBeChecked();
      await expect(toggle).toHaveAccessibleDescription(tr('ui.accounts.secret.shared.hint'));
      await form.locator('input[name="name"]').fill('team-tencent');
      await form.locator('input[name="endpoint"]').fill(tencent.url);
      await form.locator('input[name="access-key-id"]').fill(secret.accessKeyId);
      await form.locator('input[name="access-key-secret"]').fill(secret.accessKeySecret);
      await expect(form).toContainText(tr('ui.accounts.secret.note'));
      await toggle.check();
      // The secret goes to the team vault now: the keychain line would say otherwise.
      await expect(form).not.toContainText(tr('ui.accounts.secret.note'));
      await shoot('form');
      await form.locator('button[type="submit"]').click();
      await expect(form).toBeHidden();

      const sharedCard = page.locator('li[data-account="team-tencent"]');
      await expect(sharedCard.locator('[data-shared]')).toHaveText(tr('ui.accounts.badge.shared'));
      await expect(sharedCard.locator('[data-secret-stored]')).toBeVisible();
      expect(await page.locator('body').innerText()).not.toContain(secret.accessKeySecret);
      await shoot('list');
      await page.getByLabel(tr('ui.vault.label')).selectOption('local');
    });
  });
}
