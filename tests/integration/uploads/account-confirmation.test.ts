import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Result } from '../../../shared/errors';
import type { CloudAccount } from '../../../shared/uploads';
import type { AccountIdentity } from '../../../main/core/accounts/account-confirmation';
import { dispatch } from '../../../main/core/ipc/dispatch';
import type { HandlerContext } from '../../../main/core/ipc/context';
import { assertThrowawayKeyring } from '../vault/keyring-guard';
import { makeLeaves } from './certs';
import { accountInput, importEntry, openApp, resetClouds, startClouds, stopClouds, waitForJob, type Clouds, type TestApp } from './harness';

// A page taken over by a hostile certificate field calls IPC exactly as the window does. It can add
// an account with its own key pair, but a private key goes there only after the user agreed in a
// main-process dialog showing that account's cloud, key id and endpoint; and agreeing again is
// needed after the secret or the endpoint changes.
assertThrowawayKeyring();

const ATTACKER = { accessKeyId: 'AKIDEXAMPLE0000000000000000000000000', accessKeySecret: 'SECRETKEYEXAMPLE00000000000000000' };

let clouds: Clouds;
let app: TestApp;
let ctx: HandlerContext;
let entryId: string;
/** What the user answers to the next dialogs, and what they were shown. */
let answer = false;
const shown: { name: string; identity: AccountIdentity }[] = [];

beforeAll(async () => {
  clouds = await startClouds();
  app = openApp();
  ctx = {
    ...app.ctx,
    dialogs: {
      ...app.ctx.dialogs,
      confirmAccount: async (account, identity) => {
        shown.push({ name: account.name, identity });
        return answer;
      },
    },
  };
  const leaf = makeLeaves(1, { rsa: true, prefix: 'confirm' })[0]!;
  entryId = await importEntry(app, leaf.fullchain + leaf.key);
}, 60_000);

afterAll(async () => {
  await stopClouds(clouds);
  app.close();
});

function value<T>(result: Result<unknown>): T {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.value as T;
}

async function upload(accountId: string): Promise<Result<unknown>> {
  const started = await dispatch(ctx, 'uploads.start', { certificateId: entryId, targets: [{ accountId }], force: true });
  if (started.ok) await waitForJob(app, (started.value as { jobId: string }).jobId);
  return started;
}

const stored = () => clouds.tencent.state.store.list().length;

describe('a private key goes only to an account the user confirmed', () => {
  let account: CloudAccount;

  it('a page that adds an account with its own key pair and starts an upload is refused, and nothing is sent', async () => {
    resetClouds(clouds);
    answer = false;
    account = value<CloudAccount>(await dispatch(ctx, 'accounts.save', { ...accountInput('tencent', 'looks-legit', clouds.tencent.url), secret: ATTACKER }));
    // The user was asked, by main, with what decides where keys land, and said no.
    expect(shown.at(-1)).toEqual({ name: 'looks-legit', identity: { cloud: 'tencent', keyId: ATTACKER.accessKeyId, endpoint: clouds.tencent.url } });
    expect(account.confirmed).toBe(false);

    const refused = await upload(account.id);
    expect(refused).toEqual({ ok: false, error: expect.objectContaining({ code: 'account.not_confirmed', params: { name: 'looks-legit' } }) });
    expect(refused.ok ? '' : refused.error.message).toMatch(/Open Accounts and choose "Confirm"/);
    expect(stored()).toBe(0);
    expect(clouds.tencent.state.calls).toEqual([]);
  });

  it('no request field lets the page mark an account confirmed', async () => {
    const sneaky = await dispatch(ctx, 'accounts.save', { ...accountInput('tencent', 'looks-legit', clouds.tencent.url), id: account.id, confirmed: true });
    expect(sneaky).toEqual({ ok: false, error: expect.objectContaining({ code: 'ipc.bad_request' }) });
    const list = value<{ accounts: CloudAccount[] }>(await dispatch(ctx, 'accounts.list', {}));
    expect(list.accounts.find((a) => a.id === account.id)?.confirmed).toBe(false);
  });

  it('after the user confirms in the dialog, the upload goes through', async () => {
    answer = true;
    const confirmed = value<CloudAccount>(await dispatch(ctx, 'accounts.confirm', { id: account.id }));
    expect(confirmed.confirmed).toBe(true);
    expect(value<{ accounts: CloudAccount[] }>(await dispatch(ctx, 'accounts.list', {})).accounts[0]?.confirmed).toBe(true);
    const started = await upload(account.id);
    expect(started.ok).toBe(true);
    expect(stored()).toBe(1);
  });

  it('replacing the secret revokes the confirmation until the user confirms again', async () => {
    answer = false;
    const changed = value<CloudAccount>(await dispatch(ctx, 'accounts.save', { ...accountInput('tencent', 'looks-legit', clouds.tencent.url), id: account.id }));
    expect(changed.confirmed).toBe(false);
    expect(await upload(account.id)).toEqual({ ok: false, error: expect.objectContaining({ code: 'account.not_confirmed' }) });
    answer = true;
    expect(value<CloudAccount>(await dispatch(ctx, 'accounts.confirm', { id: account.id })).confirmed).toBe(true);
    expect((await upload(account.id)).ok).toBe(true);
  });

  it('changing the endpoint revokes it too; renaming does not', async () => {
    const { secret: _secret, ...withoutSecret } = accountInput('tencent', 'renamed', clouds.tencent.url);
    const renamed = value<CloudAccount>(await dispatch(ctx, 'accounts.save', { ...withoutSecret, id: account.id }));
    expect(renamed.confirmed).toBe(true);
    answer = false;
    const moved = value<CloudAccount>(await dispatch(ctx, 'accounts.save', { ...withoutSecret, name: 'renamed', id: account.id, endpoint: clouds['tencent-intl'].url }));
    expect(moved.confirmed).toBe(false);
    expect(shown.at(-1)?.identity.endpoint).toBe(clouds['tencent-intl'].url);
    resetClouds(clouds);
    expect(await upload(account.id)).toEqual({ ok: false, error: expect.objectContaining({ code: 'account.not_confirmed' }) });
    expect(clouds['tencent-intl'].state.calls).toEqual([]);
  });

  it('a job whose account changes before a retry does not send to the new identity', async () => {
    answer = true;
    const { secret: _secret, ...withoutSecret } = accountInput('tencent', 'renamed', clouds.tencent.url);
    value<CloudAccount>(await dispatch(ctx, 'accounts.save', { ...withoutSecret, id: account.id }));
    clouds.tencent.faults.authFailure(1);
    const started = value<{ jobId: string }>(await dispatch(ctx, 'uploads.start', { certificateId: entryId, targets: [{ accountId: account.id }], force: true }));
    const first = await waitForJob(app, started.jobId);
    expect(first.results[0]?.status).toBe('failed');
    answer = false;
    value<CloudAccount>(await dispatch(ctx, 'accounts.save', { ...accountInput('tencent', 'renamed', clouds.tencent.url), id: account.id, secret: ATTACKER }));
    resetClouds(clouds);
    value(await dispatch(ctx, 'uploads.retryFailed', { jobId: started.jobId }));
    const retried = await waitForJob(app, started.jobId);
    expect(retried.results[0]).toMatchObject({ status: 'failed', error: expect.objectContaining({ code: 'account.not_confirmed' }) });
    expect(clouds.tencent.state.calls).toEqual([]);
  });
});
