import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/core/ipc/dispatch';
import type { HandlerContext } from '../../../main/core/ipc/context';
import { osKeychain } from '../../../main/core/keychain';
import { vaultOf } from '../../../main/core/library';
import { makeLeaves } from '../uploads/certs';
import { importEntry, openApp, type TestApp } from '../uploads/harness';
import { assertThrowawayKeyring } from './keyring-guard';

// A compromised page calls library.resetDataKey with `{confirm: true}` exactly as the window does.
// Giving up the keys sealed with a lost data key cannot be undone, so only the user's answer in
// main's own dialog starts a new key: without it nothing changes, in the vault or the keychain.
assertThrowawayKeyring();

const secrets = osKeychain();
let app: TestApp;
let account: string;
/** What the user answers in main's dialog, and the key counts it showed them. */
let answer = false;
const asked: number[] = [];

/** A fresh handler context on the same data folder: the window after a restart, with main's dialog scripted. */
function page(): HandlerContext {
  return {
    ...app.ctx,
    dialogs: {
      ...app.ctx.dialogs,
      confirmDataKeyReset: async (sealedKeys) => {
        asked.push(sealedKeys);
        return answer;
      },
    },
  };
}

const keychainEvents = () => app.events.filter((e) => e.name === 'library.changed' && (e.payload as { reason: string }).reason === 'keychain');

beforeAll(async () => {
  app = openApp();
  const leaf = makeLeaves(1, { rsa: true, prefix: 'reset' })[0]!;
  await importEntry(app, leaf.fullchain + leaf.key);
  account = `vault-data-key:${await vaultOf(app.ctx).vaultId()}`;
}, 60_000);

afterAll(async () => {
  await secrets.delete(account);
  app.close();
});

describe('starting a new data key through IPC', () => {
  it('asks nothing while the data key works', async () => {
    answer = true;
    const result = await dispatch(page(), 'library.resetDataKey', { confirm: true });
    expect(result).toMatchObject({ ok: false, error: { code: 'keychain.reset_not_needed' } });
    expect(asked).toEqual([]);
  });

  it('after the key was lost: a no in main\'s dialog refuses the page\'s request and changes nothing', async () => {
    expect(await secrets.delete(account)).toBe(true);
    answer = false;
    const ctx = page();
    const result = await dispatch(ctx, 'library.resetDataKey', { confirm: true });
    expect(result).toEqual({
      ok: false,
      error: expect.objectContaining({ code: 'keychain.reset_cancelled', message: expect.stringMatching(/^No new data key was started: it was not confirmed\. Nothing changed/) }),
    });
    expect(asked).toEqual([1]);
    expect(await secrets.get(account)).toBeNull();
    expect(keychainEvents()).toEqual([]);
    expect(await dispatch(page(), 'library.status', {})).toEqual({ ok: true, value: { dataKey: 'missing', sealedKeys: 1, retiredKeys: 0 } });
  });

  it('a yes starts the new key and tells the window', async () => {
    answer = true;
    const result = await dispatch(page(), 'library.resetDataKey', { confirm: true });
    expect(result).toEqual({ ok: true, value: { dataKey: 'ready', sealedKeys: 0, retiredKeys: 1 } });
    expect(asked).toEqual([1, 1]);
    expect(await secrets.get(account)).not.toBeNull();
    expect(keychainEvents()).toHaveLength(1);
  });
});
