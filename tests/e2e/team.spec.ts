import fs from 'node:fs';
import path from 'node:path';
import type { Page } from '@playwright/test';
import { locales, translate, type Locale, type MessageKey } from '../../shared/i18n';
import type { ErrorParams } from '../../shared/errors';
import { memberSelf } from '../../main/core/team/member-self';
import { joinTeam, listMembers, roster } from '../../main/core/team/membership';
import { startPgCluster, type PgCluster } from '../support/pg-cluster';
import { asSuperuser, createDatabases } from '../support/pg-superuser';
import { pageText, recordIpc } from './fixtures/clouds';
import { expect, test as base } from './fixtures/test';
import { expectNoAxeViolations, TeamComputers } from './fixtures/team-world';

// The Team screen against a throwaway PostgreSQL cluster this spec starts: Alice creates a team
// vault in the window (her keys in the throwaway OS keychain of scripts/with-keyring.sh), Bob asks
// to join through the core service from a second home with an in-memory keychain, Alice approves
// him after comparing the phrase, rejects Carl's request, makes Bob a viewer (the key rotates), removes him (with the warning), and verifies the audit log, which
// is then tampered with in the database and must fail. In both languages; axe on every state, and a
// screenshot of each.

const test = base.extend({
  bridge: async ({ bridge, page }, use) => {
    await recordIpc(page);
    await use(bridge);
  },
});

let cluster: PgCluster;
const computers = new TeamComputers('team');
const computer = (machine: string) => computers.computer(machine);

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await startPgCluster();
});
test.afterAll(async () => {
  await cluster.stop();
  computers.removeAll();
});



async function ipcAnswers(page: Page): Promise<string> {
  return page.evaluate(() => (window as unknown as { __ipcLog: string[] }).__ipcLog.join('\n'));
}

for (const locale of locales) {
  test.describe(locale, () => {
    test.use({ systemLocale: locale });

    test('create a team vault, approve a join request by its phrase, remove a member, verify the audit log', async ({ app, bridge, page }) => {
      test.setTimeout(180_000);
      const tr = (key: MessageKey, params?: ErrorParams) => translate(locale as Locale, key, params);
      const database = `team_${locale.replace('-', '_').toLowerCase()}`;
      const vaultName = `ops-${locale.toLowerCase()}`;
      await createDatabases(cluster, [database]);
      const passwordless = `postgres://postgres@127.0.0.1:${cluster.port}/${database}`;
      const shoot = async (name: string) => {
        await expectNoAxeViolations(page, name);
        const file = await app.screenshot(`team-${name}-${locale}`);
        expect(fs.existsSync(file)).toBe(true);
      };

      // No team vault yet: the empty state, and the title bar on the local vault.
      await app.openScreen('team');
      const titleBar = page.getByLabel(tr('ui.vault.label'));
      await expect(titleBar).toHaveValue('local');
      await expect(page).toHaveTitle(tr('ui.vault.windowTitle', { vault: tr('ui.vault.local') }));
      await expect(page.locator('[data-empty]')).toBeVisible();
      await shoot('empty');

      // Set-up: URL without the password, the password in its own field, sslmode disable (loopback).
      await page.locator('[data-empty]').getByRole('button', { name: tr('ui.team.create') }).click();
      const setUp = page.locator('dialog[data-dialog="team-setup"]');
      await setUp.getByLabel(tr('ui.team.setup.url')).fill(passwordless);
      await setUp.getByLabel(tr('ui.team.setup.password')).fill(cluster.password);
      await setUp.getByLabel(tr('ui.team.setup.name')).fill(vaultName);
      await setUp.getByLabel(tr('ui.team.setup.memberName')).fill('Alice');
      await setUp.getByLabel(tr('ui.team.setup.sslmode')).selectOption('disable');
      await shoot('setup');
      await setUp.getByRole('button', { name: tr('ui.team.setup.submitCreate') }).click();
      await expect(setUp).toBeHidden();
      await expect(page.getByRole('status').filter({ hasText: tr('ui.team.created', { name: vaultName }) })).toBeVisible();
      await expect(titleBar).toHaveValue(vaultName);
      await expect(page).toHaveTitle(tr('ui.vault.windowTitle', { vault: tr('ui.vault.team', { name: vaultName }) }));
      await expect(page.locator('[data-self="member"]')).toHaveText(tr('ui.team.self.member', { name: 'Alice', role: tr('ui.team.role.admin') }));
      await expect(page.locator('[data-section="team-requests"]')).toContainText(tr('ui.team.requests.empty'));

      // Bob, on another computer, asks to join; his phrase is what he reads to Alice.
      const bob = computer('bob-laptop');
      const request = await joinTeam(bob, { url: cluster.url({ database, query: 'sslmode=disable' }), name: 'ops', memberName: 'Bob' });
      // No refresh: the window hears of the request through LISTEN/NOTIFY.
      const pending = page.locator('li[data-request="Bob"]');
      await expect(pending.locator('[data-phrase]')).toHaveAttribute('data-phrase', request.fingerprintPhrase);
      await expect(pending).toContainText(request.fingerprintPhrase.split(' ')[0]!);
      await shoot('requests');

      // Approve only after saying the phrases match; the role's consequences are spelled out.
      await pending.getByRole('button', { name: tr('ui.team.requests.review') }).click();
      const approve = page.locator('dialog[data-dialog="team-approve"]');
      await expect(approve.locator('[data-phrase]')).toHaveAttribute('data-phrase', request.fingerprintPhrase);
      await expect(approve).toContainText(tr('ui.team.role.viewer.hint'));
      const approveButton = approve.getByRole('button', { name: tr('ui.team.approve.submit'), exact: true });
      await expect(approveButton).toBeDisabled();
      await approve.getByLabel(tr('ui.team.role.operator')).check();
      await approve.getByLabel(tr('ui.team.approve.match', { member: 'Bob' })).check();
      await shoot('approve');
      await approveButton.click();
      await expect(approve).toBeHidden();
      await expect(page.getByRole('status').filter({ hasText: tr('ui.team.approved', { member: 'Bob', role: tr('ui.team.role.operator') }) })).toBeVisible();
      const bobRow = page.locator('tr[data-member="Bob"]');
      await expect(bobRow).toContainText(tr('ui.team.role.operator'));
      await expect(page.locator('[data-section="team-requests"]')).toContainText(tr('ui.team.requests.empty'));
      // Bob's own computer sees him admitted as what Alice chose.
      expect((await listMembers(bob, 'ops')).find((member) => member.name === 'Bob')).toMatchObject({ role: 'operator', status: 'active' });
      await page.locator('[data-section="team-members"]').scrollIntoViewIfNeeded();
      await shoot('members');

      // Carl asks to join; Alice does not know him and rejects the request. His app says so.
      const carl = computer('carl-box');
      await joinTeam(carl, { url: cluster.url({ database, query: 'sslmode=disable' }), name: 'ops', memberName: 'Carl' });
      const carlsRequest = page.locator('li[data-request="Carl"]');
      await carlsRequest.getByRole('button', { name: tr('ui.team.requests.rejectLabel', { member: 'Carl' }) }).click();
      await expect(page.getByRole('status').filter({ hasText: tr('ui.team.rejected', { member: 'Carl' }) })).toBeVisible();
      await expect(carlsRequest).toHaveCount(0);
      const carlsView = await roster(carl, 'ops');
      expect(await memberSelf(carl, 'ops', carlsView.members, carlsView.ownRequest)).toEqual({ state: 'rejected' });

      // Bob made a viewer: the dialog says the key is rotated and that he may have copied keys.
      await bobRow.getByRole('button', { name: tr('ui.team.members.changeRoleLabel', { name: 'Bob' }) }).click();
      const roleDialog = page.locator('dialog[data-dialog="team-role"]');
      await expect(roleDialog.getByRole('button', { name: tr('ui.team.roleChange.submit') })).toBeDisabled();
      await roleDialog.getByLabel(tr('ui.team.role.viewer')).check();
      await expect(roleDialog.locator('[data-role-warning]')).toHaveText(tr('ui.team.roleChange.demoteWarning', { name: 'Bob' }));
      await shoot('role');
      await roleDialog.getByRole('button', { name: tr('ui.team.roleChange.submitRotate') }).click();
      await expect(roleDialog).toBeHidden();
      await expect(page.getByRole('status').filter({ hasText: tr('ui.team.roleChangedRotated', { name: 'Bob', role: tr('ui.team.role.viewer'), version: 2 }) })).toBeVisible();
      await expect(bobRow).toContainText(tr('ui.team.role.viewer'));

      // Remove, with the plain warning that removal cannot take back what was copied.
      await bobRow.getByRole('button', { name: tr('ui.team.members.removeLabel', { name: 'Bob' }) }).click();
      const remove = page.locator('dialog[data-dialog="team-remove"]');
      await expect(remove.locator('[data-remove-warning]')).toHaveText(tr('ui.team.remove.warning'));
      await shoot('remove');
      await remove.getByRole('button', { name: tr('ui.team.remove.submit') }).click();
      await expect(remove).toBeHidden();
      await expect(page.getByRole('status').filter({ hasText: tr('ui.team.removed', { name: 'Bob', version: 3 }) })).toBeVisible();
      await expect(bobRow).toHaveAttribute('data-status', 'removed');
      await expect(bobRow.getByRole('button')).toHaveCount(0);

      // The audit log: create, request, approve, request, reject, role, remove; its chain verifies.
      const audit = page.locator('[data-section="team-audit"]');
      await expect(audit.locator('tbody tr')).toHaveCount(7);
      await expect(audit.locator('tbody tr').nth(2)).toContainText(tr('ui.team.audit.action.member.approve'));
      await audit.getByRole('button', { name: tr('ui.team.audit.verify') }).click();
      await expect(audit.locator('tbody tr').nth(5)).toContainText(tr('ui.team.audit.action.member.role'));
      await expect(audit.locator('[data-audit-verdict="ok"]')).toHaveText(tr('ui.team.audit.verified', { count: 7 }));
      await audit.scrollIntoViewIfNeeded();
      await shoot('audit');

      // Someone with database access rewrites a row behind the app's back: verification names it.
      await asSuperuser(cluster, database, [
        'ALTER TABLE audit_log DISABLE TRIGGER USER',
        `UPDATE audit_log SET member_name = 'Mallory' WHERE seq = 3`,
        'ALTER TABLE audit_log ENABLE TRIGGER USER',
      ]);
      await audit.getByRole('button', { name: tr('ui.team.audit.verify') }).click();
      const tampered = audit.locator('[data-audit-verdict="tampered"]');
      await expect(tampered).toContainText(tr('ui.team.audit.tampered'));
      await expect(tampered).toContainText(tr('error.team.audit_row_changed', { seq: 3 }));
      await shoot('audit-tampered');

      // Switching in the title bar: the local vault, then back.
      await titleBar.selectOption('local');
      await expect(page).toHaveTitle(tr('ui.vault.windowTitle', { vault: tr('ui.vault.local') }));
      await expect(page.locator('[data-local]')).toContainText(vaultName);
      await shoot('local');
      await page.locator('[data-local]').getByRole('button', { name: tr('ui.team.use', { name: vaultName }) }).click();
      await expect(titleBar).toHaveValue(vaultName);
      await expect(page.locator('[data-self="member"]')).toBeVisible();

      // The database password went in once and never came back: not in any answer, not in the page.
      expect(await ipcAnswers(page)).not.toContain(cluster.password);
      expect(await pageText(page)).not.toContain(cluster.password);
      expect(fs.readFileSync(path.join(bridge.dataDir, 'team-vaults.json'), 'utf8')).not.toContain(cluster.password);
    });
  });
}
