import { beforeEach, describe, expect, it, vi } from 'vitest';
import { channels } from '../../../shared/ipc';
import { testHandlerContext } from './handler-context';

// registerIpc against a stand-in ipcMain (the electron module itself is never loaded).

type Handler = (event: unknown, request: unknown) => Promise<unknown>;
const handlers = new Map<string, Handler>();

vi.mock('electron', () => ({
  ipcMain: { handle: (channel: string, handler: Handler) => handlers.set(channel, handler) },
}));

const { registerIpc, windowEvents } = await import('../../../main/electron/ipc');

const mainFrame = { processId: 4, routingId: 1, url: 'app://cert-vault/index.html' };
const webContents = { id: 7, mainFrame, send: vi.fn() };
const window = { webContents, isDestroyed: () => false };

function event(overrides: { sender?: { id: number }; senderFrame?: object | null } = {}) {
  return { sender: { id: 7 }, senderFrame: { ...mainFrame }, ...overrides };
}

beforeEach(() => {
  handlers.clear();
  webContents.send.mockClear();
  registerIpc(() => testHandlerContext(), () => window as never, null);
});

describe('registerIpc', () => {
  it('registers exactly one handler per contract channel', () => {
    expect([...handlers.keys()].sort()).toEqual([...channels].sort());
  });

  it("answers our window's main frame", async () => {
    await expect(handlers.get('app.info')?.(event(), {})).resolves.toMatchObject({ ok: true });
  });

  it.each([
    ['another webContents', event({ sender: { id: 8 } })],
    ['an iframe of our window', event({ senderFrame: { ...mainFrame, routingId: 2 } })],
    ['a frame in another process', event({ senderFrame: { ...mainFrame, processId: 5 } })],
    ['a frame that navigated away', event({ senderFrame: { ...mainFrame, url: 'https://evil.example/' } })],
    ['a destroyed frame', event({ senderFrame: null })],
  ])('refuses %s', async (_name, ev) => {
    await expect(handlers.get('app.info')?.(ev, {})).resolves.toMatchObject({ ok: false, error: { code: 'ipc.forbidden_sender' } });
  });

  it('lets the window name only files its dialogs returned, remembered across requests', async () => {
    const inspect = handlers.get('inspect.paths')!;
    await expect(inspect(event(), { paths: ['/tmp/chosen.pem'] })).resolves.toMatchObject({ ok: false, error: { code: 'ipc.path_not_chosen' } });
    await expect(handlers.get('files.choose')?.(event(), { purpose: 'inspect' })).resolves.toEqual({ ok: true, value: { paths: ['/tmp/chosen.pem'] } });
    await expect(inspect(event(), { paths: ['/tmp/chosen.pem'] })).resolves.not.toMatchObject({ error: { code: 'ipc.path_not_chosen' } });
  });

  it('refuses everything when the window is gone', async () => {
    handlers.clear();
    registerIpc(() => testHandlerContext(), () => null, null);
    await expect(handlers.get('app.info')?.(event(), {})).resolves.toMatchObject({ ok: false, error: { code: 'ipc.forbidden_sender' } });
  });
});

describe('windowEvents', () => {
  it('sends push events to our window, and drops them when there is none', () => {
    windowEvents(() => window as never).emit('library.changed', { reason: 'import' });
    expect(webContents.send).toHaveBeenCalledWith('library.changed', { reason: 'import' });
    expect(() => windowEvents(() => null).emit('library.changed', { reason: 'delete' })).not.toThrow();
  });
});
