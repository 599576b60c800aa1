import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataRevision } from '../../../main/core/db/revision';
import { openDatabase } from '../../../main/core/db/open';
import { openSqliteVaultDb } from '../../../main/core/db/vault-db';
import { Lineage } from '../../../main/core/library/lineage';
import { readRadarSource } from '../../../main/core/inventory/radar-source';
import { alertVault, inDays } from '../alerts/fixture';

describe('the radar source', () => {
  it('gives each renewed entry the current version Lineage gives it, through chains and splits', async () => {
    const vault = alertVault();
    vault.entry('v1', { cn: 'www.example.com', notAfter: inDays(10) });
    vault.entry('v2', { cn: 'www.example.com', notAfter: inDays(100), renews: 'v1' });
    vault.entry('v3', { cn: 'www.example.com', notAfter: inDays(200), renews: 'v2' });
    // A split: two renewals of one entry; the later expiry is the one followed.
    vault.entry('s0', { cn: 'api.example.com', notAfter: inDays(5) });
    vault.entry('s-short', { cn: 'api.example.com', notAfter: inDays(50), renews: 's0' });
    vault.entry('s-long', { cn: 'api.example.com', notAfter: inDays(90), renews: 's0' });
    vault.entry('ca', { cn: 'Root', notAfter: inDays(3000), isCa: true });
    const lineage = new Lineage(vault.vaultDb);
    const source = await readRadarSource(vault.vaultDb);
    for (const entry of source.entries) {
      const current = await lineage.currentVersionOf(entry.id);
      expect(entry.currentVersion, entry.id).toEqual(current && current.id !== entry.id ? current : null);
    }
    expect(Object.fromEntries(source.entries.map((e) => [e.id, e.currentVersion?.id ?? null]))).toEqual({
      v1: 'v3',
      v2: 'v3',
      v3: null,
      s0: 's-long',
      's-short': null,
      's-long': null,
      ca: null,
    });
    expect(source.entries.find((e) => e.id === 'ca')?.isCa).toBe(true);
  });
});

describe('the radar source at scale', () => {
  it('reads the library in the radar order from a covering index, and only the renewing entries for the lineages', async () => {
    const vault = alertVault();
    vault.entry('m', { cn: 'm.example', notAfter: inDays(30) });
    vault.entry('k', { cn: 'k.example', notAfter: inDays(30) });
    vault.entry('early', { cn: 'z.example', notAfter: inDays(-5) });
    vault.entry('late', { cn: 'a.example', notAfter: inDays(400), renews: 'm' });
    const source = await readRadarSource(vault.vaultDb);
    expect(source.entries.map((e) => e.id)).toEqual(['early', 'k', 'm', 'late']);
    expect(source.entries.find((e) => e.id === 'm')?.currentVersion?.id).toBe('late');
    const plan = (query: string) => (vault.db.prepare(`EXPLAIN QUERY PLAN ${query}`).all() as { detail: string }[]).map((row) => row.detail).join('; ');
    expect(plan(`SELECT id, name, common_name, json_extract(dns_names, '$[0]'), not_after, is_ca FROM entries ORDER BY not_after, name, id`)).toBe('SCAN entries USING COVERING INDEX entries_radar');
    expect(plan(`SELECT id, name, not_after, not_before, fingerprint_sha256, renews_id FROM entries WHERE renews_id > ''`)).toContain('USING INDEX entries_renews');
  });
});

describe('dataRevision', () => {
  const dirs: string[] = [];
  afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

  it('changes on a commit by this connection or another, and only then', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-revision-'));
    dirs.push(dir);
    const [reader, writer] = [openSqliteVaultDb(dir), openDatabase(dir)];
    try {
      const first = await dataRevision(reader);
      await reader.db.selectFrom('entries').select((eb) => eb.fn.countAll().as('n')).execute();
      expect(await dataRevision(reader)).toBe(first);
      writer.prepare(`INSERT INTO cloud_accounts (id, name, cloud, created_at, updated_at) VALUES ('a', 'a', 'tencent', 'now', 'now')`).run();
      const second = await dataRevision(reader);
      expect(second).not.toBe(first);
      await reader.db.updateTable('cloud_accounts').set({ name: 'b' }).execute();
      expect(await dataRevision(reader)).not.toBe(second);
    } finally {
      await reader.close();
      writer.close();
    }
  });
});
