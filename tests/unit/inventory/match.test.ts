import { beforeAll, describe, expect, it } from 'vitest';
import type { RemoteCopy } from '../../../main/clouds/provider';
import { LibraryIndex } from '../../../main/core/inventory/match';
import { sqliteVaultDb } from '../../../main/core/db/vault-db';
import { memoryDatabase } from '../uploads/support/vault';

// Matching remote copies to library entries, rule by rule, on rows shaped as the library writes them.

function library() {
  const db = memoryDatabase();
  const insert = db.prepare(`INSERT INTO entries (id, fingerprint_sha256, name, common_name, dns_names, subject, issuer, issuer_common_name,
    serial_number, not_before, not_after, key_algorithm, is_ca, tags, notes, imported_at, updated_at, has_key, sm2_dual, cert_terms, search_text, search_rowid)
    VALUES (@id, @fp, @id, @cn, @dns, 'CN=x', @issuer, @issuerCn, @serial, '2025-01-01T00:00:00.000Z', @notAfter, 'RSA', 0, '[]', '', 'now', 'now', 0, 0, '', '', @rowid)`);
  let rowid = 0;
  const add = (id: string, fields: { fp: string; cn: string; dns: string[]; serial: string; notAfter: string }) =>
    insert.run({ id, fp: fields.fp, cn: fields.cn, dns: JSON.stringify(fields.dns), issuer: 'C=US, O=Example Org, CN=Example CA', issuerCn: 'Example CA', serial: fields.serial, notAfter: fields.notAfter, rowid: (rowid += 1) });
  add('by-fp', { fp: 'aa'.repeat(32), cn: 'a.example.com', dns: ['a.example.com'], serial: 'c0ffee', notAfter: '2026-01-01T00:00:00.000Z' });
  add('by-serial', { fp: 'bb'.repeat(32), cn: 'b.example.com', dns: ['b.example.com'], serial: '1f', notAfter: '2026-02-01T00:00:00.000Z' });
  add('by-names', { fp: 'cc'.repeat(32), cn: 'c.example.com', dns: ['c.example.com', 'www.c.example.com'], serial: '2a', notAfter: '2026-03-01T12:00:00.000Z' });
  add('by-names-older', { fp: 'dd'.repeat(32), cn: 'c.example.com', dns: ['c.example.com', 'www.c.example.com'], serial: '2b', notAfter: '2025-03-01T12:00:00.000Z' });
  return LibraryIndex.read(sqliteVaultDb(db, { owned: false }));
}

const remote = (fields: Partial<RemoteCopy>): RemoteCopy => ({
  cloud: 'huawei', remoteId: 'r', name: null, commonName: null, dnsNames: [], notBefore: null, notAfter: null,
  fingerprintSha256: null, serial: null, issuer: null, certificatePem: null, bindings: [], ...fields,
});

describe('matching remote copies to the library', () => {
  let index: LibraryIndex;
  beforeAll(async () => {
    index = await library();
  });

  it('prefers the SHA-256 fingerprint, whatever else the copy says', () => {
    expect(index.match(remote({ fingerprintSha256: 'AA'.repeat(32), serial: '1f', issuer: 'Example CA' }))).toEqual({ libraryId: 'by-fp', matchedBy: 'fingerprint' });
  });

  it('then serial and issuer, with the issuer as a DN, a CN or an O, and the serial in any spelling', () => {
    expect(index.match(remote({ serial: '001F', issuer: 'Example CA' }))).toEqual({ libraryId: 'by-serial', matchedBy: 'serial' });
    expect(index.match(remote({ serial: '1f', issuer: 'C = US, O = Example Org, CN = Example CA' }))).toEqual({ libraryId: 'by-serial', matchedBy: 'serial' });
    expect(index.match(remote({ serial: '1f', issuer: 'Example Org' }))).toEqual({ libraryId: 'by-serial', matchedBy: 'serial' });
    expect(index.match(remote({ serial: '1f', issuer: 'Another CA' }))).toBeNull();
  });

  it('then the same names with an expiry within a day (day-only and Beijing-time dates), the nearest first', () => {
    const names = { commonName: 'C.example.com', dnsNames: ['www.c.example.com', 'c.example.com'] };
    expect(index.match(remote({ ...names, notAfter: '2026-03-01T00:00:00.000Z' }))).toEqual({ libraryId: 'by-names', matchedBy: 'names' });
    expect(index.match(remote({ ...names, notAfter: '2025-03-01T20:00:00.000Z' }))).toEqual({ libraryId: 'by-names-older', matchedBy: 'names' });
    expect(index.match(remote({ ...names, notAfter: '2026-03-05T00:00:00.000Z' }))).toBeNull();
    expect(index.match(remote({ commonName: 'c.example.com', dnsNames: [], notAfter: '2026-03-01T12:00:00.000Z' }))).toBeNull();
  });

  it('leaves a copy nobody knows unmatched', () => {
    expect(index.match(remote({ fingerprintSha256: 'ee'.repeat(32), serial: '99', issuer: 'Example CA', commonName: 'z.example.com', notAfter: '2026-01-01T00:00:00.000Z' }))).toBeNull();
  });
});
