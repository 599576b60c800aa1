import { randomUUID } from 'node:crypto';
import type Database from 'better-sqlite3';
import { VaultError } from '../../../../shared/errors';
import type { SecretStore } from '../../keychain';
import { parseStoredTarget, serializeTarget, type WebhookKind, type WebhookTarget } from './target';

// Webhooks: name and kind in SQLite, URL and secret in the OS keychain under one entry per
// webhook, as cloud accounts keep theirs (accounts/account-store.ts).

export interface Webhook {
  readonly id: string;
  readonly name: string;
  readonly kind: WebhookKind;
  readonly createdAt: string;
}

interface WebhookRow {
  readonly id: string;
  readonly name: string;
  readonly kind: WebhookKind;
  readonly created_at: string;
}

const MAX_NAME_LENGTH = 64;

/** The keychain account a webhook's URL and secret are stored under. */
export function webhookKeychainAccount(id: string): string {
  return `webhook:${id}`;
}

function toWebhook(row: WebhookRow): Webhook {
  return { id: row.id, name: row.name, kind: row.kind, createdAt: row.created_at };
}

export function checkedWebhookName(name: string): string {
  const trimmed = name.trim();
  if (trimmed === '') throw new VaultError('alert.invalid', { field: 'name', reason: 'the name is empty' });
  if (trimmed.length > MAX_NAME_LENGTH) throw new VaultError('alert.invalid', { field: 'name', reason: `longer than ${MAX_NAME_LENGTH} characters` });
  if (/[\u0000-\u001f\u007f]/.test(trimmed)) throw new VaultError('alert.invalid', { field: 'name', reason: 'contains a control character' });
  return trimmed;
}

export class WebhookStore {
  constructor(
    private readonly db: Database.Database,
    private readonly secrets: SecretStore,
    private readonly now: () => Date,
  ) {}

  list(): Webhook[] {
    return (this.db.prepare('SELECT id, name, kind, created_at FROM alert_webhooks ORDER BY name COLLATE NOCASE').all() as WebhookRow[]).map(toWebhook);
  }

  get(name: string): Webhook {
    const row = this.db.prepare('SELECT id, name, kind, created_at FROM alert_webhooks WHERE name = ?').get(name.trim()) as WebhookRow | undefined;
    if (!row) throw new VaultError('alert.not_found', { name });
    return toWebhook(row);
  }

  /** Keychain first: a keychain that refuses leaves no row without its URL. */
  async add(name: string, kind: WebhookKind, target: WebhookTarget): Promise<Webhook> {
    const checked = checkedWebhookName(name);
    if (this.db.prepare('SELECT 1 FROM alert_webhooks WHERE name = ?').get(checked)) throw new VaultError('alert.exists', { name: checked });
    const webhook: Webhook = { id: randomUUID(), name: checked, kind, createdAt: this.now().toISOString() };
    await this.secrets.set(webhookKeychainAccount(webhook.id), serializeTarget(target));
    try {
      this.db.prepare('INSERT INTO alert_webhooks (id, name, kind, created_at) VALUES (?, ?, ?, ?)').run(webhook.id, webhook.name, webhook.kind, webhook.createdAt);
    } catch (error) {
      await this.secrets.delete(webhookKeychainAccount(webhook.id));
      throw error;
    }
    return webhook;
  }

  async remove(name: string): Promise<void> {
    const webhook = this.get(name);
    await this.secrets.delete(webhookKeychainAccount(webhook.id));
    this.db.prepare('DELETE FROM alert_webhooks WHERE id = ?').run(webhook.id);
  }

  async target(webhook: Webhook): Promise<WebhookTarget> {
    const stored = await this.secrets.get(webhookKeychainAccount(webhook.id));
    if (stored === null) throw new VaultError('alert.secret_missing', { name: webhook.name });
    return parseStoredTarget(stored, webhook.name);
  }
}
