import { afterAll, afterEach, beforeAll } from 'vitest';
import type { RunningEmulator } from '../../emulators/server';

/**
 * One emulator for the enclosing describe block: started before its tests, closed after them.
 * With `isolate`, each test starts from an empty store and no faults, so no test sees another's
 * uploads; without, the block's tests share one history (a keep-alive SDK, a list after an upload).
 * The returned getter works from the block's beforeAll on.
 */
export function useEmulator(start: () => Promise<RunningEmulator>, { isolate }: { readonly isolate: boolean }): () => RunningEmulator {
  let emulator: RunningEmulator | undefined;
  beforeAll(async () => {
    emulator = await start();
  });
  if (isolate) {
    afterEach(() => {
      emulator?.state.reset();
      emulator?.faults.clear();
    });
  }
  afterAll(() => emulator?.close());
  return () => {
    if (!emulator) throw new Error('the emulator starts in beforeAll: use it in a test or a hook');
    return emulator;
  };
}
