import os from 'node:os';
import path from 'node:path';

// Integration tests write to the real Secret Service. They run only inside the throwaway session
// of scripts/with-keyring.sh (which sets CERTVAULT_TEST_KEYRING=1 and a HOME in a temp folder),
// so a plain `vitest run` can never write test keys into a developer's own login keychain.

export function assertThrowawayKeyring(): void {
  const home = process.env.HOME ?? '';
  const inSandbox =
    process.env.CERTVAULT_TEST_KEYRING === '1' &&
    Boolean(process.env.DBUS_SESSION_BUS_ADDRESS) &&
    path.basename(path.dirname(home)).startsWith('certvault-keyring.') &&
    home.startsWith(os.tmpdir());
  if (!inSandbox) {
    throw new Error(
      'These tests use the real OS keychain and must run inside scripts/with-keyring.sh ' +
        '(e.g. scripts/with-keyring.sh npx vitest run tests/integration/vault); refusing to touch your own keychain.',
    );
  }
}

export const insideThrowawayKeyring = (): boolean => {
  try {
    assertThrowawayKeyring();
    return true;
  } catch {
    return false;
  }
};
