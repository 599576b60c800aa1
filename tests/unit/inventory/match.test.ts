import { beforeAll, describe, expect, it } from 'vitest';
import type { RemoteCopy } from '../../../main/clouds/provider';
import { LibraryMatcher } from '../../../main/core/inventory/match';
import { lineageNames } from '../../../main/core/library/lineage';
import { sqliteVaultDb } from '../../../main/core/db/vault-db';
import { memoryDatabase } from '../uploads/support/vault';

// Matching remote copies to library entries, rule by rule, on rows shaped as the library writes them.

function library() {
  const db = memoryDatabase();
  const insert = db.prepare(`INSERT INTO entries (id, fingerprint_sha256, name, common_name, dns_names, subject, issuer, issuer_common_name,
    serial_number, not_before, not_after, key_algorithm, is_ca, tags, notes, imported_at, updated_at, has_key, sm2_dual, cert_terms, search_text, search_rowid)
    VALUES (@id, @fp, @id, @cn, @dns, 'CN=x', @issuer, @issuerCn, @serial, '2025-01-01T00:00:00.000Z', @notAfter, 'RSA', 0, '[]', '', 'now', 'now', 0, 0, '', '', @rowid)`);
  const name = db.prepare('INSERT INTO entry_names (name, entry_id) VALUES (?, ?)');
  let rowid = 0;
  const add = (id: string, fields: { fp: string; cn: string; dns: string[]; serial: string; notAfter: string }) => {
    insert.run({ id, fp: fields.fp, cn: fields.cn, dns: JSON.stringify(fields.dns), issuer: 'C=US, O=Example Org, CN=Example CA', issuerCn: 'Example CA', serial: fields.serial, notAfter: fields.notAfter, rowid: (rowid += 1) });
    // The names lineage linking records for every stored entry.
    for (const each of lineageNames(fields.cn, fields.dns)) name.run(each, id);
  };
  add('by-fp', { fp: 'aa'.repeat(32), cn: 'a.example.com', dns: ['a.example.com'], serial: 'c0ffee', notAfter: '2026-01-01T00:00:00.000Z' });
  add('by-serial', { fp: 'bb'.repeat(32), cn: 'b.example.com', dns: ['b.example.com'], serial: '1f', notAfter: '2026-02-01T00:00:00.000Z' });
  add('by-names', { fp: 'cc'.repeat(32), cn: 'c.example.com', dns: ['c.example.com', 'www.c.example.com'], serial: '2a', notAfter: '2026-03-01T12:00:00.000Z' });
  add('by-names-older', { fp: 'dd'.repeat(32), cn: 'c.example.com', dns: ['c.example.com', 'www.c.example.com'], serial: '2b', notAfter: '2025-03-01T12:00:00.000Z' });
  return { db, matcher: new LibraryMatcher(sqliteVaultDb(db, { owned: false })) };
}

const remote = (fields: Partial<RemoteCopy>): RemoteCopy => ({
  cloud: 'huawei', remoteId: 'r', name: null, commonName: null, dnsNames: [], notBefore: null, notAfter: null,
  fingerprintSha256: null, serial: null, issuer: null, certificatePem: null, bindings: [], ...fields,
});

describe('matching remote copies to the library', async () => {
  let matcher: LibraryMatcher;
  let db: ReturnType<typeof library>['db'];
  beforeAll(() => {
    ({ db, matcher } = library());
  });
  const match = async (copy: RemoteCopy) => (await matcher.matchAll([copy]))[0];

  it('prefers the SHA-256 fingerprint, whatever else the copy says', async () => {
    expect(await match(remote({ fingerprintSha256: 'AA'.repeat(32), serial: '1f', issuer: 'Example CA' }))).toEqual({ libraryId: 'by-fp', matchedBy: 'fingerprint' });
  });

  it('then serial and issuer, with the issuer as a DN, a CN or an O, and the serial in any spelling', async () => {
    expect(await match(remote({ serial: '001F', issuer: 'Example CA' }))).toEqual({ libraryId: 'by-serial', matchedBy: 'serial' });
    expect(await match(remote({ serial: '1f', issuer: 'C = US, O = Example Org, CN = Example CA' }))).toEqual({ libraryId: 'by-serial', matchedBy: 'serial' });
    expect(await match(remote({ serial: '1f', issuer: 'Example Org' }))).toEqual({ libraryId: 'by-serial', matchedBy: 'serial' });
    expect(await match(remote({ serial: '1f', issuer: 'Another CA' }))).toBeNull();
  });

  it('then the same names with an expiry within a day (day-only and Beijing-time dates), the nearest first', async () => {
    const names = { commonName: 'C.example.com', dnsNames: ['www.c.example.com', 'c.example.com'] };
    expect(await match(remote({ ...names, notAfter: '2026-03-01T00:00:00.000Z' }))).toEqual({ libraryId: 'by-names', matchedBy: 'names' });
    expect(await match(remote({ ...names, notAfter: '2025-03-01T20:00:00.000Z' }))).toEqual({ libraryId: 'by-names-older', matchedBy: 'names' });
    expect(await match(remote({ ...names, notAfter: '2026-03-05T00:00:00.000Z' }))).toBeNull();
    expect(await match(remote({ commonName: 'c.example.com', dnsNames: [], notAfter: '2026-03-01T12:00:00.000Z' }))).toBeNull();
  });

  it('leaves a copy nobody knows unmatched', async () => {
    expect(await match(remote({ fingerprintSha256: 'ee'.repeat(32), serial: '99', issuer: 'Example CA', commonName: 'z.example.com', notAfter: '2026-01-01T00:00:00.000Z' }))).toBeNull();
  });

  it('matches the copies of a sync in their order, each by an index seek, never a scan of the library', async () => {
    const copies = [
      remote({ remoteId: 'x', fingerprintSha256: 'ee'.repeat(32) }),
      remote({ remoteId: 'fp', fingerprintSha256: 'aa'.repeat(32) }),
      remote({ remoteId: 'names', commonName: 'c.example.com', dnsNames: ['www.c.example.com'], notAfter: '2026-03-01T10:00:00.000Z' }),
      remote({ remoteId: 'serial', serial: '1F', issuer: 'CN=Example CA' }),
    ];
    expect(await matcher.matchAll(copies)).toEqual([null, { libraryId: 'by-fp', matchedBy: 'fingerprint' }, { libraryId: 'by-names', matchedBy: 'names' }, { libraryId: 'by-serial', matchedBy: 'serial' }]);
    const plan = (query: string) => (db.prepare(`EXPLAIN QUERY PLAN ${query}`).all() as { detail: string }[]).map((row) => row.detail).join('; ');
    expect(plan(`SELECT id, fingerprint_sha256 FROM entries WHERE fingerprint_sha256 IN ('a', 'b')`)).toMatch(/^SEARCH entries USING (COVERING )?INDEX /);
    expect(plan(`SELECT id, issuer, issuer_common_name FROM entries WHERE serial_number IN ('1f', '1F')`)).toMatch(/^SEARCH entries USING INDEX entries_by_serial_number/);
    expect(plan(`SELECT e.id FROM entry_names n JOIN entries e ON e.id = n.entry_id WHERE n.name = 'a' AND e.not_after >= 'x' AND e.not_after <= 'y'`)).toMatch(/^SEARCH n USING PRIMARY KEY \(name=\?\); SEARCH e USING INDEX sqlite_autoindex_entries_1 \(id=\?\)$/);
  });
});
