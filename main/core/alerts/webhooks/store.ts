import { randomUUID } from 'node:crypto';
import { VaultError } from '../../../../shared/errors';
import { equalsNocase, isUniqueViolation, nocase } from '../../db/dialect-sql';
import type { VaultDb } from '../../db/vault-db';
import type { SecretStore } from '../../keychain';
import { parseStoredTarget, serializeTarget, type WebhookKind, type WebhookTarget } from './target';

// Webhooks: name and kind in the vault database (either engine, docs/data-layer.md), URL and
// secret in the OS keychain under one entry per webhook, as cloud accounts keep theirs
// (accounts/account-store.ts). Names are unique ignoring case, as they were in SQLite alone.

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
    private readonly vault: VaultDb,
    private readonly secrets: SecretStore,
    private readonly now: () => Date,
  ) {}

  async list(): Promise<Webhook[]> {
    const rows = await this.vault.db.selectFrom('alert_webhooks').select(['id', 'name', 'kind', 'created_at']).orderBy(nocase(this.vault.engine, 'name')).execute();
    return rows.map(toWebhook);
  }

  async get(name: string): Promise<Webhook> {
    const row = await this.find(name.trim());
    if (!row) throw new VaultError('alert.not_found', { name });
    return toWebhook(row);
  }

  /**
   * Keychain first: a keychain that refuses leaves no row without its URL. A row that cannot be
   * written (another process added the same name meanwhile) takes its keychain entry back with it.
   */
  async add(name: string, kind: WebhookKind, target: WebhookTarget): Promise<Webhook> {
    const checked = checkedWebhookName(name);
    if (await this.find(checked)) throw new VaultError('alert.exists', { name: checked });
    const webhook: Webhook = { id: randomUUID(), name: checked, kind, createdAt: this.now().toISOString() };
    await this.secrets.set(webhookKeychainAccount(webhook.id), serializeTarget(target));
    try {
      await this.vault.db.insertInto('alert_webhooks').values({ id: webhook.id, name: webhook.name, kind: webhook.kind, created_at: webhook.createdAt }).execute();
    } catch (error) {
      await this.secrets.delete(webhookKeychainAccount(webhook.id));
      if (isUniqueViolation(error)) throw new VaultError('alert.exists', { name: checked });
      throw error;
    }
    return webhook;
  }

  async remove(name: string): Promise<void> {
    const webhook = await this.get(name);
    await this.secrets.delete(webhookKeychainAccount(webhook.id));
    await this.vault.db.deleteFrom('alert_webhooks').where('id', '=', webhook.id).execute();
  }

  async target(webhook: Webhook): Promise<WebhookTarget> {
    const stored = await this.secrets.get(webhookKeychainAccount(webhook.id));
    if (stored === null) throw new VaultError('alert.secret_missing', { name: webhook.name });
    return parseStoredTarget(stored, webhook.name);
  }

  private find(name: string): Promise<WebhookRow | undefined> {
    return this.vault.db
      .selectFrom('alert_webhooks')
      .select(['id', 'name', 'kind', 'created_at'])
      .where(equalsNocase(this.vault.engine, 'name', name))
      .executeTakeFirst();
  }
}
