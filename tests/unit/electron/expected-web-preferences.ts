/**
 * The window's web preferences as Electron's security checklist wants them, written out rather
 * than taken from main/electron so that a loosened preference fails the tests that compare.
 */
export function expectedWebPreferences(preload: string, dev: boolean): Record<string, unknown> {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: false,
    devTools: dev,
  };
}
