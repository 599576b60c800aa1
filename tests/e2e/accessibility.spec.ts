import fs from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from '@playwright/test';
import { locales } from '../../shared/i18n';
import { importLibraryEntry, saveAccount } from './fixtures/clouds';
import { screenStates, textIn, type StateWalk } from './fixtures/screen-states';
import { expect, test } from './fixtures/test';
import type { RunningEmulator } from '../emulators/server';
import { startAliyunEmulator } from '../emulators/aliyun';
import { startTencentEmulator } from '../emulators/tencent';
import { defaultCredentials } from '../emulators/credentials';
import { seedResource } from '../emulators/seed';

// The accessibility gate: axe-core (WCAG 2.0/2.1 A and AA plus best practice) over every screen
// state in fixtures/screen-states.ts, in both languages and both themes. One page per language and
// theme walks the states in order; every violation of every state is reported together.

// The four language and theme walks are independent: two workers share them.
test.describe.configure({ mode: 'parallel' });

const tags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'];

let emulators: { tencent: RunningEmulator; aliyun: RunningEmulator };
test.beforeAll(async () => {
  emulators = { tencent: await startTencentEmulator(), aliyun: await startAliyunEmulator() };
});
test.afterEach(() => {
  for (const emulator of Object.values(emulators)) emulator.state.reset();
});
test.afterAll(async () => {
  await Promise.all(Object.values(emulators).map((emulator) => emulator.close()));
});

async function violationsOf(page: Page, state: string): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(tags).options({ resultTypes: ['violations'] }).analyze();
  return violations.flatMap((violation) =>
    violation.nodes.map((node) => `${state}: ${violation.id} (${violation.impact ?? 'n/a'}) at ${node.target.join(' ')}: ${node.failureSummary ?? violation.help}`),
  );
}

for (const locale of locales) {
  for (const theme of ['light', 'dark'] as const) {
    test.describe(`${locale} ${theme}`, () => {
      test.use({ systemLocale: locale, colorScheme: theme });

      test('axe finds no violation in any screen state', async ({ app, bridge, pki }) => {
        // About twenty-five axe scans; generous, because a busy 2-core machine makes each one slow.
        test.setTimeout(360_000);
        const walk: StateWalk = {
          app,
          pki,
          text: textIn(locale),
          addAccounts: async () => {
            await saveAccount(bridge.context, 'tencent', 'tencent-prod', emulators.tencent.url);
            await saveAccount(bridge.context, 'aliyun', 'aliyun-prod', emulators.aliyun.url);
          },
          seedRenewal: async () => {
            const key = fs.readFileSync(pki.leafKeyFile, 'utf8');
            const renewal = await importLibraryEntry(bridge.context, [pki.renewedLeaf.pem, pki.intermediate.pem, key].join(''));
            const state = emulators.tencent.state;
            const account = defaultCredentials.tencent.accessKeyId;
            const leaf = state.store.find(account, () => true);
            if (!leaf) throw new Error('the walk uploads the leaf to tencent-prod before the deploy states');
            seedResource(state, { account, certificateId: leaf.id, type: 'cdn', region: '', instance: { Domain: 'www.example.test', CertId: leaf.id, Status: 'online', HttpsBillingSwitch: 'on' } });
            // Discovery and the update answer at once; the deploy task runs for one poll.
            state.taskPollsBeforeDone = 0;
            state.deploy.preparingCalls = 0;
            return renewal;
          },
        };
        const found: string[] = [];
        for (const state of screenStates) {
          await test.step(state.name, async () => {
            await state.enter(walk);
            await expect(app.page.locator('html')).toHaveAttribute('data-theme', theme);
            found.push(...(await violationsOf(app.page, state.name)));
            if (state.screenshot) await app.screenshot(`a11y-${state.screenshot}-${locale}-${theme}`);
          });
        }
        expect(found).toEqual([]);
      });
    });
  }
}
