import { beforeEach, describe, expect, it, vi } from 'vitest';

// electronDialogs against a stand-in dialog module (the electron module itself is never loaded).

const showSaveDialog = vi.fn(async (_options: { defaultPath?: string }) => ({ canceled: false, filePath: '/home/alice/site.pem' }));
vi.mock('electron', () => ({ dialog: { showSaveDialog } }));

const { electronDialogs, fileNameOnly } = await import('../../../main/electron/dialogs');

beforeEach(() => showSaveDialog.mockClear());

describe('the save dialog', () => {
  it.each([
    ['site.fullchain.pem', 'site.fullchain.pem'],
    ['../../.bashrc', '.bashrc'],
    ['/etc/cron.d/job', 'job'],
    ['C:\\Users\\alice\\Startup\\run.cmd', 'run.cmd'],
    ['..', 'export'],
    ['dir/', 'export'],
  ])('suggests only the file name of %j', (suggested, shown) => {
    expect(fileNameOnly(suggested)).toBe(shown);
  });

  it('opens on the file name the page suggested, in no particular folder, and returns the choice', async () => {
    const chosen = await electronDialogs(() => null, () => 'en').chooseSave('export', '../../.ssh/authorized_keys');
    expect(showSaveDialog.mock.calls[0]?.[0]).toMatchObject({ defaultPath: 'authorized_keys' });
    expect(chosen).toBe('/home/alice/site.pem');
  });
});
