import { createHmac } from 'node:crypto';
import type { HttpResponse } from '../../../clouds/http';
import type { DueNotification } from '../decide';
import { certificateJson } from '../expiring';
import type { WebhookKind, WebhookTarget } from './target';

// What each platform expects, exactly as documented:
// - WeCom group bot: POST the webhook URL (…/cgi-bin/webhook/send?key=…) with
//   {"msgtype":"text","text":{"content":…}}; content at most 2048 bytes; answers {"errcode":0,"errmsg":"ok"}.
//   (developer.work.weixin.qq.com/document/path/91770 "群机器人配置说明")
// - DingTalk custom robot: with 加签, timestamp = epoch milliseconds, sign =
//   urlEncode(base64(HmacSHA256(key = secret, message = timestamp + "\n" + secret))), both added to
//   the URL as `timestamp` and `sign` query parameters; body {"msgtype":"text","text":{"content":…}};
//   answers {"errcode":0,"errmsg":"ok"}; the timestamp must be within an hour of DingTalk's clock.
//   (open.dingtalk.com/document/robots/customize-robot-security-settings)
// - Feishu/Lark custom bot: with 签名校验, timestamp = epoch seconds, sign =
//   base64(HmacSHA256(key = timestamp + "\n" + secret, message = "")), both in the JSON body beside
//   {"msg_type":"text","content":{"text":…}}; body at most 20 KB; answers {"code":0,"msg":"success"}.
//   (open.feishu.cn/document/client-docs/bot-v3/add-custom-bot)
// - Slack incoming webhook: {"text":…}; answers HTTP 200 with the body "ok".
//   (api.slack.com/messaging/webhooks)
// - Generic JSON: {"source":"certvault","text":…,"notifications":[…]}; with a secret, the headers
//   X-CertVault-Timestamp (epoch seconds) and X-CertVault-Signature: sha256=hex(HmacSHA256(key =
//   secret, message = timestamp + "." + body)), so a receiver can check origin and freshness.

export interface WebhookRequest {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** The platform's limit on the text, in UTF-8 bytes, below its body limit. */
export const textLimits: Readonly<Record<WebhookKind, number>> = {
  wecom: 2048,
  dingtalk: 18_000,
  feishu: 18_000,
  slack: 36_000,
  json: 36_000,
};

export function dingtalkSign(secret: string, timestampMs: string): string {
  return encodeURIComponent(createHmac('sha256', secret).update(`${timestampMs}\n${secret}`, 'utf8').digest('base64'));
}

export function feishuSign(secret: string, timestampSeconds: string): string {
  return createHmac('sha256', `${timestampSeconds}\n${secret}`).update('', 'utf8').digest('base64');
}

export function jsonSignature(secret: string, timestampSeconds: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestampSeconds}.${body}`, 'utf8').digest('hex')}`;
}

function notificationJson(notification: DueNotification) {
  return {
    ...certificateJson(notification.certificate, notification.daysLeft),
    name: notification.certificate.name,
    threshold: notification.threshold,
    renewedBy: notification.renewedBy,
  };
}

const jsonHeaders = { 'content-type': 'application/json; charset=utf-8' };

export function webhookRequest(kind: WebhookKind, target: WebhookTarget, text: string, notifications: readonly DueNotification[], now: Date): WebhookRequest {
  const url = new URL(target.url);
  const seconds = String(Math.floor(now.getTime() / 1000));
  switch (kind) {
    case 'wecom':
      return { url, headers: jsonHeaders, body: JSON.stringify({ msgtype: 'text', text: { content: text } }) };
    case 'dingtalk': {
      if (target.secret !== undefined) {
        const millis = String(now.getTime());
        // The sign is already URL-encoded (the documented form); appended as is, not encoded twice.
        const separator = url.search ? '&' : '?';
        const signed = new URL(`${url.href}${separator}timestamp=${millis}&sign=${dingtalkSign(target.secret, millis)}`);
        return { url: signed, headers: jsonHeaders, body: JSON.stringify({ msgtype: 'text', text: { content: text } }) };
      }
      return { url, headers: jsonHeaders, body: JSON.stringify({ msgtype: 'text', text: { content: text } }) };
    }
    case 'feishu': {
      const signature = target.secret === undefined ? {} : { timestamp: seconds, sign: feishuSign(target.secret, seconds) };
      return { url, headers: jsonHeaders, body: JSON.stringify({ ...signature, msg_type: 'text', content: { text } }) };
    }
    case 'slack':
      return { url, headers: jsonHeaders, body: JSON.stringify({ text }) };
    case 'json': {
      const body = JSON.stringify({ source: 'certvault', text, notifications: notifications.map(notificationJson) });
      const signed: Record<string, string> =
        target.secret === undefined ? {} : { 'x-certvault-timestamp': seconds, 'x-certvault-signature': jsonSignature(target.secret, seconds, body) };
      return { url, headers: { ...jsonHeaders, ...signed }, body };
    }
  }
}

/** Why the platform did not take the message, or null when it did. Only the platform's own code and message: never the URL. */
export function rejection(kind: WebhookKind, response: HttpResponse): string | null {
  if (response.status < 200 || response.status > 299) {
    const detail = platformError(response.body);
    return detail ? `HTTP ${response.status}, ${detail}` : `HTTP ${response.status}`;
  }
  if (kind === 'slack') return response.body.trim() === 'ok' ? null : `answered "${response.body.trim().slice(0, 80)}"`;
  if (kind === 'json') return null;
  return platformError(response.body, true);
}

/** WeCom and DingTalk answer errcode/errmsg, Feishu code/msg; 0 is success. */
function platformError(body: string, required = false): string | null {
  let value: Record<string, unknown>;
  try {
    value = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return required ? 'the answer is not JSON' : null;
  }
  const code = value.errcode ?? value.code;
  if (code === 0 || (code === undefined && !required)) return null;
  const message = value.errmsg ?? value.msg;
  const text = typeof message === 'string' ? `: ${message.slice(0, 160)}` : '';
  return code === undefined ? 'the answer has no error code' : `code ${String(code)}${text}`;
}
