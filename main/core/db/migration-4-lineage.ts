import type Database from 'better-sqlite3';

// The renewal links migration 4 computes for a library that existed before lineage, frozen as it
// was released: a migration must do the same thing forever, so this does not call the living
// lineage code (main/core/library/lineage.ts), whose rule may change in a later version; such a
// change is a new migration. Never edit; tests/unit/vault/migration-4-lineage.test.ts pins it.
//
// The rule as of version 4: A renews B when both are leaves (or both CAs) of the same key family
// (EC curves, RSA sizes, the two EdDSAs count as one each), A names every name B names (DNS SANs and
// CN, lowercased) and A expires later; among such B, A's predecessor expires last, then started
// last, then has the smaller fingerprint. A certificate naming nothing is never linked.

interface Row {
  readonly id: string;
  readonly key_algorithm: string;
  readonly is_ca: number;
  readonly common_name: string | null;
  readonly dns_names: string;
  readonly not_after: string;
  readonly not_before: string;
  readonly fingerprint_sha256: string;
}

interface Facts {
  readonly id: string;
  readonly family: string;
  readonly isCA: boolean;
  readonly names: readonly string[];
  readonly notAfter: string;
  readonly notBefore: string;
  readonly fingerprintSha256: string;
}

function factsOf(row: Row): Facts {
  const names = new Set((JSON.parse(row.dns_names) as string[]).map((name) => name.toLowerCase()));
  if (row.common_name) names.add(row.common_name.toLowerCase());
  return {
    id: row.id,
    family: row.key_algorithm === 'Ed25519' || row.key_algorithm === 'Ed448' ? 'EdDSA' : row.key_algorithm,
    isCA: row.is_ca === 1,
    names: [...names].sort(),
    notAfter: row.not_after,
    notBefore: row.not_before,
    fingerprintSha256: row.fingerprint_sha256,
  };
}

function renews(newer: Facts, older: Facts): boolean {
  if (newer.id === older.id || newer.family !== older.family || newer.isCA !== older.isCA) return false;
  if (older.names.length === 0 || newer.notAfter <= older.notAfter) return false;
  const names = new Set(newer.names);
  return older.names.every((name) => names.has(name));
}

function closer(a: Facts, b: Facts): Facts {
  if (a.notAfter !== b.notAfter) return a.notAfter > b.notAfter ? a : b;
  if (a.notBefore !== b.notBefore) return a.notBefore > b.notBefore ? a : b;
  return a.fingerprintSha256 < b.fingerprintSha256 ? a : b;
}

/** Fills entry_names and entries.renews_id for every entry (both created by migration 4 just before). */
export function linkAllAsOfVersion4(db: Database.Database): void {
  const rows = db.prepare('SELECT id, key_algorithm, is_ca, common_name, dns_names, not_after, not_before, fingerprint_sha256 FROM entries').all() as Row[];
  const facts = rows.map(factsOf);
  const byName = new Map<string, Facts[]>();
  const insertName = db.prepare('INSERT OR IGNORE INTO entry_names (name, entry_id) VALUES (?, ?)');
  for (const entry of facts) {
    for (const name of entry.names) {
      insertName.run(name, entry.id);
      byName.set(name, [...(byName.get(name) ?? []), entry]);
    }
  }
  const link = db.prepare('UPDATE entries SET renews_id = ? WHERE id = ?');
  for (const entry of facts) {
    const candidates = new Set(entry.names.flatMap((name) => byName.get(name) ?? []));
    const predecessor = [...candidates].filter((candidate) => renews(entry, candidate)).reduce<Facts | null>((best, candidate) => (best ? closer(best, candidate) : candidate), null);
    if (predecessor) link.run(predecessor.id, entry.id);
  }
}
