import { expect, it } from 'vitest';
import { markNotified, notifiedCrossings } from '../../../main/core/alerts';
import type { DueNotification } from '../../../main/core/alerts/decide';
import { crossingKey } from '../../../main/core/alerts/decide';
import { WebhookStore, webhookKeychainAccount } from '../../../main/core/alerts/webhooks/store';
import { VaultError } from '../../../shared/errors';
import { forEachEngine } from '../../support/engines';
import { MemorySecrets } from '../../unit/uploads/support/vault';

// The alert stores on both engines (tests/support/engines.ts): the webhook list and the record of
// what each channel was told behave the same on SQLite and on PostgreSQL.

const NOW = new Date('2026-03-01T08:00:00.000Z');

function notification(subject: string, notAfter: string, threshold: DueNotification['threshold'] = 7): DueNotification {
  return { subject, threshold, certificate: { notAfter } } as DueNotification;
}

async function code(work: Promise<unknown>): Promise<string> {
  const error = await work.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(VaultError);
  return (error as VaultError).code;
}

forEachEngine('webhook store', (open) => {
  it('adds, lists in name order ignoring case, finds by name in any case, and removes with its keychain entry', async () => {
    const secrets = new MemorySecrets();
    const store = new WebhookStore(await open(), secrets, () => NOW);
    const ops = await store.add('  ops ', 'slack', { url: 'https://hooks.slack.test/a' });
    await store.add('Billing', 'json', { url: 'https://example.test/hook', secret: 's3cret' });
    await store.add('alerts', 'wecom', { url: 'https://qyapi.weixin.qq.test/send?key=k' });
    expect((await store.list()).map((webhook) => webhook.name)).toEqual(['alerts', 'Billing', 'ops']);
    expect(ops).toEqual({ id: expect.any(String), name: 'ops', kind: 'slack', createdAt: NOW.toISOString() });
    expect(await store.get('OPS')).toEqual(ops);
    expect(await store.target(await store.get('billing'))).toEqual({ url: 'https://example.test/hook', secret: 's3cret' });

    await store.remove('Ops');
    expect((await store.list()).map((webhook) => webhook.name)).toEqual(['alerts', 'Billing']);
    expect(secrets.entries.has(webhookKeychainAccount(ops.id))).toBe(false);
    expect(await code(store.get('ops'))).toBe('alert.not_found');
  });

  it('refuses a name taken in another case, leaving no keychain entry behind', async () => {
    const secrets = new MemorySecrets();
    const store = new WebhookStore(await open(), secrets, () => NOW);
    await store.add('Ops', 'slack', { url: 'https://hooks.slack.test/a' });
    expect(await code(store.add('OPS', 'json', { url: 'https://example.test/b' }))).toBe('alert.exists');
    expect(secrets.entries.size).toBe(1);
  });

  it('two stores adding the same name at once: one wins, the other is told, and no orphan secret remains', async () => {
    const vault = await open();
    const secrets = new MemorySecrets();
    const first = new WebhookStore(vault, secrets, () => NOW);
    const second = new WebhookStore(vault, secrets, () => NOW);
    const outcomes = await Promise.allSettled([first.add('race', 'slack', { url: 'https://a.test/' }), second.add('Race', 'json', { url: 'https://b.test/' })]);
    expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
    const rejected = outcomes.find((outcome) => outcome.status === 'rejected');
    expect((rejected as PromiseRejectedResult).reason).toMatchObject({ code: 'alert.exists' });
    expect(secrets.entries.size).toBe(1);
    expect(await first.list()).toHaveLength(1);
  });
});

forEachEngine('alert notification record', (open) => {
  it('records per channel, once per crossing; marking again keeps the first record', async () => {
    const vault = await open();
    const due = [notification('library:a', '2026-03-05T00:00:00.000Z'), notification('remote:acct:r1', '2026-02-27T00:00:00.000Z', 'expired')];
    await markNotified(vault, due, NOW, 'desktop');
    await markNotified(vault, due, new Date(NOW.getTime() + 1000), 'desktop');
    expect(await notifiedCrossings(vault, 'desktop')).toEqual(
      new Set([crossingKey('library:a', '2026-03-05T00:00:00.000Z', 7), crossingKey('remote:acct:r1', '2026-02-27T00:00:00.000Z', 'expired')]),
    );
    expect(await notifiedCrossings(vault, 'webhooks')).toEqual(new Set());
    const rows = await vault.db.selectFrom('alert_notifications').select(['subject', 'notified_at']).orderBy('subject').execute();
    expect(rows).toEqual([
      { subject: 'library:a', notified_at: NOW.toISOString() },
      { subject: 'remote:acct:r1', notified_at: NOW.toISOString() },
    ]);
  });

  it('marks all or nothing: a row the database refuses in a later batch leaves none of the earlier ones', async () => {
    const vault = await open();
    const due = Array.from({ length: 150 }, (_, i) => notification(`library:e${i}`, '2026-03-05T00:00:00.000Z'));
    // not_after is NOT NULL: the 121st row (in the second batch of 100) is refused.
    due[120] = notification('library:broken', null as unknown as string);
    await expect(markNotified(vault, due, NOW, 'webhooks')).rejects.toThrow(/not_after|NOT NULL|null value/i);
    expect(await notifiedCrossings(vault, 'webhooks')).toEqual(new Set());
    await markNotified(vault, due.slice(0, 120), NOW, 'webhooks');
    expect((await notifiedCrossings(vault, 'webhooks')).size).toBe(120);
  });
});

