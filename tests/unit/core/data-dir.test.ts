import { describe, expect, it } from 'vitest';
import { resolveDataDir } from '../../../main/core/data-dir';

const base = { env: {}, homedir: '/home/alice', cwd: '/work' } as const;

describe('resolveDataDir', () => {
  it('follows Electron userData on each OS', () => {
    expect(resolveDataDir({ ...base, platform: 'linux' })).toBe('/home/alice/.config/Cert Vault');
    expect(resolveDataDir({ ...base, platform: 'darwin', homedir: '/Users/alice' })).toBe('/Users/alice/Library/Application Support/Cert Vault');
    expect(
      resolveDataDir({ ...base, platform: 'win32', homedir: 'C:\\Users\\alice', env: { APPDATA: 'C:\\Users\\alice\\AppData\\Roaming' } }),
    ).toBe('C:\\Users\\alice\\AppData\\Roaming\\Cert Vault');
  });

  it('uses an absolute XDG_CONFIG_HOME on Linux and ignores a relative one', () => {
    expect(resolveDataDir({ ...base, platform: 'linux', env: { XDG_CONFIG_HOME: '/cfg' } })).toBe('/cfg/Cert Vault');
    expect(resolveDataDir({ ...base, platform: 'linux', env: { XDG_CONFIG_HOME: 'cfg' } })).toBe('/home/alice/.config/Cert Vault');
  });

  it('lets CERTVAULT_HOME and then --home override, relative to the working folder', () => {
    const env = { CERTVAULT_HOME: '/srv/vault', XDG_CONFIG_HOME: '/cfg' };
    expect(resolveDataDir({ ...base, platform: 'linux', env })).toBe('/srv/vault');
    expect(resolveDataDir({ ...base, platform: 'linux', env, home: 'here' })).toBe('/work/here');
    expect(resolveDataDir({ ...base, platform: 'darwin', env: { CERTVAULT_HOME: ' ' } })).toBe('/home/alice/Library/Application Support/Cert Vault');
  });
});
