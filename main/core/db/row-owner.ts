import { actorName, localActor, type Actor } from '../ipc/actor';

// Rows that stand for work in progress (a running deployment step, a pending upload) carry who
// holds them: the process id, the machine and the person. A refusal names the person and machine;
// the crash sweep uses the rest.
//
// A process id only means something on its own machine, so another machine's row is judged by its
// heartbeat instead: the holder refreshes `heartbeat_at` every HEARTBEAT_INTERVAL_MS while it
// runs, and the row counts as abandoned once the heartbeat is older than LEASE_MS. The lease is
// six missed beats: long enough that a busy event loop, a slow database round trip or clocks a
// minute or two apart between members do not end a live claim, short enough that a crashed
// member's claim clears within minutes. Ending a claim that was in fact still alive (a laptop
// asleep past the lease) is safe: the row becomes 'unknown', which still blocks a second run
// until someone checks it, and the holder's own finish overwrites it when it wakes.

export const HEARTBEAT_INTERVAL_MS = 30_000;
export const LEASE_MS = 6 * HEARTBEAT_INTERVAL_MS;

export interface RowOwner {
  readonly pid: number;
  readonly machine: string;
  readonly name: string;
}

export function ownerOf(actor: Actor = localActor(), pid: number = process.pid): RowOwner {
  return { pid, machine: actor.machine, name: actorName(actor) };
}

/** The owner columns as stored (null in rows written before migration 10, or once finished). */
export interface OwnerColumns {
  readonly owner_pid: number | null;
  readonly owner_machine: string | null;
  readonly owner_name: string | null;
  readonly heartbeat_at: string | null;
}

export const ownerColumns = (owner: RowOwner, at: string): OwnerColumns => ({ owner_pid: owner.pid, owner_machine: owner.machine, owner_name: owner.name, heartbeat_at: at });

/**
 * Whether the holder of an in-progress row is gone. On this machine (or a row that predates the
 * machine column: only this machine wrote those) the process id says so; elsewhere the heartbeat.
 */
export function isAbandoned(row: OwnerColumns, self: RowOwner, now: Date, isAlive: (pid: number) => boolean): boolean {
  if (row.owner_pid === null) return true;
  if (row.owner_machine === null || row.owner_machine === self.machine) return row.owner_pid !== self.pid && !isAlive(row.owner_pid);
  return row.heartbeat_at === null || now.getTime() - Date.parse(row.heartbeat_at) > LEASE_MS;
}

/** Who holds a row, for a refusal; rows written before the owner columns name nobody. */
export interface Holder {
  readonly name: string | null;
  readonly machine: string | null;
  /** When the holder started (ISO). */
  readonly since: string;
}

/**
 * Keeps this process's claims alive: while at least one piece of work holds it, `beat` runs every
 * HEARTBEAT_INTERVAL_MS. The timer never keeps the process alive by itself.
 */
export class Heartbeat {
  private holds = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly beat: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
    private readonly intervalMs = HEARTBEAT_INTERVAL_MS,
  ) {}

  /** Holds the heartbeat until the returned function is called (once). */
  hold(): () => void {
    this.holds += 1;
    if (this.timer === null) {
      this.timer = setInterval(() => void this.beat().catch(this.onError), this.intervalMs);
      this.timer.unref?.();
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holds -= 1;
      if (this.holds === 0 && this.timer !== null) {
        clearInterval(this.timer);
        this.timer = null;
      }
    };
  }
}

/**
 * A holder as a refusal's params: `owner`, `machine`, `since` (this computer's local time; the
 * date too unless today) and `startedAt` (ISO, for --json readers).
 */
export function holderParams(holder: Holder, now: Date): { owner: string; machine: string; since: string; startedAt: string } {
  const started = new Date(holder.since);
  const pad = (n: number) => String(n).padStart(2, '0');
  const day = (d: Date) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  const time = `${pad(started.getHours())}:${pad(started.getMinutes())}`;
  return {
    // Rows from before migration 10 name nobody; a dash says so without inventing a name.
    owner: holder.name ?? '—',
    machine: holder.machine ?? '—',
    since: day(started) === day(now) ? time : `${day(started)} ${time}`,
    startedAt: holder.since,
  };
}
