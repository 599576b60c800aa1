import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { VaultBridge } from '../../../shared/ipc';

// The preload runs against a stand-in for electron's contextBridge and ipcRenderer (the real
// module is never loaded: under plain Node it would try to download Electron).

const exposed = new Map<string, unknown>();
const listeners = new Map<string, Set<(...args: unknown[]) => void>>();
const invoke = vi.fn(async (channel: string, request: unknown) => ({ ok: true, value: { channel, request } }));

vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
  ipcRenderer: {
    invoke: (channel: string, request: unknown) => invoke(channel, request),
    on: (event: string, listener: (...args: unknown[]) => void) => {
      const set = listeners.get(event) ?? new Set();
      set.add(listener);
      listeners.set(event, set);
    },
    removeListener: (event: string, listener: (...args: unknown[]) => void) => listeners.get(event)?.delete(listener),
  },
}));

let vault: VaultBridge;

beforeEach(async () => {
  vi.resetModules();
  exposed.clear();
  listeners.clear();
  invoke.mockClear();
  await import('../../../main/electron/preload');
  vault = exposed.get('vault') as VaultBridge;
});

describe('preload', () => {
  it('exposes exactly window.vault with invoke and on', () => {
    expect([...exposed.keys()]).toEqual(['vault']);
    expect(Object.keys(vault).sort()).toEqual(['invoke', 'on']);
  });

  it('forwards contract channels to ipcRenderer.invoke', async () => {
    await expect(vault.invoke('settings.get', {})).resolves.toEqual({ ok: true, value: { channel: 'settings.get', request: {} } });
    expect(invoke).toHaveBeenCalledWith('settings.get', {});
  });

  it('answers an unknown channel itself, without reaching the main process', async () => {
    const result = await (vault.invoke as (channel: string, request: unknown) => Promise<unknown>)('shell.openExternal', {});
    expect(result).toMatchObject({ ok: false, error: { code: 'ipc.unknown_channel' } });
    expect(invoke).not.toHaveBeenCalled();
  });

  it('delivers events without the IPC event object, and unsubscribes', () => {
    const received: unknown[] = [];
    const off = vault.on('library.changed', (payload) => received.push(payload));
    const [forward] = listeners.get('library.changed') ?? [];
    forward?.({ sender: 'ipcRenderer' }, { reason: 'import' });
    expect(received).toEqual([{ reason: 'import' }]);
    off();
    expect(listeners.get('library.changed')?.size).toBe(0);
  });

  it('refuses to subscribe to anything but contract events', () => {
    expect(() => (vault.on as (event: string, listener: () => void) => void)('ipc-internal', () => undefined)).toThrow(/Unknown event/);
    expect(listeners.size).toBe(0);
  });
});
