import { sql, type Transaction } from 'kysely';
import type { TeamDatabase } from './schema';

// Every change to a team vault is announced on one channel so other open apps refresh. NOTIFY
// inside the writing transaction is delivered only if and when it commits.

export const NOTIFY_CHANNEL = 'certvault';

export interface TeamNotification {
  readonly action: string;
  readonly subject: string | null;
  /** The audit row that records the change. */
  readonly seq: string;
}

export async function notifyChange(tx: Transaction<TeamDatabase>, notification: TeamNotification): Promise<void> {
  await sql`SELECT pg_notify(${NOTIFY_CHANNEL}, ${JSON.stringify(notification)})`.execute(tx);
}
