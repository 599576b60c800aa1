import { VaultError } from '../../../shared/errors';
import type { Locale } from '../../../shared/i18n';
import type { HttpClient } from '../../clouds/http';
import { createHttpClient } from '../../clouds/http-client';
import type { VaultDb } from '../db/vault-db';
import { vaultDbOf } from '../db/context-db';
import type { HandlerContext } from '../ipc/context';
import { osKeychain, type SecretStore } from '../keychain';
import { translate } from '../../../shared/i18n';
import { dueNotifications, markNotified } from './index';
import type { DueNotification } from './decide';
import { notifyDesktop, type DesktopAlertOptions } from './desktop';
import { expiringCertificates, type ExpiringCertificate } from './expiring';
import { sendToWebhooks, type WebhookResult } from './webhooks/send';
import { WebhookStore, type Webhook } from './webhooks/store';

// The alerts behind a handler context: the vault database (the context's one connection, context-db.ts), the
// context's clock and Settings threshold and language, the OS keychain for webhook URLs, and the shared HTTP client (proxy, timeouts).

export interface AlertServiceOptions {
  readonly secrets?: SecretStore;
  readonly http?: HttpClient;
}

export interface NotifyOutcome {
  readonly notifications: readonly DueNotification[];
  readonly webhooks: readonly WebhookResult[];
}

export class AlertService {
  readonly webhooks: WebhookStore;
  private readonly http: HttpClient;

  constructor(
    readonly vault: VaultDb,
    private readonly ctx: Pick<HandlerContext, 'now' | 'settings' | 'systemLocale'>,
    options: AlertServiceOptions = {},
  ) {
    this.webhooks = new WebhookStore(vault, options.secrets ?? osKeychain(), ctx.now);
    this.http = options.http ?? createHttpClient();
  }

  /** Due within `days` (default: the Settings threshold), soonest first. */
  expiring(days?: number): Promise<ExpiringCertificate[]> {
    return expiringCertificates(this.vault, this.ctx.now(), days ?? this.ctx.settings.get().expiringWithinDays);
  }

  /**
   * Sends what is due on the webhooks channel to every webhook, and marks it notified once at least
   * one webhook took it: a person has been told, and a webhook that stays broken must not make
   * every run repeat the alert to the others (its failure is in the result).
   */
  async notify(withinDays?: number): Promise<NotifyOutcome> {
    const webhooks = await this.webhooks.list();
    if (webhooks.length === 0) throw new VaultError('alert.none_configured');
    const now = this.ctx.now();
    const notifications = await dueNotifications(this.vault, now, {
      expiringWithinDays: this.ctx.settings.get().expiringWithinDays,
      channel: 'webhooks',
      ...(withinDays === undefined ? {} : { withinDays }),
    });
    if (notifications.length === 0) return { notifications, webhooks: [] };
    const results = await sendToWebhooks(this.http, this.webhooks, webhooks, { notifications }, this.locale(), now);
    if (results.some((result) => result.status === 'sent')) await markNotified(this.vault, notifications, now, 'webhooks');
    return { notifications, webhooks: results };
  }

  /** The desktop notification of what is due now, shown by `show` (main/electron), in the Settings language. */
  notifyDesktop(show: DesktopAlertOptions['show']): Promise<readonly DueNotification[]> {
    return notifyDesktop(this.vault, this.ctx.now(), { expiringWithinDays: this.ctx.settings.get().expiringWithinDays, locale: this.locale(), show });
  }

  async test(name: string): Promise<WebhookResult> {
    const webhook: Webhook = await this.webhooks.get(name);
    const text = translate(this.locale(), 'alert.message.test', { name: webhook.name });
    const [result] = await sendToWebhooks(this.http, this.webhooks, [webhook], { notifications: [], text }, this.locale(), this.ctx.now());
    return result!;
  }

  private locale(): Locale {
    const language = this.ctx.settings.get().language;
    return language === 'system' ? this.ctx.systemLocale : language;
  }
}

const opened = new WeakMap<HandlerContext, AlertService>();

/** Opened on first use over the vault database in `ctx.dataDir`. */
export function alertsOf(ctx: HandlerContext): AlertService {
  let service = opened.get(ctx);
  if (!service) {
    service = new AlertService(vaultDbOf(ctx), ctx);
    opened.set(ctx, service);
  }
  return service;
}
