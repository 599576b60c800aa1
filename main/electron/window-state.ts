import fs from 'node:fs';
import { writeJsonAtomic } from '../core/settings-store';
import { log } from '../core/log';

// Window size and position, remembered across launches in `window-state.json` in the data folder.

export interface WindowState {
  readonly x?: number;
  readonly y?: number;
  readonly width: number;
  readonly height: number;
  readonly maximized: boolean;
}

export interface Area {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export const defaultWindowState: WindowState = { width: 1200, height: 800, maximized: false };

const MIN_VISIBLE = 100;

export function readWindowState(file: string): WindowState {
  try {
    const value: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return isWindowState(value) ? value : defaultWindowState;
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) log.warn('window_state_unreadable', { file, error });
    return defaultWindowState;
  }
}

export function writeWindowState(file: string, state: WindowState): void {
  try {
    writeJsonAtomic(file, state);
  } catch (error) {
    log.warn('window_state_not_saved', { file, error });
  }
}

/**
 * The saved state, moved back on screen: when the display it was on is gone (a laptop undocked)
 * the position is dropped so the OS centres the window, and the size shrinks to the largest display.
 */
export function fitToDisplays(state: WindowState, workAreas: readonly Area[]): WindowState {
  const largest = workAreas.reduce<Area | null>((best, area) => (!best || area.width * area.height > best.width * best.height ? area : best), null);
  const width = largest ? Math.min(state.width, largest.width) : state.width;
  const height = largest ? Math.min(state.height, largest.height) : state.height;
  const { x, y } = state;
  if (x === undefined || y === undefined) return { width, height, maximized: state.maximized };
  const window: Area = { x, y, width, height };
  const visible = workAreas.some((area) => overlap(window, area) >= MIN_VISIBLE * MIN_VISIBLE);
  return visible ? { x, y, width, height, maximized: state.maximized } : { width, height, maximized: state.maximized };
}

function overlap(a: Area, b: Area): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

function isWindowState(value: unknown): value is WindowState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  const int = (n: unknown) => typeof n === 'number' && Number.isInteger(n);
  const size = (n: unknown) => int(n) && (n as number) >= 200 && (n as number) <= 20000;
  return (
    size(v.width) &&
    size(v.height) &&
    typeof v.maximized === 'boolean' &&
    (v.x === undefined || int(v.x)) &&
    (v.y === undefined || int(v.y))
  );
}
