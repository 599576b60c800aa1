import { describe, expect, it } from 'vitest';
import { DEFAULT_DEV_SERVER_URL, devServerUrl } from '../../../main/electron/dev-server';

describe('devServerUrl', () => {
  it('is off unless --dev is given to an unpackaged app', () => {
    expect(devServerUrl(['electron', '.'], {}, false)).toBeNull();
    expect(devServerUrl(['cert-vault', '--dev'], {}, true)).toBeNull();
    expect(devServerUrl(['electron', '.', '--dev'], {}, false)?.href).toBe(DEFAULT_DEV_SERVER_URL);
  });

  it('takes a loopback URL from CERTVAULT_DEV_SERVER_URL', () => {
    expect(devServerUrl(['--dev'], { CERTVAULT_DEV_SERVER_URL: 'http://localhost:5180/' }, false)?.origin).toBe('http://localhost:5180');
  });

  it.each(['https://example.com/', 'http://192.168.1.10:5173/', 'file:///tmp/index.html', 'http://127.0.0.1.evil.example/', 'nonsense'])(
    'refuses to load anything else: %s',
    (url) => {
      expect(() => devServerUrl(['--dev'], { CERTVAULT_DEV_SERVER_URL: url }, false)).toThrow(/CERTVAULT_DEV_SERVER_URL/);
    },
  );
});
