import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { parseStoredTarget, serializeTarget, webhookTargetFromJson, type WebhookKind } from '../../../main/core/alerts/webhooks/target';
import { dingtalkSign, feishuSign } from '../../../main/core/alerts/webhooks/request';

// What `certvault alert add` accepts on stdin, and what it refuses without repeating the secret.

const SECRET_URL = 'https://oapi.dingtalk.com/robot/send?access_token=0123456789abcdef';

function refusal(kind: WebhookKind, text: string): VaultError {
  try {
    webhookTargetFromJson(kind, text);
  } catch (error) {
    if (error instanceof VaultError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('webhook targets', () => {
  it('accepts https, and http only on loopback', () => {
    expect(webhookTargetFromJson('dingtalk', JSON.stringify({ url: SECRET_URL, secret: ' SECabc ' }))).toEqual({ url: SECRET_URL, secret: 'SECabc' });
    expect(webhookTargetFromJson('slack', '{"url":"http://127.0.0.1:8080/x"}')).toEqual({ url: 'http://127.0.0.1:8080/x' });
    expect(webhookTargetFromJson('json', '{"url":"http://localhost/x","secret":null}')).toEqual({ url: 'http://localhost/x' });
    const plain = refusal('wecom', '{"url":"http://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc"}');
    expect(plain.code).toBe('alert.invalid');
    expect(plain.message).toBe('Webhook field "url": must start with https:// (http:// only for 127.0.0.1, ::1 or localhost).');
    expect(plain.message).not.toContain('key=abc');
  });

  it('refuses bad input with a specific message that never repeats what was given', () => {
    const cases: [WebhookKind, string, string][] = [
      ['dingtalk', `{"url":"${SECRET_URL}",`, 'Webhook field "stdin": not valid JSON; expected {"url":"https://…","secret":"…"} (secret optional).'],
      ['dingtalk', '[]', 'Webhook field "stdin": expected a JSON object {"url","secret"?}.'],
      ['dingtalk', `{"url":"${SECRET_URL}","token":"x"}`, 'Webhook field "stdin": unexpected key "token"; accepted: "url", "secret".'],
      ['dingtalk', '{"url":"not a url 0123456789abcdef"}', 'Webhook field "url": not a URL; paste the whole webhook address, starting with https://.'],
      ['wecom', `{"url":"${SECRET_URL}","secret":"SEC0123456789abcdef"}`, 'Webhook field "secret": a wecom webhook has no signing secret; give only the URL.'],
      ['feishu', `{"url":"${SECRET_URL}","secret":"a\\u0007b0123456789abcdef"}`, 'Webhook field "secret": contains a control character.'],
      ['feishu', `{"url":"https://u:0123456789abcdef@example.com/"}`, 'Webhook field "url": must not carry a user name or password.'],
    ];
    for (const [kind, text, message] of cases) {
      const error = refusal(kind, text);
      expect(error.message).toBe(message);
      expect(error.message).not.toContain('0123456789abcdef');
    }
  });

  it('round-trips the keychain entry; a damaged one reads as missing', () => {
    expect(parseStoredTarget(serializeTarget({ url: SECRET_URL, secret: 's' }), 'n')).toEqual({ url: SECRET_URL, secret: 's' });
    expect(parseStoredTarget(serializeTarget({ url: SECRET_URL }), 'n')).toEqual({ url: SECRET_URL });
    expect(() => parseStoredTarget('{', 'ding')).toThrow('The URL of webhook "ding" is missing from the keychain');
  });

  it('signs with the documented vectors', () => {
    // Computed independently with Python's hmac/base64 from the platforms' sample code; the
    // DingTalk one has a "+" and a "=", which must reach the URL encoded (%2B, %3D).
    expect(dingtalkSign('this is secret', '1577262236757')).toBe('hmPWwU%2B7lVdm3ZZz0r9tSfx0L4Q26jWOZr9%2BGs6EZQM%3D');
    expect(feishuSign('demo', '1599360473')).toBe('l1N0gAcBjdwBvGm1xMjOF0XSyaLRpR7tuO5dHfhAYc8=');
  });
});
