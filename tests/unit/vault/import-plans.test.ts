import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { days, makeCa, makeLeaf } from './helpers/pki';
import { openTestVault, text, type TestVault } from './helpers/vault';
import { beginBulkWrite, endBulkWrite } from '../../../main/core/db/bulk-write';

// An import's batch looks its entries up together (store.ts writeMany, lineage.ts linkNewMany):
// each of those lookups must seek an index, or a batch costs a scan of the library per statement;
// during a bulk write too, without the list's indexes (db/bulk-write.ts).

let t: TestVault;
afterEach(() => t?.cleanup());

/** Every SELECT the connections of this process run while `work` runs, with its parameters. */
async function selectsDuring(work: () => Promise<unknown>): Promise<Map<string, unknown[]>> {
  const probe = new Database(':memory:');
  const statement = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<'all' | 'get' | 'iterate', (...args: unknown[]) => unknown>;
  probe.close();
  const seen = new Map<string, unknown[]>();
  const originals = { all: statement.all, get: statement.get, iterate: statement.iterate };
  for (const method of ['all', 'get', 'iterate'] as const) {
    const original = originals[method];
    statement[method] = function (this: { source: string }, ...args: unknown[]) {
      if (/^\s*select/i.test(this.source)) seen.set(this.source, args);
      return original.apply(this, args);
    };
  }
  try {
    await work();
  } finally {
    Object.assign(statement, originals);
  }
  return seen;
}

/** Imports leaves and then renewals of half of them; checks the plan of every lookup of the second import on the file as it is then. */
async function checkPlans(during: { before: (file: string) => void; after: (file: string) => Promise<void> }): Promise<void> {
  t = openTestVault();
  const ca = await makeCa('Plan CA');
  const names = (i: number) => [`host${i}.plan.example`, `www.host${i}.plan.example`];
  const first = await Promise.all(Array.from({ length: 40 }, (_, i) => makeLeaf(ca, { commonName: `host${i}.plan.example`, dnsNames: names(i), notAfter: days(30) })));
  await t.vault.importContent(first.map((leaf, i) => text(`old-${i}.pem`, leaf.certPem, leaf.keyPem)));
  const file = path.join(t.dir, 'vault.db');
  during.before(file);
  // Renewals of half of them and new names: both kinds of lineage lookup run.
  const next = await Promise.all(Array.from({ length: 40 }, (_, i) => makeLeaf(ca, { commonName: `host${i * 2}.plan.example`, dnsNames: names(i * 2), notAfter: days(400) })));
  const selects = await selectsDuring(() => t.vault.importContent(next.map((leaf, i) => text(`new-${i}.pem`, leaf.certPem, leaf.keyPem))));
  expect(selects.size).toBeGreaterThan(3);
  const db = new Database(file, { readonly: true });
  try {
    for (const [sql, args] of selects) {
      if (/import_(reported|unchained)_/.test(sql)) continue;
      const plan = (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((row) => row.detail);
      expect(plan.filter((detail) => /^SCAN (?!json_each)/.test(detail)), sql).toEqual([]);
    }
  } finally {
    db.close();
  }
  await during.after(file);
}

describe('query plans of an import batch', () => {
  it('seeks an index for every lookup, new and renewed entries alike', async () => {
    await checkPlans({ before: () => undefined, after: async () => undefined });
  });

  it('seeks an index for every lookup while a bulk write has the list indexes dropped', async () => {
    await checkPlans({
      before: (file) => expect(beginBulkWrite(file)).toBe(true),
      after: (file) => endBulkWrite(file),
    });
  });
});
