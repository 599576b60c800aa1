import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeCa, makeLeaf } from './helpers/pki';
import { openTestVault, text, type TestVault } from './helpers/vault';

// library_cas (db/migrations.ts, version 9): the library's CA certificates once each, kept by
// triggers so inspecting one entry never reads every entry's chain.

let t: TestVault;
beforeEach(() => {
  t = openTestVault();
});
afterEach(() => t.cleanup());

describe('library CA certificates', () => {
  it('follow the chains and CA entries the library holds, through imports and deletes', async () => {
    const ca = await makeCa('Kept CA');
    const leaf = await makeLeaf(ca, { commonName: 'kept.example.com' });
    const { imported } = await t.vault.importContent([text('bundle.pem', leaf.certPem, ca.certPem)]);
    expect(await t.vault.caCertificates()).toHaveLength(1);
    const caEntry = (await t.vault.importContent([text('ca.pem', ca.certPem)])).imported[0]!;
    expect(await t.vault.caCertificates()).toHaveLength(1);
    (await t.vault.remove(caEntry.id));
    // The leaf's chain still holds it.
    expect(await t.vault.caCertificates()).toHaveLength(1);
    (await t.vault.remove(imported[0]!.id));
    expect(await t.vault.caCertificates()).toEqual([]);
  });

  it('are found in a library written before version 9', async () => {
    const ca = await makeCa('Older CA');
    const leaf = await makeLeaf(ca, { commonName: 'older.example.com' });
    await t.vault.importContent([text('bundle.pem', leaf.certPem, ca.certPem)]);
    await t.vault.close();
    const db = new Database(path.join(t.dir, 'vault.db'));
    db.exec('DROP TRIGGER library_cas_insert; DROP TRIGGER library_cas_delete; DROP TABLE library_cas; DROP INDEX sealed_keys_generation;');
    // What the migrations after 9 added, so the library is the shape version 8 wrote.
    for (const table of ['deployment_accounts', 'upload_history']) {
      for (const column of ['owner_machine', 'owner_name', 'heartbeat_at']) db.exec(`ALTER TABLE ${table} DROP COLUMN ${column}`);
    }
    db.exec('DROP INDEX entries_radar');
    for (const column of ['secret_nonce', 'secret_sealed', 'secret_key_version', 'owner_member_id']) db.exec(`ALTER TABLE cloud_accounts DROP COLUMN ${column}`);
    db.exec('PRAGMA user_version = 8;');
    db.close();
    const vault = t.reopen();
    expect(await vault.caCertificates()).toHaveLength(1);
  });
});
