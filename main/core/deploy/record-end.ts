import { isVaultOutOfReach } from '../db/vault-db';
import { log } from '../log';
import type { Clock } from '../uploads/clock';

// A step's closing record (its status, its unfinished resources, the deployment's end) must land,
// or the history says "running" for as long as this process lives: its own process id keeps the
// claim alive (row-owner.ts), so no sweep would ever end it. On a team vault the server may be
// gone at that moment (restarted, network cut, the vault offline on its read-only copy): the write
// is tried again, with growing pauses, until the vault is back (it reconnects by itself). These
// writes set values rather than add to them, so one that reached the server before its answer
// was cut does no harm when written again. Any other error is thrown as before.

const FIRST_PAUSE_MS = 250;
const LONGEST_PAUSE_MS = 15_000;

export async function recordWhenReachable(clock: Clock, what: string, write: () => Promise<void>): Promise<void> {
  for (let pause = FIRST_PAUSE_MS; ; pause = Math.min(pause * 2, LONGEST_PAUSE_MS)) {
    try {
      await write();
      return;
    } catch (error) {
      if (!isVaultOutOfReach(error)) throw error;
      log.warn('deploy_record_waiting', { what, pauseMs: pause });
      await clock.sleep(pause);
    }
  }
}
