import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { log } from '../../../main/core/log';
import { defaultWindowState, fitToDisplays, readWindowState, writeWindowState } from '../../../main/electron/window-state';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-window-'));
  log.setSink(null);
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
  log.setSink((line) => process.stderr.write(`${line}\n`));
});

describe('window state file', () => {
  it('round-trips size, position and maximized', () => {
    const file = path.join(dir, 'window-state.json');
    writeWindowState(file, { x: 40, y: 50, width: 1300, height: 850, maximized: true });
    expect(readWindowState(file)).toEqual({ x: 40, y: 50, width: 1300, height: 850, maximized: true });
  });

  it.each(['', '{', '[]', '{"width":"wide","height":800,"maximized":false}', '{"width":10,"height":10,"maximized":false}'])(
    'falls back to the default for %j',
    (content) => {
      const file = path.join(dir, 'window-state.json');
      fs.writeFileSync(file, content);
      expect(readWindowState(file)).toEqual(defaultWindowState);
    },
  );

  it('uses the default when there is no file yet', () => {
    expect(readWindowState(path.join(dir, 'missing.json'))).toEqual(defaultWindowState);
  });
});

describe('fitToDisplays', () => {
  const laptop = { x: 0, y: 0, width: 1440, height: 900 };
  const external = { x: 1440, y: 0, width: 2560, height: 1440 };

  it('keeps a window that is on a display', () => {
    const state = { x: 1600, y: 100, width: 1400, height: 900, maximized: false };
    expect(fitToDisplays(state, [laptop, external])).toEqual(state);
  });

  it('drops the position of a window whose display is gone, and shrinks it to fit', () => {
    const state = { x: 1600, y: 100, width: 2000, height: 1200, maximized: false };
    expect(fitToDisplays(state, [laptop])).toEqual({ width: 1440, height: 900, maximized: false });
  });
});
