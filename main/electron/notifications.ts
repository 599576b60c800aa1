import { Notification, type BrowserWindow } from 'electron';
import type { DesktopNotice } from '../core/alerts/desktop';
import type { EventSink } from '../core/ipc/context';

// The desktop notification's Electron half: show the notice main/core decided on; a click brings
// the window to the front on the Overview, where the certificates it names are listed.

/** Held until closed: a Notification collected by the GC no longer delivers its click. */
const showing = new Set<Notification>();

export function showDesktopNotice(notice: DesktopNotice, mainWindow: () => BrowserWindow | null, events: EventSink): boolean {
  if (!Notification.isSupported()) return false;
  const notification = new Notification({ title: notice.title, body: notice.body });
  showing.add(notification);
  notification.on('close', () => showing.delete(notification));
  notification.on('click', () => {
    const window = mainWindow();
    if (!window || window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
    events.emit('app.navigate', { screen: 'overview' });
  });
  notification.show();
  return true;
}
