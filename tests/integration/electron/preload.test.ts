import { beforeEach, describe, expect, it } from 'vitest';
import { channels, eventNames, type VaultBridge } from '../../../shared/ipc';
import { runPreload, type PreloadRun } from '../../electron-double';
import { built } from './harness';

// The BUILT preload (dist/main/preload.cjs) in a context shaped like Electron's sandboxed preload:
// a `require` that knows only electron, events, timers and url, and a main world that receives
// only what contextBridge copies across.

let run: PreloadRun;
let sent: { channel: string; args: unknown[] }[];
let vault: VaultBridge;

beforeEach(() => {
  sent = [];
  run = runPreload(built.preload, {
    transport: {
      invoke: async (channel, args) => {
        sent.push({ channel, args });
        return { ok: true, value: { echo: channel } };
      },
    },
    contextIsolation: true,
    sandboxed: true,
  });
  vault = run.mainWorld.vault as VaultBridge;
});

describe('the built preload', () => {
  it('runs in the sandbox requiring nothing but electron', () => {
    expect(run.error).toBeNull();
    expect(run.required).toEqual(['electron']);
  });

  it('exposes exactly window.vault with invoke and on, frozen', () => {
    expect(Object.keys(run.mainWorld)).toEqual(['vault']);
    expect(Object.keys(vault).sort()).toEqual(['invoke', 'on']);
    expect(Object.isFrozen(vault)).toBe(true);
  });

  it.each(channels)('passes %s through to the main process', async (channel) => {
    await expect(vault.invoke(channel, {} as never)).resolves.toEqual({ ok: true, value: { echo: channel } });
    expect(sent).toEqual([{ channel, args: [{}] }]);
  });

  it.each(['shell.openExternal', 'app.info ', '__proto__', '', 42])('answers unknown channel %j itself', async (channel) => {
    const result = await (vault.invoke as (channel: unknown, request: unknown) => Promise<unknown>)(channel, {});
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc.unknown_channel' } });
    expect(sent).toEqual([]);
  });

  it.each(eventNames)('delivers %s events without the IPC event object, until unsubscribed', (event) => {
    const received: unknown[] = [];
    const off = vault.on(event, (payload) => received.push(payload));
    run.deliver(event, [{ n: 1 }]);
    off();
    run.deliver(event, [{ n: 2 }]);
    expect(received).toEqual([{ n: 1 }]);
  });

  it.each(['ipc-internal', 'library.changed ', 'ELECTRON_BROWSER_WINDOW_ALERT'])('refuses to subscribe to unknown event %j', (event) => {
    expect(() => (vault.on as (event: string, listener: () => void) => void)(event, () => undefined)).toThrow(/Unknown event/);
  });
});
