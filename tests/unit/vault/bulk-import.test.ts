import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { beginBulkWrite, DEFERRED_INDEXES, endBulkWrite } from '../../../main/core/db/bulk-write';
import { DATABASE_FILE } from '../../../main/core/db/open';
import { readAndParseLocally, type FileBatchParser } from '../../../main/core/library/parse-source';
import { Vault } from '../../../main/core/library/vault';
import { MemorySecretStore } from './helpers/memory-secret-store';
import { makeCa, makeLeaf } from './helpers/pki';

// A large import into the local vault is a bulk write (db/bulk-write.ts): the list's indexes are
// dropped and the new entries' trigram index rows left out while it runs, then built at its end.
// What it stores, lists and finds must be what an import entry by entry stores, lists and finds,
// however it ends: finished, stopped by an error, or its process killed.

const ROOT = path.resolve(__dirname, '../../..');
const LEAVES = 60;
const dirs: string[] = [];
let folder: string;

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bulk-'));
  dirs.push(dir);
  return dir;
}

beforeAll(async () => {
  const ca = await makeCa('Bulk Issuing CA');
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-bulk-folder-'));
  fs.writeFileSync(path.join(folder, 'ca.pem'), ca.certPem);
  const leaves = await Promise.all(Array.from({ length: LEAVES }, (_, i) => makeLeaf(ca, { commonName: `host${i}.bulk.example`, dnsNames: [`host${i}.bulk.example`] })));
  // Keys in files of their own after their certificates: pairing goes through the library.
  leaves.forEach((leaf, i) => {
    fs.writeFileSync(path.join(folder, `leaf-${String(i).padStart(2, '0')}.pem`), leaf.certPem);
    fs.writeFileSync(path.join(folder, `leaf-${String(i).padStart(2, '0')}.zkey`), leaf.keyPem);
  });
  return () => fs.rmSync(folder, { recursive: true, force: true });
});
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

/** What a vault shows: its list, and what a search by host name, by fingerprint and by CA finds. */
async function shown(vault: Vault) {
  const entries = (await vault.list({ sort: 'name', limit: 500 })).entries;
  const found = async (search: string) => (await vault.list({ search, sort: 'name' })).entries.map((entry) => entry.name);
  return {
    entries: entries.map((entry) => [entry.name, entry.hasKey, entry.isCA]),
    host: await found('host17.bulk'),
    fingerprint: await found(entries[5]!.fingerprintSha256.toUpperCase().match(/../g)!.join(':')),
    byIssuer: (await vault.list({ search: 'bulk issuing', sort: 'notAfter' })).total,
  };
}

/** The vault file as a bulk write leaves it once done: every index there, every entry with its trigram row, no marker. */
function storedState(dataDir: string) {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    const indexes = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`).all() as { name: string }[]).map((row) => row.name);
    const counts = db.prepare('SELECT (SELECT count(*) FROM entries) AS entries, (SELECT count(*) FROM entries_search_content) AS searchRows').get();
    const unindexed = db.prepare('SELECT count(*) AS n FROM entries WHERE search_rowid NOT IN (SELECT id FROM entries_search_content)').get();
    const marker = db.prepare(`SELECT count(*) AS n FROM vault_meta WHERE key = 'bulk_write'`).get();
    return { indexes, counts, unindexed, marker };
  } finally {
    db.close();
  }
}

function indexesOf(dataDir: string): string[] {
  const db = new Database(path.join(dataDir, DATABASE_FILE), { readonly: true });
  try {
    return (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index'`).all() as { name: string }[]).map((row) => row.name);
  } finally {
    db.close();
  }
}

describe('bulk import', () => {
  it('stores, lists and finds what an import entry by entry does, with every index in place after', async () => {
    const bulkDir = tempDir();
    const bulk = Vault.open({ dataDir: bulkDir, secrets: new MemorySecretStore(), bulkImportFiles: 1, importChunkFiles: 16 });
    const oneByOneDir = tempDir();
    const oneByOne = Vault.open({ dataDir: oneByOneDir, secrets: new MemorySecretStore(), importChunkFiles: 16 });
    const droppedWhileParsing: string[][] = [];
    const parseFiles: FileBatchParser = (files, password) => {
      const present = indexesOf(bulkDir);
      droppedWhileParsing.push(DEFERRED_INDEXES.filter((name) => !present.includes(name)));
      return readAndParseLocally(files, password);
    };
    try {
      const bulkResult = await bulk.importPaths([folder], { parseFiles });
      const result = await oneByOne.importPaths([folder]);
      // Every deferred index was there before and is gone while the import runs.
      expect(droppedWhileParsing[0]).toEqual(DEFERRED_INDEXES);
      expect(bulkResult.counts).toEqual({ new: LEAVES, merged: 0, failed: 0, keysNotStored: 0 });
      expect(bulkResult.counts).toEqual(result.counts);
      const seen = await shown(bulk);
      expect(seen.host).toEqual(['host17.bulk.example']);
      expect(seen.fingerprint).toHaveLength(1);
      expect(seen.byIssuer).toBe(LEAVES);
      expect(seen).toEqual(await shown(oneByOne));
    } finally {
      await bulk.close();
      await oneByOne.close();
    }
    const state = storedState(bulkDir);
    expect(state.indexes).toEqual(storedState(oneByOneDir).indexes);
    expect(state).toMatchObject({ counts: { entries: LEAVES, searchRows: LEAVES }, unindexed: { n: 0 }, marker: { n: 0 } });
  });

  it('builds its indexes and trigram rows when the import stops on an error', async () => {
    const dataDir = tempDir();
    const vault = Vault.open({ dataDir, secrets: new MemorySecretStore(), bulkImportFiles: 1, importChunkFiles: 16 });
    let calls = 0;
    const parseFiles: FileBatchParser = (files, password) => {
      calls += 1;
      if (calls === 3) throw new Error('the disk went away');
      return readAndParseLocally(files.slice(0, 20), password);
    };
    try {
      await expect(vault.importPaths([folder], { parseFiles })).rejects.toThrow('the disk went away');
      const written = (await vault.list({ sort: 'name' })).total;
      expect(written).toBeGreaterThan(0);
      expect((await vault.list({ search: 'bulk.example' })).total).toBe(written);
    } finally {
      await vault.close();
    }
    expect(storedState(dataDir)).toMatchObject({ unindexed: { n: 0 }, marker: { n: 0 } });
    expect(indexesOf(dataDir)).toEqual(expect.arrayContaining([...DEFERRED_INDEXES]));
  });

  it('is finished by the next open when its process was killed in the middle', async () => {
    const dataDir = tempDir();
    // node with tsx's loader, not the tsx wrapper: the wrapper runs the script in a grandchild that SIGKILL would miss.
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bulk-import-child.ts'), dataDir, folder], { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    let progress = 0;
    // Killed once 40 of the folder's files are through: a few chunks written, the rest not.
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => {
        progress += data.toString().split('\n').filter((line) => line === 'progress').length;
        if (progress >= 40) resolve();
      });
      child.on('exit', () => reject(new Error(`the child ended after ${progress} files`)));
    });
    child.kill('SIGKILL');
    await exited;
    const killed = storedState(dataDir);
    expect(killed.marker).toEqual({ n: 1 });
    expect(killed.unindexed).not.toEqual({ n: 0 });

    const vault = Vault.open({ dataDir, secrets: new MemorySecretStore() });
    try {
      const written = (await vault.list({ sort: 'name' })).total;
      expect(written).toBe((killed.counts as { entries: number }).entries);
      expect((await vault.list({ search: 'bulk.example' })).total).toBe(written);
    } finally {
      await vault.close();
    }
    expect(storedState(dataDir)).toMatchObject({ unindexed: { n: 0 }, marker: { n: 0 } });
    expect(indexesOf(dataDir)).toEqual(expect.arrayContaining([...DEFERRED_INDEXES]));
  }, 60_000);

  it('leaves a running bulk write to its process, and another import of the vault meanwhile writes as usual', async () => {
    const dataDir = tempDir();
    const vault = Vault.open({ dataDir, secrets: new MemorySecretStore(), bulkImportFiles: 1 });
    const file = path.join(dataDir, DATABASE_FILE);
    try {
      // This process's bulk write under way; a second vault opened on the file (as the CLI beside the app) leaves it.
      expect(beginBulkWrite(file)).toBe(true);
      const other = Vault.open({ dataDir, secrets: new MemorySecretStore(), bulkImportFiles: 1 });
      try {
        expect(storedState(dataDir).marker).toEqual({ n: 1 });
        const result = await other.importPaths([folder]);
        expect(result.counts.new).toBe(LEAVES);
        // Its rows went into the trigram index as they were written: not a bulk write of its own.
        expect(storedState(dataDir).unindexed).toEqual({ n: 0 });
      } finally {
        await other.close();
      }
      await endBulkWrite(file);
      expect((await vault.list({ search: 'host17.bulk' })).entries.map((entry) => entry.name)).toEqual(['host17.bulk.example']);
    } finally {
      await vault.close();
    }
    expect(storedState(dataDir)).toMatchObject({ counts: { entries: LEAVES, searchRows: LEAVES }, unindexed: { n: 0 }, marker: { n: 0 } });
    expect(indexesOf(dataDir)).toEqual(expect.arrayContaining([...DEFERRED_INDEXES]));
  });

  it('is no bulk write for an import small beside the library', async () => {
    const dataDir = tempDir();
    // 121 files against a library of 60: below a quarter is small.
    const vault = Vault.open({ dataDir, secrets: new MemorySecretStore(), bulkImportFiles: 100 });
    try {
      await vault.importPaths([folder]);
      let dropped = false;
      const parseFiles: FileBatchParser = (files, password) => {
        dropped ||= !indexesOf(dataDir).includes('entries_by_name');
        return readAndParseLocally(files, password);
      };
      await vault.importPaths([path.join(folder, 'leaf-01.pem')], { parseFiles });
      expect(dropped).toBe(false);
    } finally {
      await vault.close();
    }
  });
});
