import type Database from 'better-sqlite3';
import { openDatabase } from '../db/open';
import type { HandlerContext } from '../ipc/context';
import { dueNotifications, markNotified } from './index';
import type { DueNotification } from './decide';
import { expiringCertificates, type ExpiringCertificate } from './radar';

// The alerts behind a handler context: the vault database, the context's clock and Settings threshold.

export class AlertService {
  constructor(
    readonly db: Database.Database,
    private readonly ctx: Pick<HandlerContext, 'now' | 'settings'>,
  ) {}

  /** Due within `days` (default: the Settings threshold), soonest first. */
  expiring(days?: number): ExpiringCertificate[] {
    return expiringCertificates(this.db, this.ctx.now(), days ?? this.ctx.settings.get().expiringWithinDays);
  }

  due(withinDays?: number): DueNotification[] {
    return dueNotifications(this.db, this.ctx.now(), {
      expiringWithinDays: this.ctx.settings.get().expiringWithinDays,
      ...(withinDays === undefined ? {} : { withinDays }),
    });
  }

  markNotified(notifications: readonly DueNotification[]): void {
    markNotified(this.db, notifications, this.ctx.now());
  }
}

const opened = new WeakMap<HandlerContext, AlertService>();

/** Opened on first use over the vault database in `ctx.dataDir`. */
export function alertsOf(ctx: HandlerContext): AlertService {
  let service = opened.get(ctx);
  if (!service) {
    service = new AlertService(openDatabase(ctx.dataDir), ctx);
    opened.set(ctx, service);
  }
  return service;
}
