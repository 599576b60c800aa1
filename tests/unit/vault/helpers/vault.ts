import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Vault } from '../../../../main/core/library/vault';
import { MemorySecretStore } from './memory-secret-store';

export interface TestVault {
  readonly vault: Vault;
  readonly secrets: MemorySecretStore;
  readonly dir: string;
  /** Closes and reopens the same folder with the same keychain (a restart). */
  reopen(): Vault;
  cleanup(): void;
}

export function openTestVault(now: () => Date = () => new Date()): TestVault {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-test-'));
  const secrets = new MemorySecretStore();
  let vault = Vault.open({ dataDir: dir, secrets, now });
  return {
    get vault() {
      return vault;
    },
    secrets,
    dir,
    reopen() {
      vault.close();
      vault = Vault.open({ dataDir: dir, secrets, now });
      return vault;
    },
    cleanup() {
      vault.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function text(name: string, ...parts: string[]): { name: string; data: Uint8Array } {
  return { name, data: Buffer.from(parts.join(''), 'utf8') };
}
