import { VaultError, type ErrorInfo } from '../../../../shared/errors';
import type { Locale } from '../../../../shared/i18n';
import type { HttpClient } from '../../../clouds/http';
import { TransportError } from '../../../clouds/http';
import { log } from '../../log';
import type { DueNotification } from '../decide';
import { alertText } from './message';
import { rejection, textLimits, webhookRequest } from './request';
import type { Webhook, WebhookStore } from './store';

// Posting to every webhook: each one on its own, so one that fails does not stop the others, and
// each answer checked the platform's way (an HTTP 200 with errcode 93000 is a failure). Logs and
// errors name the webhook and its kind, never its URL or secret.

const SEND_TIMEOUT_MS = 15_000;

export interface WebhookResult {
  readonly name: string;
  readonly kind: Webhook['kind'];
  readonly status: 'sent' | 'failed';
  readonly error: ErrorInfo | null;
}

export interface WebhookMessage {
  /** The certificates to tell about; empty for a test message. */
  readonly notifications: readonly DueNotification[];
  /** The text to post instead of the alert list (a test message). */
  readonly text?: string;
}

async function sendOne(http: HttpClient, store: WebhookStore, webhook: Webhook, message: WebhookMessage, locale: Locale, now: Date): Promise<WebhookResult> {
  const failed = (reason: string): WebhookResult => {
    const error = new VaultError('alert.send_failed', { name: webhook.name, kind: webhook.kind, reason });
    log.warn('alert.webhook_failed', { webhook: webhook.name, kind: webhook.kind, reason });
    return { name: webhook.name, kind: webhook.kind, status: 'failed', error: error.toInfo() };
  };
  try {
    const target = await store.target(webhook);
    const text = message.text ?? alertText(message.notifications, locale, textLimits[webhook.kind]);
    const request = webhookRequest(webhook.kind, target, text, message.notifications, now);
    const response = await http.send({ method: 'POST', url: request.url, headers: request.headers, body: request.body, timeoutMs: SEND_TIMEOUT_MS });
    const reason = rejection(webhook.kind, response);
    if (reason !== null) return failed(reason);
    log.info('alert.webhook_sent', { webhook: webhook.name, kind: webhook.kind, certificates: message.notifications.length });
    return { name: webhook.name, kind: webhook.kind, status: 'sent', error: null };
  } catch (error) {
    if (error instanceof TransportError) return failed(`${error.message} (${error.code})`);
    if (error instanceof VaultError) return { name: webhook.name, kind: webhook.kind, status: 'failed', error: error.toInfo() };
    throw error;
  }
}

export function sendToWebhooks(
  http: HttpClient,
  store: WebhookStore,
  webhooks: readonly Webhook[],
  message: WebhookMessage,
  locale: Locale,
  now: Date,
): Promise<WebhookResult[]> {
  return Promise.all(webhooks.map((webhook) => sendOne(http, store, webhook, message, locale, now)));
}
