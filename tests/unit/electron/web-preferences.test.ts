import { describe, expect, it } from 'vitest';
import { mainWindowOptions, secureWebPreferences } from '../../../main/electron/web-preferences';
import { expectedWebPreferences } from './expected-web-preferences';

describe('secureWebPreferences', () => {
  it.each([false, true])('isolates and sandboxes the renderer (dev=%s)', (dev) => {
    const prefs = secureWebPreferences('/app/dist/main/preload.cjs', dev);
    expect(prefs).toEqual(expectedWebPreferences('/app/dist/main/preload.cjs', dev));
  });

  it('opens devtools only in development', () => {
    expect(secureWebPreferences('p', false).devTools).toBe(false);
    expect(secureWebPreferences('p', true).devTools).toBe(true);
  });

  it('sets nothing that loosens security', () => {
    const prefs = secureWebPreferences('p', false);
    expect(prefs).not.toHaveProperty('enableBlinkFeatures');
    expect(prefs).not.toHaveProperty('additionalArguments');
    expect(prefs).not.toHaveProperty('partition');
  });
});

describe('mainWindowOptions', () => {
  it('uses the secure preferences and starts hidden until the page is ready', () => {
    const options = mainWindowOptions({ x: 10, y: 20, width: 1000, height: 700 }, 'preload.cjs', false);
    expect(options).toMatchObject({ x: 10, y: 20, width: 1000, height: 700, show: false, title: 'Cert Vault' });
    expect(options.webPreferences).toEqual(secureWebPreferences('preload.cjs', false));
  });
});
