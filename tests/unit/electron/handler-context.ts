import type { Settings } from '../../../shared/ipc';
import { defaultLibrarySort } from '../../../shared/library';
import type { HandlerContext } from '../../../main/core/ipc/context';

/** A HandlerContext with in-memory settings, for tests of the IPC path. */
export function testHandlerContext(overrides: Partial<HandlerContext> = {}): HandlerContext {
  let settings: Settings = { language: 'system', theme: 'system', expiringWithinDays: 30, autoSync: 'off', librarySort: defaultLibrarySort };
  return {
    dataDir: '/nonexistent/cert-vault-test',
    appVersion: '0.0.0-test',
    platform: 'linux',
    systemLocale: 'en',
    dialogs: { chooseFiles: async () => ['/tmp/chosen.pem'], chooseSave: async () => null, confirmEndpoint: async () => false, confirmAccount: async () => false, confirmDataKeyReset: async () => false },
    events: { emit: () => undefined },
    settings: {
      get: () => settings,
      update: (patch) => (settings = { ...settings, ...patch }),
    },
    now: () => new Date('2026-01-01T00:00:00Z'),
    ...overrides,
  };
}
