import { contextBridge, ipcRenderer } from 'electron';
import type { ErrorInfo, Result } from '../../shared/errors';
import { isChannel, isEventName, type EventName } from '../../shared/channels';
import type { Events, VaultBridge } from '../../shared/ipc';

// Everything the page can reach in the main process: window.vault.invoke and window.vault.on.
// ipcRenderer itself is never exposed, and only contract channel and event names pass. Imports
// are type-only apart from the name lists, so the preload stays a few KB (no zod, no catalogs).

const vault: VaultBridge = {
  invoke(channel, request) {
    if (!isChannel(channel)) {
      const name = String(channel).slice(0, 80);
      const error: ErrorInfo = { code: 'ipc.unknown_channel', message: `Unknown request "${name}".`, params: { channel: name } };
      return Promise.resolve({ ok: false, error } satisfies Result<never>);
    }
    return ipcRenderer.invoke(channel, request);
  },
  on<E extends EventName>(event: E, listener: (payload: Events[E]) => void): () => void {
    if (!isEventName(event)) throw new TypeError(`Unknown event "${String(event).slice(0, 80)}"`);
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    // The IpcRendererEvent is dropped: it carries `sender`, i.e. ipcRenderer.
    const forward = (_event: unknown, payload: Events[E]) => listener(payload);
    ipcRenderer.on(event, forward);
    return () => {
      ipcRenderer.removeListener(event, forward);
    };
  },
};

contextBridge.exposeInMainWorld('vault', vault);
