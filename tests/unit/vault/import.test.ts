import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { inspectPaths } from '../../../main/core/inspect';
import { VaultError } from '../../../shared/errors';
import { libraryLimits } from '../../../shared/library';
import { makeCa, makeLeaf, type Issued } from './helpers/pki';
import { openTestVault, text, type TestVault } from './helpers/vault';
import { generatedFixturesDir, sm2FixturesDir } from '../../fixtures/paths';

const fingerprint = (issued: Issued) => createHash('sha256').update(Buffer.from(issued.cert.rawData)).digest('hex');
const SM2 = sm2FixturesDir;
const sm2File = (name: string) => ({ name, data: fs.readFileSync(path.join(SM2, name)) });

/** What `query` reads from a vault's database, opened read-only beside the vault and closed after. */
function readVault<T>(dir: string, query: (db: Database.Database) => T): T {
  const db = new Database(path.join(dir, 'vault.db'), { readonly: true });
  try {
    return query(db);
  } finally {
    db.close();
  }
}

let ca: Issued;
let leaf: Issued;
let other: Issued;
let t: TestVault;

beforeAll(async () => {
  ca = await makeCa('Import Test CA');
  leaf = await makeLeaf(ca, { commonName: 'www.example.com', dnsNames: ['www.example.com', 'example.com'] });
  other = await makeLeaf(ca, { commonName: 'api.example.com' });
});

afterEach(() => t?.cleanup());

describe('import', () => {
  it('files a bundle as one entry: leaf, chain and sealed key, named after the CN', async () => {
    t = openTestVault();
    const result = await t.vault.importContent([text('bundle.pem', leaf.certPem, ca.certPem, leaf.keyPem)]);
    expect(result.failed).toEqual([]);
    expect(result.imported).toHaveLength(1);
    expect(result.imported[0]).toMatchObject({ fingerprintSha256: fingerprint(leaf), duplicate: false });
    const entry = await t.vault.entry(result.imported[0]!.id);
    expect(entry).toMatchObject({ name: 'www.example.com', commonName: 'www.example.com', hasKey: true, isCA: false, sourceFile: 'bundle.pem' });
    expect(entry.dnsNames).toEqual(['www.example.com', 'example.com']);
    const chain = (await t.vault.export(entry.id, 'chain')).bytes.toString();
    expect(chain).toBe(ca.certPem);
    expect((await t.vault.list()).total).toBe(1);
  });

  it('pairs a certificate, its chain and its key from separate files, whatever their order', async () => {
    t = openTestVault();
    const result = await t.vault.importContent([text('privkey.pem', leaf.keyPem), text('chain.pem', ca.certPem), text('cert.pem', leaf.certPem)]);
    expect(result.failed).toEqual([]);
    expect(result.imported).toHaveLength(1);
    const entry = await t.vault.entry(result.imported[0]!.id);
    expect(entry.hasKey).toBe(true);
    expect(entry.sourceFile).toBe('cert.pem');
    expect((await t.vault.export(entry.id, 'fullchain')).bytes.toString().match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
  });

  it('merges a later key and chain into the existing entry instead of adding a second one', async () => {
    t = openTestVault();
    const first = await t.vault.importContent([text('cert.pem', leaf.certPem)]);
    const id = first.imported[0]!.id;
    expect((await t.vault.entry(id)).hasKey).toBe(false);
    const again = await t.vault.importContent([text('fullchain.pem', leaf.certPem, ca.certPem)]);
    expect(again.imported).toEqual([{ id, fingerprintSha256: first.imported[0]!.fingerprintSha256, duplicate: true }]);
    const key = await t.vault.importContent([text('privkey.pem', leaf.keyPem)]);
    expect(key.imported).toEqual([{ id, fingerprintSha256: first.imported[0]!.fingerprintSha256, duplicate: true }]);
    expect((await t.vault.list()).total).toBe(1);
    const entry = await t.vault.entry(id);
    expect(entry.hasKey).toBe(true);
    expect((await t.vault.export(id, 'chain')).bytes.toString()).toContain('BEGIN CERTIFICATE');
    expect((await t.vault.export(id, 'key')).bytes.toString()).toBe(leaf.keyPem);
  });

  it('stores the new entries of a batch together and merges the rest, each found by its own search text', async () => {
    t = openTestVault();
    const stored = (await t.vault.importContent([text('api.pem', other.certPem)])).imported[0]!;
    const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => makeLeaf(ca, { commonName: `${n}.batch.example` })));
    const result = await t.vault.importContent([
      text('a.pem', a!.certPem, a!.keyPem),
      text('api-bundle.pem', other.certPem, ca.certPem, other.keyPem),
      text('b.pem', b!.certPem, ca.certPem),
      text('www.pem', leaf.certPem, ca.certPem, leaf.keyPem),
    ]);
    expect(result.counts).toEqual({ new: 3, merged: 1, failed: 0, keysNotStored: 0 });
    expect(result.imported.find((entry) => entry.fingerprintSha256 === fingerprint(other))).toEqual({ ...stored, duplicate: true });
    expect((await t.vault.entry(stored.id)).hasKey).toBe(true);
    expect((await t.vault.export(stored.id, 'chain')).bytes.toString()).toBe(ca.certPem);
    expect((await t.vault.export(fingerprint(a!), 'key')).bytes.toString()).toBe(a!.keyPem);
    const found = async (term: string) => (await t.vault.list({ search: term })).entries.map((entry) => entry.fingerprintSha256);
    for (const issued of [a!, b!, other, leaf]) expect(await found(issued.cert.subject.replace('CN=', ''))).toEqual([fingerprint(issued)]);
    // The entry holding the last search rowid removed: the next batch's rowids start after the last one left.
    const lastId = readVault(t.dir, (db) => db.prepare('SELECT id FROM entries ORDER BY search_rowid DESC LIMIT 1').pluck().get() as string);
    const last = await t.vault.remove(lastId);
    await t.vault.importContent([text('c.pem', c!.certPem)]);
    expect(await found('c.batch.example')).toEqual([fingerprint(c!)]);
    expect(await found(last.commonName!)).toEqual([]);
    readVault(t.dir, (db) => {
      // Every entry's search row holds its own text, and no other row is left.
      expect(db.prepare('SELECT count(*) FROM entries e JOIN entries_search s ON s.rowid = e.search_rowid WHERE s.text = e.search_text').pluck().get()).toBe(4);
      expect(db.prepare('SELECT count(*) FROM entries_search').pluck().get()).toBe(4);
    });
  });

  it('reports a bad file with its name and cause and still imports the others', async () => {
    t = openTestVault();
    const result = await t.vault.importContent([
      text('good.pem', leaf.certPem, leaf.keyPem),
      text('broken.pem', '-----BEGIN CERTIFICATE-----\nMIIB!!!!\n-----END CERTIFICATE-----\n'),
      text('other.pem', other.certPem),
    ]);
    expect(result.imported).toHaveLength(2);
    expect(result.failed).toHaveLength(1);
    expect(result.failed[0]!.file).toBe('broken.pem');
    expect(result.failed[0]!.error.message).toContain('broken.pem');
  });

  it('a write failing in the middle of a batch leaves out only its own entry, wholly', async () => {
    t = openTestVault();
    // Keys cannot be sealed, for a reason that is not the keychain refusing keys (that stores the
    // certificates alone): the entries that bring one fail as they are written, between the
    // certificate-only entries of the same transaction, which must be stored whole.
    t.secrets.get = () => Promise.reject(new VaultError('vault.busy'));
    const more = await Promise.all(['a', 'b', 'c'].map((n) => makeLeaf(ca, { commonName: `${n}.example.net` })));
    const result = await t.vault.importContent([
      text('1-cert.pem', more[0]!.certPem, ca.certPem),
      text('2-bundle.pem', leaf.certPem, leaf.keyPem),
      text('3-cert.pem', more[1]!.certPem),
      text('4-bundle.pem', other.certPem, other.keyPem),
      text('5-cert.pem', more[2]!.certPem),
    ]);
    expect(result.failed.map((f) => [f.file, f.error.code])).toEqual([
      ['2-bundle.pem', 'vault.busy'],
      ['4-bundle.pem', 'vault.busy'],
    ]);
    expect(result.imported).toHaveLength(3);
    expect((await t.vault.list({ sort: 'name' })).entries.map((e) => e.name)).toEqual(['a.example.net', 'b.example.net', 'c.example.net']);
    readVault(t.dir, (db) => {
      expect(db.prepare('SELECT count(DISTINCT entry_id) FROM entry_certificates').pluck().get()).toBe(3);
      expect(db.prepare('SELECT count(*) FROM entries_search').pluck().get()).toBe(3);
    });
    for (const { id } of result.imported) expect((await t.vault.export(id, 'chain')).bytes.toString()).toBe(ca.certPem);
  });

  it('rejects a key that belongs to no certificate, naming the file', async () => {
    t = openTestVault();
    const result = await t.vault.importContent([text('stray.key', other.keyPem)]);
    expect(result.imported).toEqual([]);
    expect(result.failed).toEqual([{ file: 'stray.key', error: expect.objectContaining({ code: 'vault.key_without_certificate' }) }]);
    expect((await t.vault.list()).total).toBe(0);
  });

  it('imports folders recursively, skipping non-certificate files found there, with progress', async () => {
    t = openTestVault();
    const folder = path.join(t.dir, 'input');
    fs.mkdirSync(path.join(folder, 'live', 'example.com'), { recursive: true });
    fs.writeFileSync(path.join(folder, 'live', 'example.com', 'cert.pem'), leaf.certPem);
    fs.writeFileSync(path.join(folder, 'live', 'example.com', 'privkey.pem'), leaf.keyPem);
    fs.writeFileSync(path.join(folder, 'live', 'README'), 'This folder holds your certificates.\n');
    fs.writeFileSync(path.join(folder, 'api.crt'), other.certPem);
    fs.writeFileSync(path.join(folder, '.hidden.pem'), 'not even looked at');
    const progress: number[] = [];
    const result = await t.vault.importPaths([folder], { onProgress: (p) => progress.push(p.done) });
    expect(result.failed).toEqual([]);
    expect(result.imported).toHaveLength(2);
    expect(progress).toEqual([1, 2, 3, 4]);
    expect((await t.vault.list({ hasKey: true })).entries.map((e) => e.name)).toEqual(['www.example.com']);
  });

  it('lists the first failures of a large import and counts them all', async () => {
    t = openTestVault();
    const folder = path.join(t.dir, 'empty-files');
    fs.mkdirSync(folder);
    const files = Array.from({ length: libraryLimits.importListed + 5 }, (_, i) => path.join(folder, `empty-${String(i).padStart(5, '0')}.pem`));
    files.forEach((file) => fs.writeFileSync(file, ''));
    const result = await t.vault.importPaths(files);
    expect(result.counts).toEqual({ new: 0, merged: 0, failed: files.length, keysNotStored: 0 });
    expect(result.failed.map((f) => f.file)).toEqual(files.slice(0, libraryLimits.importListed));
  });

  it('names a missing path as a failure', async () => {
    t = openTestVault();
    const missing = path.join(t.dir, 'nope.pem');
    const result = await t.vault.importPaths([missing]);
    expect(result.failed).toEqual([{ file: missing, error: expect.objectContaining({ code: 'input.unreadable_file' }) }]);
  });

  it('refuses an oversized file with the same size wording as inspect', async () => {
    t = openTestVault();
    const big = path.join(t.dir, 'huge.pem');
    fs.writeFileSync(big, Buffer.alloc(6_000_000));
    const result = await t.vault.importPaths([big]);
    const params = { file: big, size: '5.8 MB', limit: '5.0 MB' };
    expect(result.failed).toEqual([{ file: big, error: expect.objectContaining({ code: 'input.too_large', params }) }]);
    await expect(inspectPaths([big], { now: new Date() })).rejects.toMatchObject({ code: 'input.too_large', params });
  });

  it('imports a folder with one password, password-less PKCS#12 files in it included', async () => {
    t = openTestVault();
    const folder = path.join(t.dir, 'pfx');
    fs.mkdirSync(folder);
    for (const name of ['ec.p12', 'nopass.p12']) fs.copyFileSync(path.join(generatedFixturesDir, 'variants', name), path.join(folder, name));
    const result = await t.vault.importPaths([folder], { password: 'secret' });
    expect(result.failed).toEqual([]);
    expect(result.imported).toHaveLength(2);
    expect((await t.vault.list({ hasKey: true })).total).toBe(2);
  });

  it('keeps an SM2 signing/encryption pair and both keys as one entry', async () => {
    t = openTestVault();
    const result = await t.vault.importContent(
      ['server_sign.crt', 'server_sign.key', 'server_enc.crt', 'server_enc.key', 'chain-ca.crt'].map(sm2File),
    );
    expect(result.failed).toEqual([]);
    expect(result.imported).toHaveLength(1);
    const entry = await t.vault.entry(result.imported[0]!.id);
    expect(entry).toMatchObject({ sm2Dual: true, hasKey: true, keyAlgorithm: 'SM2' });
    const bundle = (await t.vault.export(entry.id, 'bundle')).bytes.toString();
    expect(bundle.match(/BEGIN PRIVATE KEY/g)).toHaveLength(2);
    expect(bundle.match(/BEGIN CERTIFICATE/g)).toHaveLength(4);
    const detail = await t.vault.detail(entry.id);
    expect(detail.inspection.privateKeys).toHaveLength(2);
    expect(detail.keyState).toBe('sealed');
  });

  it('applies --name and --tag to new entries and adds tags to duplicates', async () => {
    t = openTestVault();
    const first = await t.vault.importContent([text('a.pem', leaf.certPem)], { name: 'Main site', tags: ['prod', 'web'] });
    expect(await t.vault.entry(first.imported[0]!.id)).toMatchObject({ name: 'Main site', tags: ['prod', 'web'] });
    await t.vault.importContent([text('a.pem', leaf.certPem)], { name: 'Ignored', tags: ['web', 'renewed'] });
    expect(await t.vault.entry(first.imported[0]!.id)).toMatchObject({ name: 'Main site', tags: ['prod', 'web', 'renewed'] });
  });
});
