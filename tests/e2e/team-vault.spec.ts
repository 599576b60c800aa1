import fs from 'node:fs';
import { locales, translate, type Locale, type MessageKey } from '../../shared/i18n';
import type { ErrorParams } from '../../shared/errors';
import { dispatch } from '../../main/core/ipc/dispatch';
import { osKeychain } from '../../main/core/keychain';
import { approveRequest, changeRole, createTeam, joinTeam, removeMember } from '../../main/core/team/membership';
import type { TeamEnvironment } from '../../main/core/team/session';
import { contextOnVault } from '../../main/core/team/vault-switch';
import { testHandlerContext } from '../unit/electron/handler-context';
import { startPgCluster, type PgCluster } from '../support/pg-cluster';
import { createDatabases } from '../support/pg-superuser';
import { expect, test } from './fixtures/test';
import { expectNoAxeViolations, TeamComputers } from './fixtures/team-world';

// The window on a team vault: Ann (admin, another computer) imports a certificate with its key
// into the team vault; this window's computer joins and is approved as a viewer. Switching in the
// title bar shows the team's library; a key action says this computer holds no team key, because
// a viewer is never given one, and nothing that changes the vault is offered, with the reason.
// Ann then makes this member an operator, then removes it: the open window follows each without
// being reopened.
// In both languages; axe and a screenshot of each state.

let cluster: PgCluster;
const computers = new TeamComputers('vault');
const computer = (machine: string) => computers.computer(machine);

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await startPgCluster();
});
test.afterAll(async () => {
  await cluster.stop();
  computers.removeAll();
});



for (const locale of locales) {
  test.describe(locale, () => {
    test.use({ systemLocale: locale });

    test("switch to a team vault: its library is the team's, and a viewer holds no team key", async ({ app, bridge, page, pki }) => {
      test.setTimeout(180_000);
      const tr = (key: MessageKey, params?: ErrorParams) => translate(locale as Locale, key, params);
      const database = `vault_${locale.replace('-', '_').toLowerCase()}`;
      await createDatabases(cluster, [database]);
      const url = cluster.url({ database, query: 'sslmode=disable' });
      const shoot = async (name: string) => {
        await expectNoAxeViolations(page, name);
        expect(fs.existsSync(await app.screenshot(`team-vault-${name}-${locale}`))).toBe(true);
      };

      // Ann's computer: the team, and a certificate with its key in the team's library.
      const ann = computer('ann-laptop');
      await createTeam(ann, { url, name: 'ops', memberName: 'Ann' });
      const annWindow = await contextOnVault(testHandlerContext({ dataDir: ann.dataDir, secrets: () => ann.secrets, now: ann.now }), 'ops');
      try {
        const material = pki.leaf.pem + fs.readFileSync(pki.leafKeyFile, 'utf8');
        const imported = await dispatch(annWindow.ctx, 'library.importContent', { files: [{ name: 'shop.pem', data: new TextEncoder().encode(material) }] });
        expect(imported.ok ? null : imported.error).toBeNull();
      } finally {
        await annWindow.close();
      }

      // This window's computer asks to join; Ann approves it as a viewer.
      const here: TeamEnvironment = { dataDir: bridge.dataDir, secrets: osKeychain(), now: () => new Date() };
      const request = await joinTeam(here, { url, name: 'ops', memberName: 'Vic' });
      await approveRequest(ann, 'ops', { requestId: request.requestId, role: 'viewer', phrase: request.fingerprintPhrase });

      // The local library is empty; the title bar switches to the team vault, whose library has Ann's entry.
      await page.reload();
      await app.openScreen('library');
      await expect(page.getByTestId('library-empty')).toBeVisible();
      const titleBar = page.getByLabel(tr('ui.vault.label'));
      await titleBar.selectOption('ops');
      await expect(page).toHaveTitle(tr('ui.vault.windowTitle', { vault: tr('ui.vault.team', { name: 'ops' }) }));
      const list = page.getByTestId('library-list');
      await expect(list).toHaveAttribute('data-total', '1');
      await expect(list).toContainText(pki.leaf.commonName);

      // A key action: the notice says why, and the key cannot be chosen for export.
      const notice = page.locator('[data-keychain="no-team-key"]');
      await expect(notice).toContainText(tr('ui.library.keychain.noTeamKey.title'));
      await expect(notice).toContainText(tr('ui.library.keychain.noTeamKey.body', { team: 'ops' }));
      await shoot('library');
      await list.locator('[role="row"][data-entry-id]').first().click();
      const detail = page.getByTestId('library-detail');
      await detail.getByRole('button', { name: tr('ui.library.detail.export') }).click();
      const dialog = page.locator('dialog[data-dialog="library-export"]');
      await expect(dialog.getByRole('radio', { name: new RegExp(`^${tr('ui.library.export.key').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`) })).toBeDisabled();
      await shoot('export');
      await dialog.getByRole('button', { name: tr('ui.library.cancel') }).click();

      // Nothing that changes the vault is offered to a viewer: disabled, and saying why.
      const viewerReason = tr('ui.access.viewer', { team: 'ops' });
      const importFiles = page.getByRole('button', { name: tr('ui.library.import.files') });
      await expect(importFiles).toBeDisabled();
      await expect(importFiles).toHaveAttribute('title', viewerReason);
      await expect(page.getByRole('button', { name: tr('ui.library.import.paste') })).toBeDisabled();
      await expect(page.getByTestId('access-note')).toHaveText(viewerReason);
      for (const action of ['ui.library.detail.deploy', 'ui.library.detail.delete', 'ui.library.detail.upload'] as const) {
        await expect(detail.getByRole('button', { name: tr(action) })).toBeDisabled();
      }
      await expect(detail.getByLabel(tr('ui.library.edit.name'), { exact: true })).toHaveAttribute('readonly', '');
      // Its keys are the team's, sealed with a key a viewer never receives: not "lost".
      const keyLine = detail.locator('[data-key-state]').first();
      await expect(keyLine).toHaveAttribute('data-key-state', 'team-only');
      await expect(keyLine).toHaveText(tr('ui.library.detail.key.teamOnly', { team: 'ops' }));
      await shoot('viewer');

      // Ann makes this member an operator; the open window follows, without being reopened.
      await changeRole(ann, 'ops', request.requestId, 'operator');
      await expect(importFiles).toBeEnabled({ timeout: 15_000 });
      await expect(page.getByTestId('access-note')).toHaveCount(0);
      await expect(detail.getByRole('button', { name: tr('ui.library.detail.deploy') })).toBeEnabled();
      // Given the team key with the role: the library no longer says this computer holds none.
      await expect(notice).toHaveCount(0);
      await expect(keyLine).toHaveAttribute('data-key-state', 'sealed');
      await shoot('operator');

      // Ann removes this member: the open window says so, by whom, in place of the library, and goes back to the local vault from there.
      await removeMember(ann, 'ops', request.requestId);
      const removed = page.getByTestId('removed-from-team');
      await expect(removed).toContainText(tr('ui.access.removedTitle', { team: 'ops' }), { timeout: 15_000 });
      await expect(removed).toContainText(tr('error.team.member_removed', { team: 'ops', by: 'Ann' }));
      await shoot('removed');
      await removed.getByRole('button', { name: tr('ui.access.removedUseLocal') }).click();
      await expect(titleBar).toHaveValue('local');
      await expect(page.getByTestId('library-empty')).toBeVisible();
    });
  });
}
