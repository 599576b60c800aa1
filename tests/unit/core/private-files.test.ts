import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { cliLogSink } from '../../../main/cli/log-sink';
import { openDatabase } from '../../../main/core/db/open';
import { FileSettingsStore } from '../../../main/core/settings-store';

// The data folder and what it holds are the user's alone on POSIX: 0700 and 0600, whatever the
// umask, and an existing looser vault is tightened when it is opened.

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function home(): string {
  const root = mkdtempSync(join(tmpdir(), 'certvault-modes-'));
  roots.push(root);
  return join(root, 'Cert Vault');
}

function modeOf(file: string): number {
  return statSync(file).mode & 0o777;
}

describe.skipIf(process.platform === 'win32')('private files', () => {
  it('creates the data folder 0700 and vault.db, its WAL and SHM 0600, even under umask 022', () => {
    const previous = process.umask(0o022);
    try {
      const dataDir = home();
      const db = openDatabase(dataDir);
      db.prepare("INSERT INTO vault_meta (key, value) VALUES ('probe', 'x')").run();
      expect(modeOf(dataDir)).toBe(0o700);
      for (const file of ['vault.db', 'vault.db-wal', 'vault.db-shm']) expect(modeOf(join(dataDir, file)), file).toBe(0o600);
      db.close();
    } finally {
      process.umask(previous);
    }
  });

  it('tightens an existing vault that an older version left readable by others', () => {
    const dataDir = home();
    openDatabase(dataDir).close();
    mkdirSync(join(dataDir, 'logs'), { recursive: true });
    const loose = ['vault.db', 'vault.db-wal', 'vault.db-shm', 'settings.json', 'logs/cli.log'].map((name) => join(dataDir, name));
    for (const file of loose) writeFileSync(file, file.endsWith('.json') ? '{}' : '', { flag: 'a' });
    for (const file of loose) chmodSync(file, 0o644);
    chmodSync(join(dataDir, 'logs'), 0o755);
    chmodSync(dataDir, 0o755);

    // Checked while open: closing the last connection removes the WAL and SHM.
    const db = openDatabase(dataDir);
    new FileSettingsStore(dataDir);
    cliLogSink({}, () => dataDir)?.('{"event":"probe"}');

    expect(modeOf(dataDir)).toBe(0o700);
    expect(modeOf(join(dataDir, 'logs'))).toBe(0o700);
    for (const file of loose) expect(modeOf(file), file).toBe(0o600);
    db.close();
  });

  it('writes settings and logs 0600 in a 0700 folder', () => {
    const previous = process.umask(0o022);
    try {
      const dataDir = home();
      new FileSettingsStore(dataDir).update({ theme: 'dark' });
      cliLogSink({}, () => dataDir)?.('{"event":"probe"}');
      expect(modeOf(dataDir)).toBe(0o700);
      expect(modeOf(join(dataDir, 'settings.json'))).toBe(0o600);
      expect(modeOf(join(dataDir, 'logs'))).toBe(0o700);
      expect(modeOf(join(dataDir, 'logs', 'cli.log'))).toBe(0o600);
    } finally {
      process.umask(previous);
    }
  });
});
