import { ipcMain, type BrowserWindow, type IpcMainInvokeEvent } from 'electron';
import { channels } from '../../shared/ipc';
import type { EventSink, HandlerContext } from '../core/ipc/context';
import { handleInvoke, type SenderFrame } from './ipc-guard';
import { PathGrants } from './path-grants';

type WindowGetter = () => BrowserWindow | null;

/**
 * A loop over the contract: one ipcMain handler per channel, each going through the sender check and
 * dispatch, on the context of the vault in use when the request arrives.
 */
export function registerIpc(context: () => HandlerContext, mainWindow: WindowGetter, devServer: URL | null): void {
  const grants = new PathGrants();
  for (const channel of channels) {
    ipcMain.handle(channel, (event, request: unknown) =>
      handleInvoke(context(), senderFrame(event, mainWindow()), channel, request, devServer, grants),
    );
  }
}

function senderFrame(event: IpcMainInvokeEvent, window: BrowserWindow | null): SenderFrame | null {
  const frame = event.senderFrame;
  if (!frame || !window || window.isDestroyed()) return null;
  const main = window.webContents.mainFrame;
  const isOurMainFrame =
    event.sender.id === window.webContents.id && frame.processId === main.processId && frame.routingId === main.routingId;
  return { url: frame.url, isOurMainFrame };
}

/** Push events go to our window only; with no window open they have no audience and are dropped. */
export function windowEvents(mainWindow: WindowGetter): EventSink {
  return {
    emit(event, payload) {
      const window = mainWindow();
      if (window && !window.isDestroyed()) window.webContents.send(event, payload);
    },
  };
}
