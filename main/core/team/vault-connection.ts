import fs from 'node:fs';
import pg from 'pg';
import { VaultError } from '../../../shared/errors';
import { offlineClock, type TeamConnectionStatus } from '../../../shared/team';
import { requirePostgresVaultSchema } from '../db/pg/migrations';
import { postgresVaultDbOver, postgresVaultPool } from '../db/pg/open';
import { dataRevision } from '../db/revision';
import type { AuditInTransaction, VaultDb } from '../db/vault-db';
import { log } from '../log';
import { clientConfig, teamDbCall, type TeamConnection } from './db/connect';
import { hostPort, parseTeamUrl } from './db/connection-url';
import { TeamListener } from './db/listener';
import { openReadOnlySnapshot } from './offline/read-only-vault-db';
import { snapshotFile, snapshotTakenAt, writeSnapshot } from './offline/snapshot';
import { isConnectionFault, watchedPool } from './offline/watched-pool';
import type { TeamEntry } from './team-settings';

// A team vault as the app uses it: PostgreSQL while the server answers, else the local copy of
// its last synced state, read-only (issue 11 §1). The copy is refreshed after the vault opens,
// when another app announces a change, after a reconnect, and when the database's revision moved
// (checked now and then: not every write announces itself). When a query finds the server gone,
// or the live-update connection drops, one probe decides; while offline, probes back off and the
// vault comes back online by itself. Every change of state reaches `onChange` listeners (the
// title bar, the CLI's notice).
//
// A write cut mid-flight is reported (team.connection_lost), never sent again: it may have
// committed. PostgreSQL keeps each transaction whole or absent, and so does the copy.

export type { TeamConnectionStatus };

export interface TeamVaultConnection {
  /** PostgreSQL while reachable, else the read-only local copy. Ask for it per use: it changes. */
  current(): VaultDb;
  /**
   * The server's VaultDb whatever the stores read: the team tables (members, key wraps, audit)
   * live only there. While offline, the offline error at once rather than a connection attempt.
   */
  serverDb(): VaultDb;
  status(): TeamConnectionStatus;
  onChange(listener: (status: TeamConnectionStatus) => void): () => void;
  /** Brings the local copy up to date now (after any refresh already running); nothing while offline. */
  refreshSnapshot(): Promise<void>;
  /** The error a write gets while offline, as the read-only copy raises it (for a caller that refuses before trying). */
  offlineError(): VaultError;
  close(): Promise<void>;
}

export interface ConnectionTiming {
  /** First pause between probes while offline; it doubles up to `probeMaxMs`. */
  readonly probeMinMs: number;
  readonly probeMaxMs: number;
  /** Changes announced within this window are copied once. */
  readonly refreshDebounceMs: number;
  /** How often the database's revision is compared with the copy's. */
  readonly revisionCheckMs: number;
}

const defaultTiming: ConnectionTiming = { probeMinMs: 250, probeMaxMs: 15_000, refreshDebounceMs: 1_000, revisionCheckMs: 30_000 };

export interface TeamVaultConnectionOptions {
  readonly entry: TeamEntry;
  readonly password: string;
  readonly dataDir: string;
  readonly now: () => Date;
  /**
   * Whether this connection keeps the local copy fresh (default true: the window). false for a
   * one-shot process (a CLI command): no copy is taken or refreshed and no live updates are heard;
   * the copy the app keeps is what it reads when the server is out of reach.
   */
  readonly keepCopy?: boolean;
  /**
   * Run on the server after its schema was checked and before anything is copied or heard (who
   * may open the vault: an active member). What it throws fails the opening; skipped when the
   * vault opens offline on its copy.
   */
  readonly admit?: (server: VaultDb) => Promise<void>;
  /**
   * Each change another app (or this one) announced, by its audit action, and `reconnected` when
   * changes may have been missed: the window's live updates (live-updates.ts). Heard only with
   * `keepCopy`, on the connection that refreshes the copy, so one LISTEN serves both.
   */
  readonly announce?: (action: string) => void;
  readonly timing?: Partial<ConnectionTiming>;
}

/**
 * Opens the team vault: online when the server answers and holds this build's schema; offline on
 * its last copy when the server is out of reach. Without any copy yet, an unreachable server is
 * `team.unreachable` (there is nothing to show), and (with `keepCopy`) the first copy is taken
 * before this returns.
 */
export async function openTeamVaultConnection(options: TeamVaultConnectionOptions): Promise<TeamVaultConnection> {
  const link = new TeamVaultLink(options);
  try {
    await link.start();
  } catch (error) {
    await link.close();
    throw error;
  }
  return link;
}

class TeamVaultLink implements TeamVaultConnection {
  private readonly connection: TeamConnection;
  private readonly server: string;
  private readonly file: string;
  private readonly timing: ConnectionTiming;
  private readonly online: VaultDb;
  private readonly listeners = new Set<(status: TeamConnectionStatus) => void>();
  private state: TeamConnectionStatus;
  private copy: VaultDb | null = null;
  private listener: TeamListener | null = null;
  private probing: Promise<boolean> | null = null;
  private probeTimer: NodeJS.Timeout | null = null;
  private probeDelay: number;
  private refreshTimer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private refreshAgain = false;
  private revisionTimer: NodeJS.Timeout | null = null;
  private copiedRevision: string | null = null;
  private closed = false;
  private readonly closing = new AbortController();
  private readonly keepCopy: boolean;

  constructor(private readonly options: TeamVaultConnectionOptions) {
    const { address } = parseTeamUrl(options.entry.url);
    this.connection = { address, password: options.password };
    this.server = hostPort(address);
    this.file = snapshotFile(options.dataDir, options.entry.teamId);
    this.timing = { ...defaultTiming, ...options.timing };
    this.keepCopy = options.keepCopy ?? true;
    this.probeDelay = this.timing.probeMinMs;
    this.online = postgresVaultDbOver(watchedPool(postgresVaultPool(this.connection), address, () => this.suspect()));
    this.state = { online: true, server: this.server, snapshotAt: snapshotTakenAt(this.file), offlineSince: null };
  }

  async start(): Promise<void> {
    try {
      await teamDbCall(this.connection.address, () => requirePostgresVaultSchema(this.online.db));
    } catch (error) {
      if (!(error instanceof VaultError && error.code === 'team.unreachable') || this.state.snapshotAt === null) throw error;
      this.goOffline();
      return;
    }
    await this.options.admit?.(this.online);
    if (!this.keepCopy) return;
    await this.listen();
    if (this.state.snapshotAt === null) {
      // Nothing to fall back on yet: a first copy that fails fails the opening, saying why.
      const first = this.copyServer({ rethrow: true });
      this.refreshing = first.catch(() => undefined);
      try {
        await first;
      } finally {
        this.refreshing = null;
      }
      if (this.state.snapshotAt === null) throw new VaultError('team.unreachable', { address: this.server, reason: 'lost while taking the first local copy' });
    } else {
      this.scheduleRefresh();
    }
    this.revisionTimer = setInterval(() => this.scheduleRefresh(), this.timing.revisionCheckMs);
    this.revisionTimer.unref();
  }

  current(): VaultDb {
    if (this.state.online) return this.online;
    // Opened when going offline. start() makes sure a copy exists; only one removed or damaged on
    // disk since then leaves none to show, and then nothing can be read either.
    if (!this.copy) throw this.offlineError();
    return this.copy;
  }

  serverDb(): VaultDb {
    if (!this.state.online) throw this.offlineError();
    return this.online;
  }

  status(): TeamConnectionStatus {
    return this.state;
  }

  onChange(listener: (status: TeamConnectionStatus) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  offlineError(): VaultError {
    const now = this.options.now();
    const { offlineSince, snapshotAt } = this.state;
    return new VaultError('team.offline', {
      name: this.options.entry.name,
      address: this.server,
      since: offlineClock(offlineSince ?? now.toISOString(), now),
      copyAt: snapshotAt === null ? '—' : offlineClock(snapshotAt, now),
    });
  }

  async refreshSnapshot(): Promise<void> {
    while (this.refreshing) await this.refreshing;
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = null;
    await this.runRefresh();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.closing.abort();
    for (const timer of [this.probeTimer, this.refreshTimer]) if (timer) clearTimeout(timer);
    if (this.revisionTimer) clearInterval(this.revisionTimer);
    this.listeners.clear();
    await this.refreshing?.catch(() => undefined);
    await this.probing?.catch(() => undefined);
    await this.listener?.close();
    await this.online.close().catch(() => undefined);
    await this.copy?.close();
    this.copy = null;
  }

  private setState(patch: Partial<TeamConnectionStatus>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener(this.state);
  }

  /** Something failed as if the server were gone: one probe decides, and only one runs at a time. */
  private suspect(): void {
    if (this.closed || !this.state.online || this.probing) return;
    void this.probe().then((reachable) => {
      if (!reachable) this.goOffline();
    });
  }

  /** A fresh connection of its own (the pool's may be stale): reachable when it answers a query. */
  private probe(): Promise<boolean> {
    this.probing ??= (async () => {
      const client = new pg.Client(clientConfig(this.connection));
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } catch (error) {
        if (!isConnectionFault(this.connection.address, error)) log.warn('team_vault_probe_refused', { address: this.server, reason: error instanceof Error ? error.message : String(error) });
        return false;
      } finally {
        await client.end().catch(() => undefined);
        this.probing = null;
      }
    })();
    return this.probing;
  }

  private goOffline(): void {
    if (this.closed) return;
    if (this.state.online || this.copy === null) this.openCopy();
    if (this.state.online) {
      log.warn('team_vault_offline', { address: this.server });
      this.setState({ online: false, offlineSince: this.options.now().toISOString(), snapshotAt: snapshotTakenAt(this.file) });
    }
    this.probeDelay = this.timing.probeMinMs;
    this.scheduleProbe();
  }

  /** The copy as it is now on disk (a refresh may have replaced it since it was last opened). */
  private openCopy(): void {
    try {
      const previous = this.copy;
      this.copy = openReadOnlySnapshot(this.file, () => this.offlineError());
      void previous?.close();
    } catch (error) {
      log.warn('team_vault_copy_unreadable', { file: this.file, reason: error instanceof Error ? error.message : String(error) });
    }
  }

  private scheduleProbe(): void {
    if (this.closed || this.probeTimer) return;
    this.probeTimer = setTimeout(() => {
      this.probeTimer = null;
      void this.probe().then(async (reachable) => {
        if (this.closed || this.state.online) return;
        if (!reachable) {
          this.probeDelay = Math.min(this.probeDelay * 2, this.timing.probeMaxMs);
          this.scheduleProbe();
          return;
        }
        await this.goOnline();
      });
    }, this.probeDelay);
    this.probeTimer.unref();
  }

  private async goOnline(): Promise<void> {
    log.info('team_vault_online', { address: this.server });
    this.setState({ online: true, offlineSince: null });
    // What changed meanwhile was never announced: whoever shows the vault reads it again.
    this.options.announce?.('reconnected');
    // The copy stays open until the next refresh: a reader that took it just before still finishes on it.
    if (this.keepCopy && !this.listener) await this.listen();
    this.scheduleRefresh();
  }

  /** Live updates: another app's change refreshes the copy and is announced; a dropped connection is a suspicion. */
  private async listen(): Promise<void> {
    const listener = new TeamListener(this.connection, {
      onNotification: (notification) => {
        this.scheduleRefresh();
        this.options.announce?.(notification.action);
      },
      onListening: (reconnected) => {
        if (!reconnected) return;
        this.scheduleRefresh();
        this.options.announce?.('reconnected');
      },
      onDisconnected: () => this.suspect(),
    });
    try {
      await listener.start();
      this.listener = listener;
    } catch (error) {
      // Started again when the vault next comes back online.
      log.warn('team_vault_listen_failed', { address: this.server, reason: error instanceof Error ? error.message : String(error) });
      await listener.close();
      this.suspect();
    }
  }

  private scheduleRefresh(): void {
    if (this.closed || !this.keepCopy || !this.state.online || this.refreshTimer) return;
    this.refreshTimer = setTimeout(() => {
      this.refreshTimer = null;
      void this.runRefresh();
    }, this.timing.refreshDebounceMs);
    this.refreshTimer.unref();
  }

  private runRefresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain = true;
      return this.refreshing;
    }
    this.refreshing = this.copyServer().finally(() => {
      this.refreshing = null;
      if (this.refreshAgain) {
        this.refreshAgain = false;
        this.scheduleRefresh();
      }
    });
    return this.refreshing;
  }

  /** Copies the server unless its revision is the one already copied. Failures leave the previous copy. */
  private async copyServer({ rethrow = false }: { rethrow?: boolean } = {}): Promise<void> {
    if (this.closed || !this.state.online) return;
    try {
      // Read before the copy: a commit in between makes the next check copy again, never miss it.
      const revision = await dataRevision(this.online);
      if (revision === this.copiedRevision && fs.existsSync(this.file)) return;
      // Windows cannot rename over a file that is open; going offline opens the new copy.
      const previous = this.copy;
      this.copy = null;
      await previous?.close();
      const written = await writeSnapshot(this.online, this.file, this.options.now, this.closing.signal);
      this.copiedRevision = revision;
      if (this.closed) return;
      // Went offline while copying: show the copy just finished (its server state is the newest there is).
      if (!this.state.online) this.openCopy();
      this.setState({ snapshotAt: written.takenAt });
    } catch (error) {
      if (rethrow) throw error;
      // Closing stops a copy half-way on purpose.
      if (!this.closed) log.warn('team_vault_copy_failed', { address: this.server, reason: error instanceof Error ? error.message : String(error) });
    }
  }
}

/**
 * A VaultDb that is always the connection's current one (the server, or the copy while offline).
 * Stores keep the VaultDb they were made with, so they are made with this one: each query
 * resolves the engine and database afresh, and a transaction stays on the one it began on.
 * Closing it closes nothing: the connection is its owner's. Its changes are audited with `audit`.
 */
export function followingVaultDb(connection: TeamVaultConnection, audit: AuditInTransaction): VaultDb {
  return {
    audit,
    get db() {
      return connection.current().db;
    },
    get engine() {
      return connection.current().engine;
    },
    get sqliteFile() {
      return connection.current().sqliteFile;
    },
    close: async () => undefined,
  };
}
