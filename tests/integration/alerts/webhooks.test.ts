import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHttpClient } from '../../../main/clouds/http-client';
import { AlertService } from '../../../main/core/alerts/service';
import { log } from '../../../main/core/log';
import { defaultSettings } from '../../../main/core/settings-store';
import type { Settings } from '../../../shared/ipc';
import { alertVault, inDays } from '../../unit/alerts/fixture';
import { MemorySecrets } from '../../unit/uploads/support/vault';
import { startReceiver, type Platform, type Receiver } from './receivers';

// Each webhook kind against a loopback receiver that checks the payload and recomputes the
// signature the platform's documented way; then the notify flow: once per crossing, failures
// reported per webhook, and no URL or secret in any error or log line.

const TOKEN = 'tok3n-in-the-url';
const SECRET = 'SECd0c5e5bd1f2cb26b7f1e8e9b2d0c5e5b';
const logLines: string[] = [];
beforeAll(() => log.setSink((line) => void logLines.push(line)));
afterAll(() => log.setSink((line) => process.stderr.write(`${line}\n`)));

function service(language: Settings['language'] = 'en') {
  const vault = alertVault();
  const now = new Date();
  vault.entry('lib-1', { cn: 'soon.example.com', notAfter: inDays(5, now) });
  vault.entry('old', { cn: 'www.example.com', notAfter: inDays(20, now) });
  vault.entry('new', { cn: 'www.example.com', notAfter: inDays(400, now), renews: 'old' });
  vault.copy('tencent-prod', 'cert-9', { cn: 'www.example.com', notAfter: inDays(20, now), libraryId: 'old' });
  vault.copy('tencent-prod', 'cert-x', { cn: 'gone.example.com', notAfter: inDays(-2, now) });
  const settings = { ...defaultSettings, language };
  const secrets = new MemorySecrets();
  // A fixed clock: the receivers only need it within the platforms' one-hour window.
  const alerts = new AlertService(vault.vaultDb, { now: () => now, settings: { get: () => settings, update: () => settings }, systemLocale: 'en' }, { secrets, http: createHttpClient({ env: {} }) });
  return { alerts, secrets, now, vault };
}

const withSecret: Readonly<Record<Platform, boolean>> = { wecom: false, dingtalk: true, feishu: true, slack: false, json: true };

describe('webhooks against receivers that verify payload and signature', () => {
  const receivers = new Map<Platform, Receiver>();
  beforeAll(async () => {
    for (const platform of Object.keys(withSecret) as Platform[]) receivers.set(platform, await startReceiver(platform, TOKEN, withSecret[platform] ? SECRET : undefined));
  });
  afterAll(async () => Promise.all([...receivers.values()].map((receiver) => receiver.close())));

  for (const platform of Object.keys(withSecret) as Platform[]) {
    it(`${platform}: the platform takes the message, signed as documented`, async () => {
      const { alerts } = service();
      const receiver = receivers.get(platform)!;
      await alerts.webhooks.add(`${platform}-hook`, platform, { url: receiver.url, ...(withSecret[platform] ? { secret: SECRET } : {}) });
      const before = receiver.received.length;
      const outcome = await alerts.notify();
      expect(outcome.webhooks).toEqual([{ name: `${platform}-hook`, kind: platform, status: 'sent', error: null }]);
      const got = receiver.received.slice(before);
      expect(got).toHaveLength(1);
      expect(got[0]!.verified).toBe(true);
      expect(got[0]!.text.split('\n')).toEqual([
        'Cert Vault: 3 certificate(s) need attention',
        expect.stringMatching(/^- gone\.example\.com expired on \d{4}-\d\d-\d\d, on tencent-prod \(tencent, id cert-x\)\.$/),
        expect.stringMatching(/^- soon\.example\.com expires in 5 day\(s\), on \d{4}-\d\d-\d\d, in the library\.$/),
        expect.stringMatching(/^- www\.example\.com expires in 20 day\(s\), .* on tencent-prod \(tencent, id cert-9\)\. A renewal is in the library but not yet deployed to tencent-prod\.$/),
      ]);
      if (platform === 'json') {
        const notifications = got[0]!.body.notifications as Record<string, unknown>[];
        expect(notifications.map((n) => [n.source, n.remoteId, n.threshold, n.renewedBy])).toEqual([
          ['remote', 'cert-x', 'expired', null],
          ['library', null, 7, null],
          ['remote', 'cert-9', 30, 'new'],
        ]);
      }
      // Once per crossing: the next run has nothing new and posts nothing.
      expect((await alerts.notify()).notifications).toEqual([]);
      expect(receiver.received.length).toBe(before + 1);
    });
  }

  it('a wrong DingTalk or Feishu secret is refused by the platform and reported, the secret and URL in no message or log line', async () => {
    for (const platform of ['dingtalk', 'feishu'] as const) {
      const { alerts } = service();
      const wrong = 'SECwrong-secret-value-0000';
      await alerts.webhooks.add('signed', platform, { url: receivers.get(platform)!.url, secret: wrong });
      const outcome = await alerts.notify();
      expect(outcome.webhooks[0]).toMatchObject({ status: 'failed', error: { code: 'alert.send_failed' } });
      expect(outcome.webhooks[0]!.error!.message).toMatch(platform === 'dingtalk' ? /code 310000: sign not match/ : /code 19021/);
      // Not taken anywhere: still due next time.
      expect((await alerts.notify()).notifications).toHaveLength(3);
      const everything = JSON.stringify(outcome) + logLines.join('\n');
      for (const secret of [wrong, TOKEN, SECRET]) expect(everything).not.toContain(secret);
    }
  });

  it('marks alerts sent when one webhook took them, reports the one that failed, and keeps desktop notifications separate', async () => {
    const { alerts, now } = service();
    await alerts.webhooks.add('good', 'slack', { url: receivers.get('slack')!.url });
    await alerts.webhooks.add('bad', 'wecom', { url: receivers.get('wecom')!.url.replace(TOKEN, 'wrong-key') });
    const outcome = await alerts.notify();
    expect(outcome.webhooks.map((r) => [r.name, r.status])).toEqual([['bad', 'failed'], ['good', 'sent']]);
    expect(outcome.webhooks[0]!.error!.message).toBe('Webhook "bad" (wecom) did not take the message: code 93000: invalid webhook url.');
    expect((await alerts.notify()).notifications).toEqual([]);
    const { dueNotifications } = await import('../../../main/core/alerts');
    expect(await dueNotifications(alerts.vault, now, { expiringWithinDays: 30 })).toHaveLength(3);
  });

  it('an unreachable webhook fails with the host only, and notify without webhooks is refused', async () => {
    const { alerts } = service();
    await expect(alerts.notify()).rejects.toMatchObject({ code: 'alert.none_configured' });
    await alerts.webhooks.add('down', 'feishu', { url: `http://127.0.0.1:9/open-apis/bot/v2/hook/${TOKEN}`, secret: SECRET });
    const outcome = await alerts.notify();
    expect(outcome.webhooks[0]!.status).toBe('failed');
    expect(outcome.webhooks[0]!.error!.message).toContain('127.0.0.1:9');
    expect(JSON.stringify(outcome)).not.toContain(TOKEN);
  });

  it('posts in Chinese when the app is set to Chinese, and test messages through the same path', async () => {
    const { alerts } = service('zh-CN');
    const receiver = receivers.get('dingtalk')!;
    await alerts.webhooks.add('钉钉', 'dingtalk', { url: receiver.url, secret: SECRET });
    const before = receiver.received.length;
    expect(await alerts.test('钉钉')).toEqual({ name: '钉钉', kind: 'dingtalk', status: 'sent', error: null });
    expect(receiver.received[before]!.text).toBe('这是 Cert Vault 发给 Webhook“钉钉”的测试消息：到期提醒将发送到这里。');
    await alerts.notify();
    expect(receiver.received[before + 1]!.text.split('\n')[0]).toBe('Cert Vault：3 张证书需要处理');
    expect(receiver.received[before + 1]!.verified).toBe(true);
  });

  it('cuts a long list to the WeCom 2048-byte limit with a "…and N more" line', async () => {
    const { alerts, vault } = service();
    const now = new Date();
    for (let i = 0; i < 80; i += 1) vault.entry(`bulk-${i}`, { cn: `host-${String(i).padStart(3, '0')}.a-rather-long-domain-name.example.com`, notAfter: inDays(3, now) });
    const receiver = receivers.get('wecom')!;
    await alerts.webhooks.add('wecom', 'wecom', { url: receiver.url });
    const before = receiver.received.length;
    expect((await alerts.notify()).webhooks[0]!.status).toBe('sent');
    const text = receiver.received[before]!.text;
    expect(Buffer.byteLength(text)).toBeLessThanOrEqual(2048);
    expect(text).toMatch(/\n…and \d+ more\.$/);
  });
});
