import fs from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import { locales, translate, type Locale, type MessageKey } from '../../shared/i18n';
import type { ErrorParams } from '../../shared/errors';
import { osKeychain } from '../../main/core/keychain';
import { createTeam } from '../../main/core/team/membership';
import { startPgCluster, type PgCluster } from '../support/pg-cluster';
import { createDatabases } from '../support/pg-superuser';
import { expect, test } from './fixtures/test';

// The title bar of a team vault whose server goes away: it says in words that the vault is
// offline and read-only, and from when the copy is, and the Overview's Sync accounts is disabled
// with the same reason; the Team screen says its members and audit log need the server; when the
// server is back it says nothing again and the Team screen reads the server, by itself. The team vault is set up through the core service in the window's data
// folder (its password in the throwaway keychain of scripts/with-keyring.sh), then chosen in the title bar.

let cluster: PgCluster;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await startPgCluster();
});
test.afterAll(async () => {
  await cluster.stop();
});

const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

for (const locale of locales) {
  test.describe(locale, () => {
    test.use({ systemLocale: locale });

    test('the title bar says when the team vault is offline and read-only, and when it is back', async ({ app, bridge, page }) => {
      test.setTimeout(120_000);
      const tr = (key: MessageKey, params?: ErrorParams) => translate(locale as Locale, key, params);
      /** `key`'s text with any clock time as its `{copyAt}`. */
      const withClock = (key: MessageKey, params: ErrorParams = {}) => {
        const [before, after] = tr(key, { ...params, copyAt: '\u0000' }).split('\u0000').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
        return new RegExp(`^${before}\\d{2}:\\d{2}${after}$`);
      };
      const database = `offline_${locale.replace('-', '_').toLowerCase()}`;
      await createDatabases(cluster, [database]);
      const env = { dataDir: bridge.dataDir, secrets: osKeychain(), now: () => new Date(), machine: 'e2e' };
      await createTeam(env, { url: cluster.url({ database, query: 'sslmode=disable' }), name: 'ops', memberName: 'Alice' });
      // Reloaded to list the new vault; chosen in the title bar, as a user would (main opens it then).
      await page.reload();
      await page.getByLabel(tr('ui.vault.label')).selectOption('ops');
      await expect(page.getByLabel(tr('ui.vault.label'))).toHaveValue('ops');
      const badge = page.getByTestId('vault-offline');
      // Opened, its first copy taken: only then is there a copy to fall back on.
      await expect(page.locator('[data-vault-status="online"]')).toBeVisible({ timeout: 30_000 });
      await expect(badge).toHaveCount(0);

      await cluster.halt();
      try {
        await expect(badge).toBeVisible({ timeout: 30_000 });
        await expect(badge).toHaveText(withClock('ui.vault.offline'));
        await expect(badge).toHaveAttribute('title', new RegExp(`127\\.0\\.0\\.1:${cluster.port}`));
        const { violations } = await new AxeBuilder({ page }).withTags(tags).options({ resultTypes: ['violations'] }).analyze();
        expect(violations.map((violation) => violation.id)).toEqual([]);
        expect(fs.existsSync(await app.screenshot(`team-offline-${locale}`))).toBe(true);

        await app.openScreen('overview');
        const sync = page.getByRole('button', { name: tr('ui.overview.sync') });
        const reason = withClock('ui.access.offline', { team: 'ops' });
        await expect(sync).toBeDisabled();
        await expect(sync).toHaveAttribute('title', reason);
        await expect(page.getByTestId('access-note')).toHaveText(reason);
        const overviewAxe = await new AxeBuilder({ page }).withTags(tags).options({ resultTypes: ['violations'] }).analyze();
        expect(overviewAxe.violations.map((violation) => violation.id)).toEqual([]);
        expect(fs.existsSync(await app.screenshot(`team-offline-overview-${locale}`))).toBe(true);

        // Members and the audit log are on the server only: the Team screen says so, not a read error.
        await app.openScreen('team');
        const teamOffline = page.getByTestId('team-offline');
        await expect(teamOffline).toBeVisible();
        await expect(teamOffline.getByRole('heading')).toHaveText(tr('ui.team.offline.title'));
        await expect(teamOffline).toContainText(`127.0.0.1:${cluster.port}`);
        await expect(page.locator('[data-section="team-members"]')).toHaveCount(0);
        await expect(app.errorBanner).toHaveCount(0);
        const teamAxe = await new AxeBuilder({ page }).withTags(tags).options({ resultTypes: ['violations'] }).analyze();
        expect(teamAxe.violations.map((violation) => violation.id)).toEqual([]);
        expect(fs.existsSync(await app.screenshot(`team-offline-team-${locale}`))).toBe(true);
      } finally {
        await cluster.start();
      }
      await expect(page.locator('[data-vault-status="online"]')).toBeVisible({ timeout: 30_000 });
      await expect(badge).toHaveCount(0);
      // Back online, the Team screen reads the server by itself.
      await expect(page.getByTestId('team-offline')).toHaveCount(0);
      await expect(page.locator('[data-section="team-members"]')).toContainText('Alice');
      await app.openScreen('overview');
      await expect(page.getByRole('button', { name: tr('ui.overview.sync') })).toBeEnabled();
    });
  });
}
