import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { migrate } from '../../../main/core/db/open';
import { migrations } from '../../../main/core/db/migrations';

// Migration 4 links a library that existed before lineage with its own frozen copy of the rule
// (main/core/db/migration-4-lineage.ts). These links are what version 4 made of this version-3
// library; they must stay so whatever the living lineage code becomes.

const entries: [id: string, algorithm: string, isCa: number, cn: string | null, dns: string[], notBefore: string, notAfter: string][] = [
  ['v1', 'EC', 0, 'shop.example.com', ['shop.example.com'], '2024-01-01', '2024-04-01'],
  ['v2', 'EC', 0, 'shop.example.com', ['shop.example.com', 'www.shop.example.com'], '2024-03-01', '2024-06-01'],
  // Same expiry as v2: never linked to it, both renew v1; v2 and v2b tie on expiry and start, the smaller fingerprint wins.
  ['v2b', 'EC', 0, 'SHOP.example.com', ['shop.example.com'], '2024-03-01', '2024-06-01'],
  ['v3', 'EC', 0, 'shop.example.com', ['shop.example.com', 'www.shop.example.com', 'api.shop.example.com'], '2024-05-01', '2024-09-01'],
  // RSA 2048 -> RSA: a renewal within the family; EC -> RSA is not.
  ['rsa1', 'RSA', 0, 'shop.example.com', ['shop.example.com'], '2024-01-01', '2024-02-01'],
  ['rsa2', 'RSA', 0, 'shop.example.com', ['shop.example.com'], '2024-05-01', '2024-12-01'],
  // The two EdDSAs are one family.
  ['ed1', 'Ed25519', 0, null, ['ed.example.com'], '2024-01-01', '2024-03-01'],
  ['ed2', 'Ed448', 0, null, ['ed.example.com'], '2024-02-01', '2024-05-01'],
  // A CA never renews a leaf; a certificate naming nothing is never linked.
  ['ca', 'EC', 1, 'shop.example.com', [], '2024-01-01', '2030-01-01'],
  ['blank1', 'EC', 0, null, [], '2024-01-01', '2024-02-01'],
  ['blank2', 'EC', 0, null, [], '2024-01-01', '2024-03-01'],
];

describe('migration 4 on a version 3 library', () => {
  it('makes the same links and names as when it was released', () => {
    const db = new Database(':memory:');
    db.pragma('foreign_keys = ON');
    migrate(db, migrations.filter((m) => m.version <= 3));
    const insert = db.prepare(`INSERT INTO entries (id, fingerprint_sha256, name, common_name, dns_names, subject, issuer, serial_number,
      not_before, not_after, key_algorithm, is_ca, tags, notes, imported_at, updated_at, has_key, sm2_dual, cert_terms, search_text, search_rowid)
      VALUES (?, ?, ?, ?, ?, 'CN=x', 'CN=ca', '01', ?, ?, ?, ?, '[]', '', 'now', 'now', 0, 0, '', '', ?)`);
    entries.forEach(([id, algorithm, isCa, cn, dns, notBefore, notAfter], i) =>
      insert.run(id, id === 'v2b' ? '0'.repeat(64) : String(i + 1).padStart(64, 'f'), id, cn, JSON.stringify(dns), `${notBefore}T00:00:00.000Z`, `${notAfter}T00:00:00.000Z`, algorithm, isCa, i + 1),
    );

    migrate(db, migrations.filter((m) => m.version <= 4));

    const links = Object.fromEntries((db.prepare('SELECT id, renews_id FROM entries ORDER BY id').all() as { id: string; renews_id: string | null }[]).map((r) => [r.id, r.renews_id]));
    expect(links).toEqual({
      v1: null, v2: 'v1', v2b: 'v1', v3: 'v2b',
      rsa1: null, rsa2: 'rsa1',
      ed1: null, ed2: 'ed1',
      ca: null, blank1: null, blank2: null,
    });
    expect(db.prepare("SELECT entry_id FROM entry_names WHERE name = 'shop.example.com' ORDER BY entry_id").pluck().all()).toEqual(['ca', 'rsa1', 'rsa2', 'v1', 'v2', 'v2b', 'v3']);
    expect(db.prepare("SELECT count(*) FROM entry_names WHERE entry_id LIKE 'blank%'").pluck().get()).toBe(0);
    db.close();
  });
});
