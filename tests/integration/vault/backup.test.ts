import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../main/cli/run';
import type { CliIo } from '../../../main/cli/command';
import { getProvider } from '../../../main/clouds/registry';
import { AccountStore } from '../../../main/core/accounts/account-store';
import { backupVault, restoreVault } from '../../../main/core/backup';
import { encryptBackup } from '../../../main/core/backup/format';
import { openDatabase } from '../../../main/core/db/open';
import { sqliteVaultDb } from '../../../main/core/db/vault-db';
import { osKeychain, type SecretStore } from '../../../main/core/keychain';
import { Vault } from '../../../main/core/library/vault';
import { makeLeaves, type TestLeaf } from '../uploads/certs';
import { assertThrowawayKeyring } from './keyring-guard';

// Backup in one home with one keychain, restore in another home whose keychain has never seen the
// vault (another keychain service: none of the first machine's entries, so a new data key): every
// key comes back byte for byte. And every bad file or passphrase changes nothing.
assertThrowawayKeyring();

const PASSPHRASE = 'correct horse battery staple';
const SECRET = { accessKeyId: 'AKIDBACKUPTEST000000000000000000000', accessKeySecret: 'BackupSecretKey000000000000000000' };

let work: string;
let leaves: TestLeaf[];
let machineA: { dir: string; secrets: SecretStore; vault: Vault; db: Database.Database };
let backupFile: string;
let keysA: Map<string, string>;

function home(name: string): string {
  return fs.mkdtempSync(path.join(work, `${name}-`));
}

function bundle(leaf: TestLeaf) {
  return { name: `${leaf.host}.pem`, data: new TextEncoder().encode(leaf.fullchain + leaf.key) };
}

/** Every entry's exported key, by fingerprint. */
async function exportedKeys(vault: Vault): Promise<Map<string, string>> {
  const keys = new Map<string, string>();
  for (const entry of (await vault.list({ limit: 1000 })).entries) {
    if (entry.hasKey) keys.set(entry.fingerprintSha256, (await vault.export(entry.id, 'key')).bytes.toString('utf8'));
  }
  return keys;
}

/** What a reader sees: every table the backup covers, and the sealed keys' count. */
function fingerprint(db: Database.Database): string {
  const rows = ['entries', 'entry_certificates', 'cloud_accounts', 'upload_history'].map((table) => db.prepare(`SELECT * FROM ${table} ORDER BY 1, 2`).all());
  const sealed = db.prepare('SELECT entry_id, role, nonce, ciphertext FROM sealed_keys ORDER BY 1, 2').all();
  // JSON.stringify turns a Buffer into {type, data}: every byte counts.
  return createHash('sha256').update(JSON.stringify([rows, sealed])).digest('hex');
}

beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-backup-it-'));
  leaves = [...makeLeaves(2, { rsa: true, prefix: 'rsa' }), ...makeLeaves(2, { prefix: 'ec' })];
  const dir = home('machine-a');
  const secrets = osKeychain('cert-vault-backup-test-a');
  const vault = Vault.open({ dataDir: dir, secrets });
  for (const leaf of leaves) await vault.importContent([bundle(leaf)]);
  const db = openDatabase(dir);
  await new AccountStore(sqliteVaultDb(db, { owned: false }), secrets, getProvider).save({ cloud: 'tencent', name: 'prod' }, SECRET);
  db.prepare(
    `INSERT INTO upload_history (id, job_id, fingerprint_sha256, account_name, cloud, status, started_at) VALUES ('h1', 'j1', ?, 'prod', 'tencent', 'uploaded', '2026-01-01T00:00:00.000Z')`,
  ).run((await vault.list()).entries[0]!.fingerprintSha256);
  machineA = { dir, secrets, vault, db };
  keysA = await exportedKeys(vault);
  backupFile = path.join(work, 'vault.cvbackup');
  const summary = await backupVault({ db, secrets, file: backupFile, passphrase: PASSPHRASE, includeSecrets: true, now: new Date() });
  expect(summary).toMatchObject({ entries: 4, keys: 4, accounts: 1, history: 1, secrets: true });
}, 120_000);

afterAll(async () => {
  machineA.db.close();
  await machineA.vault.close();
  fs.rmSync(work, { recursive: true, force: true });
});

describe('backup and restore', () => {
  it('restores on a new machine with a fresh keychain: every key byte-identical, sealed under the new data key', async () => {
    const dir = home('machine-b');
    const secrets = osKeychain('cert-vault-backup-test-b');
    const db = openDatabase(dir);
    const summary = await restoreVault({ db, secrets, file: backupFile, passphrase: PASSPHRASE, replace: false });
    expect(summary).toEqual({ entries: 4, keys: 4, accounts: 1, history: 1, secrets: 1 });
    const vault = Vault.open({ dataDir: dir, secrets });
    expect(await exportedKeys(vault)).toEqual(keysA);
    expect(keysA.size).toBe(4);
    // A different vault and data key: machine A's sealed bytes are not what B holds.
    const sealedA = machineA.db.prepare('SELECT ciphertext FROM sealed_keys ORDER BY entry_id').pluck().all() as Buffer[];
    const sealedB = db.prepare('SELECT ciphertext FROM sealed_keys ORDER BY entry_id').pluck().all() as Buffer[];
    expect(sealedB.some((bytes, i) => bytes.equals(sealedA[i]!))).toBe(false);
    // Search works on restored entries, the history is back, the account secret is in B's keychain, and the account awaits confirmation.
    expect((await vault.list({ search: 'rsa0.upload' })).entries).toHaveLength(1);
    expect(db.prepare('SELECT count(*) FROM upload_history').pluck().get()).toBe(1);
    const accounts = new AccountStore(sqliteVaultDb(db, { owned: false }), secrets, getProvider);
    const account = await accounts.get('prod');
    expect(await accounts.credentials(account)).toEqual(SECRET);
    expect(account.confirmed).toBe(false);
    await vault.close();
    db.close();
  });

  it('leaves cloud secrets out unless asked', async () => {
    const file = path.join(work, 'no-secrets.cvbackup');
    expect((await backupVault({ db: machineA.db, secrets: machineA.secrets, file, passphrase: PASSPHRASE, includeSecrets: false, now: new Date() })).secrets).toBe(false);
    const dir = home('machine-c');
    const secrets = osKeychain('cert-vault-backup-test-c');
    const db = openDatabase(dir);
    expect((await restoreVault({ db, secrets, file, passphrase: PASSPHRASE, replace: false })).secrets).toBe(0);
    const accounts = new AccountStore(sqliteVaultDb(db, { owned: false }), secrets, getProvider);
    await expect(accounts.credentials(await accounts.get('prod'))).rejects.toMatchObject({ code: 'account.secret_missing' });
    // The file holds no secret in any form: it is encrypted, and the secret was never in it.
    expect(fs.readFileSync(file).includes(Buffer.from(SECRET.accessKeySecret))).toBe(false);
    db.close();
  });

  it('refuses a non-empty vault unless replacing, and replaces all of it in one go', async () => {
    const dir = home('machine-d');
    const secrets = osKeychain('cert-vault-backup-test-d');
    const vault = Vault.open({ dataDir: dir, secrets });
    const extra = makeLeaves(1, { prefix: 'local' })[0]!;
    await vault.importContent([bundle(extra)]);
    const db = openDatabase(dir);
    const before = fingerprint(db);
    await expect(restoreVault({ db, secrets, file: backupFile, passphrase: PASSPHRASE, replace: false })).rejects.toMatchObject({
      code: 'backup.vault_not_empty',
      params: { entries: 1, accounts: 0, history: 0 },
    });
    expect(fingerprint(db)).toBe(before);
    await restoreVault({ db, secrets, file: backupFile, passphrase: PASSPHRASE, replace: true });
    expect((await vault.list({ limit: 100 })).entries.map((entry) => entry.name).sort()).toEqual(leaves.map((leaf) => leaf.host).sort());
    expect(await exportedKeys(vault)).toEqual(keysA);
    await vault.close();
    db.close();
  });

  describe('a bad file or passphrase changes nothing and says what is wrong', () => {
    let dir: string;
    let db: Database.Database;
    let secrets: SecretStore;
    let before: string;
    const bytes = () => fs.readFileSync(backupFile);
    const variant = (name: string, data: Buffer) => {
      const file = path.join(work, name);
      fs.writeFileSync(file, data);
      return file;
    };
    const restore = (file: string, passphrase = PASSPHRASE) => restoreVault({ db, secrets, file, passphrase, replace: true });

    beforeAll(async () => {
      dir = home('machine-e');
      secrets = osKeychain('cert-vault-backup-test-e');
      const vault = Vault.open({ dataDir: dir, secrets });
      await vault.importContent([bundle(makeLeaves(1, { prefix: 'kept' })[0]!)]);
      await vault.close();
      db = openDatabase(dir);
      before = fingerprint(db);
    }, 60_000);
    afterAll(() => db.close());

    it.each([
      ['a wrong passphrase', () => restore(backupFile, 'not the passphrase'), 'backup.wrong_passphrase'],
      ['a flipped ciphertext byte', () => restore(variant('flipped.cvbackup', flip(bytes(), bytes().length - 40))), 'backup.wrong_passphrase'],
      ['a changed KDF parameter in the header', () => restore(variant('weaker.cvbackup', Buffer.from(bytes().toString('latin1').replace('"r":8', '"r":9'), 'latin1'))), 'backup.wrong_passphrase'],
      ['a truncated file', () => restore(variant('short.cvbackup', bytes().subarray(0, bytes().length - 100))), 'backup.corrupt'],
      ['a newer format', () => restore(variant('newer.cvbackup', Buffer.from(bytes().toString('latin1').replace('"format":1', '"format":9'), 'latin1'))), 'backup.too_new'],
      ['a file that is not a backup', () => restore(variant('cert.pem', Buffer.from(leaves[0]!.cert))), 'backup.not_a_backup'],
      ['a missing file', () => restore(path.join(work, 'nowhere.cvbackup')), 'input.unreadable_file'],
    ])('%s', async (_name, attempt, code) => {
      await expect(attempt()).rejects.toMatchObject({ code });
      expect(fingerprint(db)).toBe(before);
    });

    it('names the truncation, the versions and the file', async () => {
      await expect(restore(variant('short2.cvbackup', bytes().subarray(0, bytes().length - 100)))).rejects.toThrow(/truncated/);
      await expect(restore(variant('newer2.cvbackup', Buffer.from(bytes().toString('latin1').replace('"format":1', '"format":9'), 'latin1')))).rejects.toThrow(
        /newer Cert Vault \(backup format 9; this version reads up to 1\)/,
      );
    });

    it('a backup whose rows do not hold together is refused whole: the replace is rolled back', async () => {
      const payload = {
        schema: 1,
        tables: { cloud_accounts: [], entries: [], entry_certificates: [], upload_history: [] },
        keys: [{ entryId: 'no-such-entry', role: 'leaf', keyAlgorithm: 'EC', pkcs8: Buffer.from('key').toString('base64') }],
        secrets: null,
      };
      const file = variant('dangling.cvbackup', await encryptBackup(payload, PASSPHRASE, new Date()));
      await expect(restore(file)).rejects.toMatchObject({ code: 'backup.corrupt' });
      expect(fingerprint(db)).toBe(before);
    });

    it('refuses a short passphrase before writing anything', async () => {
      const file = path.join(work, 'short-pass.cvbackup');
      await expect(backupVault({ db, secrets, file, passphrase: 'short', includeSecrets: false, now: new Date() })).rejects.toMatchObject({
        code: 'backup.passphrase_too_short',
      });
      expect(fs.existsSync(file)).toBe(false);
    });
  });

  it('the CLI takes the passphrase from a file or stdin, never argv, and writes the backup 0600', async () => {
    const cliHome = home('cli');
    const io = (stdin: string): CliIo & { out: string[]; err: string[] } => {
      const out: string[] = [];
      const err: string[] = [];
      return { out, err, stdout: (t) => void out.push(typeof t === 'string' ? t : Buffer.from(t).toString()), stderr: (t) => void err.push(t), readStdin: async () => stdin, env: {} };
    };
    const run = (args: string[], stdin = '') => {
      const streams = io(stdin);
      return runCli(['--home', cliHome, ...args], streams).then((code) => ({ code, ...streams }));
    };
    expect((await run(['import', path.join(work, 'cert.pem')])).code).toBe(0);
    const passFile = path.join(work, 'pass.txt');
    fs.writeFileSync(passFile, `${PASSPHRASE}\n`);
    const out = path.join(work, 'cli.cvbackup');
    const backup = await run(['backup', '--out', out, '--passphrase-file', passFile, '--json']);
    expect(backup.code, backup.err.join('')).toBe(0);
    expect(JSON.parse(backup.out.join(''))).toMatchObject({ backup: { entries: 1, keys: 0, secrets: false } });
    if (process.platform !== 'win32') expect(fs.statSync(out).mode & 0o777).toBe(0o600);
    expect((await run(['backup', '--out', out, '--passphrase-file', passFile])).code).toBe(2);
    const refused = await run(['restore', out], `${PASSPHRASE}\n`);
    expect(refused.code).toBe(1);
    expect(refused.err.join('')).toMatch(/already holds 1 certificates.*--replace/);
    const restored = await run(['restore', out, '--replace', '--json'], `${PASSPHRASE}\n`);
    expect(restored.code, restored.err.join('')).toBe(0);
    expect(JSON.parse(restored.out.join(''))).toMatchObject({ restored: { entries: 1, keys: 0 } });
    const wrong = await run(['restore', out, '--replace'], 'wrong passphrase!!\n');
    expect(wrong.err.join('')).toMatch(/passphrase is wrong/);
  });
});

function flip(bytes: Buffer, at: number): Buffer {
  const copy = Buffer.from(bytes);
  copy[at] = copy[at]! ^ 0xff;
  return copy;
}
