import Database from 'better-sqlite3';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { choosePredecessor, isRenewalOf, keyFamily, lineageNames, type LineageFacts } from '../../../main/core/library/lineage';
import { linkAllAsOfVersion4 } from '../../../main/core/db/migration-4-lineage';
import fs from 'node:fs';
import os from 'node:os';
import { Vault } from '../../../main/core/library/vault';
import { DATABASE_FILE, migrate, userVersion } from '../../../main/core/db/open';
import { latestVersion, migrations } from '../../../main/core/db/migrations';
import { days, makeCa, makeLeaf, type Issued } from './helpers/pki';
import { openTestVault, text, type TestVault } from './helpers/vault';

const facts = (id: string, over: Partial<LineageFacts> = {}): LineageFacts => ({
  id,
  family: 'EC',
  isCA: false,
  names: ['example.com', 'www.example.com'],
  notAfter: '2026-01-01T00:00:00.000Z',
  notBefore: '2025-10-01T00:00:00.000Z',
  fingerprintSha256: id.repeat(8),
  ...over,
});

describe('the renewal rule', () => {
  const old = facts('a');
  it('links a later certificate of the same key family naming the same or more names', () => {
    expect(isRenewalOf(facts('b', { notAfter: '2026-04-01T00:00:00.000Z' }), old)).toBe(true);
    expect(isRenewalOf(facts('b', { notAfter: '2026-04-01T00:00:00.000Z', names: ['api.example.com', 'example.com', 'www.example.com'] }), old)).toBe(true);
  });

  it('does not link fewer names, another key family, equal or earlier expiry, CA to leaf, or a nameless certificate', () => {
    const later = '2026-04-01T00:00:00.000Z';
    expect(isRenewalOf(facts('b', { notAfter: later, names: ['example.com'] }), old)).toBe(false);
    expect(isRenewalOf(facts('b', { notAfter: later, family: 'RSA' }), old)).toBe(false);
    expect(isRenewalOf(facts('b'), old)).toBe(false);
    expect(isRenewalOf(facts('b', { notAfter: '2025-12-01T00:00:00.000Z' }), old)).toBe(false);
    expect(isRenewalOf(facts('b', { notAfter: later, isCA: true }), old)).toBe(false);
    expect(isRenewalOf(facts('b', { notAfter: later }), facts('a', { names: [] }))).toBe(false);
  });

  it('key families: RSA sizes and EC curves are one family each, EdDSA one, SM2 its own', () => {
    expect(keyFamily('Ed448')).toBe(keyFamily('Ed25519'));
    expect(keyFamily('SM2')).not.toBe(keyFamily('EC'));
    expect(lineageNames('WWW.Example.com', ['www.example.com', 'Example.com'])).toEqual(['example.com', 'www.example.com']);
  });

  it('chooses the latest older certificate; ties go to the later start, then the smaller fingerprint, whatever the order', () => {
    const entry = facts('z', { notAfter: '2027-01-01T00:00:00.000Z' });
    const first = facts('b', { notAfter: '2026-06-01T00:00:00.000Z' });
    const sameEndLaterStart = facts('c', { notAfter: '2026-06-01T00:00:00.000Z', notBefore: '2026-03-01T00:00:00.000Z' });
    const twin = facts('d', { notAfter: '2026-06-01T00:00:00.000Z', notBefore: '2026-03-01T00:00:00.000Z', fingerprintSha256: '0'.repeat(8) });
    expect(choosePredecessor(entry, [old, first])?.id).toBe('b');
    expect(choosePredecessor(entry, [sameEndLaterStart, first])?.id).toBe('c');
    expect(choosePredecessor(entry, [first, sameEndLaterStart])?.id).toBe('c');
    expect(choosePredecessor(entry, [sameEndLaterStart, twin])?.id).toBe('d');
    expect(choosePredecessor(entry, [twin, sameEndLaterStart])?.id).toBe('d');
  });
});

let ca: Issued;
let v1: Issued;
let v2: Issued;
let v3: Issued;
let rsaRenewal: Issued;
let fewerNames: Issued;
let t: TestVault;

beforeAll(async () => {
  ca = await makeCa('Lineage CA');
  const names = ['shop.example.com', 'www.shop.example.com'];
  v1 = await makeLeaf(ca, { commonName: 'shop.example.com', dnsNames: names, notBefore: days(-200), notAfter: days(-110) });
  v2 = await makeLeaf(ca, { commonName: 'shop.example.com', dnsNames: names, notBefore: days(-120), notAfter: days(-30) });
  v3 = await makeLeaf(ca, { commonName: 'shop.example.com', dnsNames: [...names, 'api.shop.example.com'], notBefore: days(-40), notAfter: days(50) });
  rsaRenewal = await makeLeaf(ca, { commonName: 'shop.example.com', dnsNames: names, notAfter: days(80), rsa: true });
  fewerNames = await makeLeaf(ca, { commonName: 'shop.example.com', dnsNames: ['shop.example.com'], notAfter: days(85) });
});
afterEach(() => t?.cleanup());

async function importEach(...leaves: Issued[]): Promise<string[]> {
  const ids: string[] = [];
  for (const [i, leaf] of leaves.entries()) {
    const result = await t.vault.importContent([text(`v${i}.pem`, leaf.certPem, leaf.keyPem)]);
    expect(result.failed).toEqual([]);
    ids.push(result.imported[0]!.id);
  }
  return ids;
}

describe('lineage in the vault', () => {
  it('links each renewal to the one before it, shown both ways', async () => {
    t = openTestVault();
    const [a, b, c] = await importEach(v1, v2, v3);
    expect((await t.vault.predecessorOf(c!))?.id).toBe(b);
    expect((await t.vault.predecessorOf(b!))?.id).toBe(a);
    expect(await t.vault.predecessorOf(a!)).toBeNull();
    expect((await t.vault.successorsOf(a!)).map((e) => e.id)).toEqual([b]);
    expect((await t.vault.currentVersionOf(a!)).id).toBe(c);
    expect((await t.vault.currentVersionOf(c!)).id).toBe(c);
    const detail = await t.vault.detail(b!);
    expect(detail.lineage).toEqual({
      renews: { id: a, name: 'shop.example.com', notAfter: expect.any(String) },
      renewedBy: [{ id: c, name: 'shop.example.com', notAfter: expect.any(String) }],
      currentVersion: { id: c, name: 'shop.example.com', notAfter: expect.any(String) },
    });
    expect((await t.vault.detail(c!)).lineage.currentVersion).toBeNull();
  });

  it('gives the same links whatever the import order (an old certificate imported after its renewal)', async () => {
    t = openTestVault();
    const [c, a, b] = await importEach(v3, v1, v2);
    expect((await t.vault.predecessorOf(c!))?.id).toBe(b);
    expect((await t.vault.predecessorOf(b!))?.id).toBe(a);
    expect((await t.vault.successorsOf(a!)).map((e) => e.id)).toEqual([b]);
    // Importing one again (a merge) changes nothing.
    await importEach(v2);
    expect((await t.vault.successorsOf(b!)).map((e) => e.id)).toEqual([c]);
  });

  it('gives the same links when a lineage comes in one import, in any order, part of it already stored', async () => {
    const fingerprint = (leaf: Issued) => createHash('sha256').update(Buffer.from(leaf.cert.rawData)).digest('hex');
    for (const [i, order] of [[v3, rsaRenewal, v2, fewerNames], [v2, fewerNames, v3, rsaRenewal]].entries()) {
      if (i > 0) t.cleanup();
      t = openTestVault();
      await importEach(v1);
      // One batch: its new entries are stored together, then linked (store.ts writeMany).
      const result = await t.vault.importContent(order.map((leaf, i) => text(`batch-${i}.pem`, leaf.certPem, leaf.keyPem)));
      expect(result.counts).toEqual({ new: 4, merged: 0, failed: 0, keysNotStored: 0 });
      const id = async (leaf: Issued) => (await t.vault.entry(fingerprint(leaf))).id;
      expect((await t.vault.predecessorOf(await id(v3)))?.id).toBe(await id(v2));
      expect((await t.vault.predecessorOf(await id(v2)))?.id).toBe(await id(v1));
      expect(await t.vault.predecessorOf(await id(rsaRenewal))).toBeNull();
      expect(await t.vault.predecessorOf(await id(fewerNames))).toBeNull();
      expect((await t.vault.successorsOf(await id(v1))).map((e) => e.id)).toEqual([await id(v2)]);
    }
  });

  it('keeps another key family and a certificate with fewer names out of the lineage', async () => {
    t = openTestVault();
    const [a, rsa, fewer] = await importEach(v1, rsaRenewal, fewerNames);
    expect(await t.vault.predecessorOf(rsa!)).toBeNull();
    expect(await t.vault.predecessorOf(fewer!)).toBeNull();
    expect(await t.vault.successorsOf(a!)).toEqual([]);
  });

  it('deleting the middle of a lineage links what renewed it to the one before', async () => {
    t = openTestVault();
    const [a, b, c] = await importEach(v1, v2, v3);
    (await t.vault.remove(b!));
    expect((await t.vault.predecessorOf(c!))?.id).toBe(a);
    (await t.vault.remove(a!));
    expect(await t.vault.predecessorOf(c!)).toBeNull();
  });

  it('"current version only" hides every renewed entry', async () => {
    t = openTestVault();
    const [, , c, rsa] = await importEach(v1, v2, v3, rsaRenewal);
    expect((await t.vault.list()).total).toBe(4);
    const current = await t.vault.list({ currentOnly: true });
    expect(current.entries.map((e) => e.id).sort()).toEqual([c, rsa].sort());
    expect(current.total).toBe(2);
    expect((await t.vault.list({ currentOnly: true, search: 'api.shop' })).entries.map((e) => e.id)).toEqual([c]);
  });

  it('the migration links a library imported before lineage existed', async () => {
    t = openTestVault();
    const [a, b, c] = await importEach(v2, v1, v3);
    const db = new Database(path.join(t.dir, DATABASE_FILE));
    db.exec('UPDATE entries SET renews_id = NULL; DELETE FROM entry_names;');
    linkAllAsOfVersion4(db);
    db.close();
    expect((await t.vault.predecessorOf(c!))?.id).toBe(a);
    expect((await t.vault.predecessorOf(a!))?.id).toBe(b);
    // The names index is rebuilt too: a new renewal links through it.
    const v4 = await makeLeaf(ca, { commonName: 'shop.example.com', dnsNames: ['shop.example.com', 'www.shop.example.com', 'api.shop.example.com'], notAfter: days(120) });
    const [d] = await importEach(v4);
    expect((await t.vault.predecessorOf(d!))?.id).toBe(c);
  });
});

describe('migration 4 on a version 3 vault', () => {
  it('links its entries and keeps every sealed key usable', async () => {
    t = openTestVault();
    const [a, b] = await importEach(v2, v1);
    // A version 3 database holding the same rows: the tables as version 3 made them.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-v3-'));
    try {
      const db = new Database(path.join(dir, DATABASE_FILE));
      migrate(db, migrations.filter((m) => m.version <= 3));
      db.exec(`ATTACH '${path.join(t.dir, DATABASE_FILE)}' AS v4`);
      const entryColumns = (db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('entries') as string[]).join(', ');
      db.exec(`
        DELETE FROM vault_meta; INSERT INTO vault_meta SELECT * FROM v4.vault_meta;
        INSERT INTO entries (${entryColumns}) SELECT ${entryColumns} FROM v4.entries;
        INSERT INTO entry_certificates SELECT * FROM v4.entry_certificates;
        INSERT INTO sealed_keys SELECT entry_id, role, key_algorithm, nonce, ciphertext FROM v4.sealed_keys;
        INSERT INTO entries_search (rowid, text) SELECT rowid, text FROM v4.entries_search;
        DETACH v4;
      `);
      db.close();
      const upgraded = Vault.open({ dataDir: dir, secrets: t.secrets });
      try {
        expect((await upgraded.predecessorOf(a!))?.id).toBe(b);
        expect(await upgraded.keychainStatus()).toEqual({ dataKey: 'ready', sealedKeys: 2, retiredKeys: 0 });
        expect((await upgraded.export(b!, 'key')).bytes.toString()).toBe(v1.keyPem);
      } finally {
        await upgraded.close();
      }
      const check = new Database(path.join(dir, DATABASE_FILE), { readonly: true });
      expect(userVersion(check)).toBe(latestVersion);
      check.close();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('addressing an entry by name', () => {
  it('a unique name resolves; a shared one is refused listing the candidates; ids still win', async () => {
    t = openTestVault();
    const [a, b] = await importEach(v1, v2);
    const other = await makeLeaf(ca, { commonName: 'mail.example.com' });
    const [m] = await importEach(other);
    expect(await t.vault.resolve('MAIL.example.com')).toBe(m);
    expect((await t.vault.entry('mail.example.com')).id).toBe(m);
    let error: unknown;
    try {
      (await t.vault.resolve('shop.example.com'));
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'vault.ambiguous_name', params: { name: 'shop.example.com' } });
    expect((error as Error).message).toContain(a!);
    expect((error as Error).message).toContain(b!);
    expect(await t.vault.resolve(a!)).toBe(a);
    await expect(t.vault.resolve('nothing.example.com')).rejects.toThrow(expect.objectContaining({ code: 'vault.not_found' }));
  });
});
