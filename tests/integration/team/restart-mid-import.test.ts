import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImportResult } from '../../../shared/library';
import { dispatch } from '../../../main/core/ipc/dispatch';
import { openPostgresVaultDb } from '../../../main/core/db/pg/open';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { parseTeamUrl } from '../../../main/core/team/db/connection-url';
import { makeCa, makeLeaf } from '../../unit/vault/helpers/pki';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';
import { openTeamWindow } from './team-window';

// PostgreSQL restarted in the middle of an import into a team vault (issue 11 §3), through the
// window's real path (library.import: the parse worker, the import run's TEMP tables on a held
// connection, entries written 100 per transaction on the pool). The cut is made deterministic:
// another session holds an uncommitted entry with the fingerprint of one of the files, so the
// import's transaction holding it waits on that row's unique key until the server restarts under
// it. Afterwards every entry is whole or absent, the vault is online again by itself, and the
// same import run again completes it with counts that add up.

const FILES = 300;
/** The file whose entry the other session holds: past the first write batches, so some committed before the cut. */
const HELD = 230;

let cluster: PgCluster;
let root: string;
let folder: string;
let heldFingerprint: string;

beforeAll(async () => {
  cluster = await startPgCluster();
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-restart-import-'));
  folder = path.join(root, 'issued');
  fs.mkdirSync(folder);
  const ca = await makeCa('Restart Test CA');
  fs.writeFileSync(path.join(folder, 'ca.pem'), ca.certPem);
  for (let i = 0; i < FILES; i++) {
    const leaf = await makeLeaf(ca, { commonName: `host-${String(i).padStart(3, '0')}.restart.example` });
    fs.writeFileSync(path.join(folder, `leaf-${String(i).padStart(3, '0')}.pem`), leaf.certPem + leaf.keyPem);
    if (i === HELD) heldFingerprint = new X509Certificate(leaf.certPem).fingerprint256.replaceAll(':', '').toLowerCase();
  }
}, 120_000);

afterAll(async () => {
  await cluster?.stop();
  if (root) fs.rmSync(root, { recursive: true, force: true });
}, 60_000);

/** A session of its own holding, uncommitted, an entry with `fingerprint`: a writer of the same one waits for it. */
async function holdEntry(database: string, fingerprint: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: cluster.url({ database, query: 'sslmode=disable' }) });
  // Cut by the restart on purpose.
  client.on('error', () => undefined);
  await client.connect();
  await client.query('BEGIN');
  await client.query(
    `INSERT INTO entries (id, fingerprint_sha256, name, common_name, dns_names, subject, issuer, issuer_common_name, serial_number, not_before, not_after,
       key_algorithm, is_ca, tags, notes, source_file, imported_at, updated_at, has_key, sm2_dual, cert_terms, search_text)
     VALUES ('held', $1, 'held', 'held', '[]', 'CN=held', 'CN=held', 'held', '01', '2026-01-01', '2027-01-01', 'EC', 0, '[]', '', 'held', '2026-12-07', '2026-12-07', 0, 0, 'held', 'held')`,
    [fingerprint],
  );
  return client;
}

async function waitForLockWait(database: string): Promise<void> {
  const client = new pg.Client({ connectionString: cluster.url({ database, query: 'sslmode=disable' }) });
  await client.connect();
  try {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const waiting = await client.query<{ n: string }>(`SELECT count(*) AS n FROM pg_stat_activity WHERE datname = $1 AND wait_event_type = 'Lock'`, [database]);
      if (Number(waiting.rows[0]!.n) > 0) return;
      if (Date.now() > deadline) throw new Error('the import never reached the held entry');
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  } finally {
    await client.end();
  }
}

/** What is wrong with the stored entries: each must be whole (leaf + chain, sealed key, names, search text), nothing may be orphaned. */
async function damage(vault: VaultDb): Promise<Record<string, number>> {
  const counts = await sql<Record<string, string>>`
    SELECT
      (SELECT count(*) FROM entries e WHERE (SELECT count(*) FROM entry_certificates c WHERE c.entry_id = e.id AND c.role = 'leaf' AND c.position = 0) <> 1) AS without_leaf,
      (SELECT count(*) FROM entries e WHERE (SELECT count(*) FROM entry_certificates c WHERE c.entry_id = e.id AND c.role = 'chain') <> 1) AS without_chain,
      (SELECT count(*) FROM entries e WHERE e.has_key <> 1 OR NOT EXISTS (SELECT 1 FROM sealed_keys k WHERE k.entry_id = e.id AND k.role = 'leaf')) AS without_key,
      (SELECT count(*) FROM entries e WHERE NOT EXISTS (SELECT 1 FROM entry_names n WHERE n.entry_id = e.id)) AS without_names,
      (SELECT count(*) FROM entries e WHERE position(e.common_name IN e.search_text) = 0) AS without_search_text,
      (SELECT count(*) FROM entry_certificates WHERE entry_id NOT IN (SELECT id FROM entries)) AS orphan_certificates,
      (SELECT count(*) FROM sealed_keys WHERE entry_id NOT IN (SELECT id FROM entries)) AS orphan_keys,
      (SELECT count(*) FROM entry_names WHERE entry_id NOT IN (SELECT id FROM entries)) AS orphan_names,
      (SELECT count(*) FROM library_cas) - 1 AS extra_cas`.execute(vault.db);
  return Object.fromEntries(Object.entries(counts.rows[0]!).map(([key, value]) => [key, Number(value)]));
}

const whole = { without_leaf: 0, without_chain: 0, without_key: 0, without_names: 0, without_search_text: 0, orphan_certificates: 0, orphan_keys: 0, orphan_names: 0, extra_cas: 0 };

async function entryCount(vault: VaultDb): Promise<number> {
  return Number((await vault.db.selectFrom('entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
}

describe('PostgreSQL restarted in the middle of an import', () => {
  it('leaves every entry whole or absent, says the import was cut, comes back online, and the import run again completes it', async () => {
    const database = 'restart_import';
    const { switcher } = await openTeamWindow(cluster, database, path.join(root, 'home'));
    try {
      const held = await holdEntry(database, heldFingerprint);
      const importing = dispatch(switcher.current, 'library.import', { paths: [folder] });
      await waitForLockWait(database);
      await cluster.restart();
      await held.end().catch(() => undefined);
      const cut = await importing;
      expect(cut).toMatchObject({ ok: false });
      if (cut.ok) return;
      expect(['team.connection_lost', 'team.unreachable', 'team.offline']).toContain(cut.error.code);

      // Back online by itself (a probe finds the server; it may never have looked offline).
      await expect.poll(() => switcher.current.team?.().status().online, { timeout: 30_000 }).toBe(true);

      const { address, password } = parseTeamUrl(cluster.url({ database, query: 'sslmode=disable' }));
      const check = openPostgresVaultDb({ address, password: password ?? '' });
      try {
        const before = await entryCount(check);
        expect(before).toBeLessThan(FILES);
        expect(await damage(check)).toEqual(before === 0 ? { ...whole, extra_cas: -1 } : whole);

        const again = await dispatch(switcher.current, 'library.import', { paths: [folder] });
        if (!again.ok) throw new Error(`import again failed: ${JSON.stringify(again.error)}`);
        const { counts } = again.value as ImportResult;
        expect(counts).toEqual({ new: FILES - before, merged: before, failed: 0, keysNotStored: 0 });
        expect(await entryCount(check)).toBe(FILES);
        expect(await damage(check)).toEqual(whole);
        expect(await check.db.selectFrom('entries').select('id').where('is_ca', '=', 1).execute()).toEqual([]);

        // Every key opens with the team key: the private key of the entry held at the cut, and of one stored before it.
        const ids = await check.db.selectFrom('entries').select(['id', 'fingerprint_sha256']).orderBy('imported_at').execute();
        for (const { id } of [ids[0]!, ids.find((row) => row.fingerprint_sha256 === heldFingerprint)!]) {
          const file = path.join(root, `${id}.key`);
          expect(await dispatch(switcher.current, 'library.export', { id, format: 'key', path: file })).toMatchObject({ ok: true });
          expect(fs.readFileSync(file, 'utf8')).toContain('PRIVATE KEY');
        }
      } finally {
        await check.close();
      }
    } finally {
      await switcher.close();
    }
  }, 180_000);
});
