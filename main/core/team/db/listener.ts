import pg from 'pg';
import { log } from '../../log';
import { clientConfig, type TeamConnection } from './connect';
import { hostPort } from './connection-url';
import { NOTIFY_CHANNEL, type TeamNotification } from './notify';

// LISTEN needs a connection of its own that stays open (a pooled one would be handed to queries
// and released). When the server restarts or the network drops, it reconnects by itself with a
// growing pause, and says so: notifications sent while it was away are lost, so the app re-reads.

export interface TeamListenerEvents {
  /** A change another app (or this one) committed. */
  readonly onNotification: (notification: TeamNotification) => void;
  /** Listening (again): after a reconnect, re-read everything, changes may have been missed. */
  readonly onListening?: (reconnected: boolean) => void;
  readonly onDisconnected?: (reason: string) => void;
}

const MIN_RETRY_MS = 200;
const MAX_RETRY_MS = 10_000;

export class TeamListener {
  private client: pg.Client | null = null;
  private closed = false;
  private retryMs = MIN_RETRY_MS;
  private retryTimer: NodeJS.Timeout | null = null;
  private everListened = false;

  constructor(
    private readonly connection: TeamConnection,
    private readonly events: TeamListenerEvents,
  ) {}

  /** Resolves once the first LISTEN is in place; rejects (and stops) when that first connection fails. */
  async start(): Promise<void> {
    await this.connect();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(clientConfig(this.connection));
    let lost = false;
    const onLost = (reason: string) => {
      if (lost) return;
      lost = true;
      if (this.client === client) this.client = null;
      client.removeAllListeners('notification');
      void client.end().catch(() => undefined);
      if (this.closed) return;
      this.events.onDisconnected?.(reason);
      log.warn('team_listener_lost', { address: hostPort(this.connection.address), reason });
      this.scheduleRetry();
    };
    client.on('error', (error) => onLost(error.message));
    client.on('end', () => onLost('connection ended'));
    client.on('notification', (message) => {
      if (message.channel !== NOTIFY_CHANNEL || !message.payload) return;
      const notification = parseNotification(message.payload);
      if (notification) this.events.onNotification(notification);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${NOTIFY_CHANNEL}`);
    } catch (error) {
      lost = true;
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.retryMs = MIN_RETRY_MS;
    const reconnected = this.everListened;
    this.everListened = true;
    this.events.onListening?.(reconnected);
  }

  private scheduleRetry(): void {
    if (this.closed || this.retryTimer) return;
    const wait = this.retryMs;
    this.retryMs = Math.min(this.retryMs * 2, MAX_RETRY_MS);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().catch((error: unknown) => {
        log.warn('team_listener_retry_failed', { address: hostPort(this.connection.address), reason: error instanceof Error ? error.message : String(error) });
        this.scheduleRetry();
      });
    }, wait);
    this.retryTimer.unref();
  }
}

function parseNotification(payload: string): TeamNotification | null {
  try {
    const value = JSON.parse(payload) as Partial<TeamNotification>;
    if (typeof value.action !== 'string' || typeof value.seq !== 'string') return null;
    return { action: value.action, subject: typeof value.subject === 'string' ? value.subject : null, seq: value.seq };
  } catch {
    return null;
  }
}
