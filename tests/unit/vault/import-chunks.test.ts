import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../main/core/db/open';
import { Vault } from '../../../main/core/library/vault';
import { countFiles } from '../../../main/core/library/collect-files';
import { readAndParseLocally, type FileBatchParser } from '../../../main/core/library/parse-source';
import { MemorySecretStore } from './helpers/memory-secret-store';
import { makeCa, makeLeaf } from './helpers/pki';

// A folder is imported in chunks of files (vault.ts importPaths); what pairs across chunks must
// pair as if the folder were read at once. A chunk of one file puts every pairing across chunks.

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-chunks-'));
  dirs.push(dir);
  return dir;
}

async function folderOfSplitFiles(): Promise<string> {
  const ca = await makeCa('Chunk Issuing CA');
  const first = await makeLeaf(ca, { commonName: 'first.example.com' });
  const second = await makeLeaf(ca, { commonName: 'second.example.com' });
  const folder = tempDir();
  // Read in name order: a leaf before its CA, a key before its certificate, a key after its certificate.
  fs.writeFileSync(path.join(folder, '1-first.pem'), first.certPem);
  fs.writeFileSync(path.join(folder, '2-first.key'), first.keyPem);
  fs.writeFileSync(path.join(folder, '3-ca.pem'), ca.certPem);
  fs.writeFileSync(path.join(folder, '4-second.key'), second.keyPem);
  fs.writeFileSync(path.join(folder, '5-second.pem'), second.certPem);
  return folder;
}

async function importWithChunks(folder: string, importChunkFiles: number) {
  const vault = Vault.open({ dataDir: tempDir(), secrets: new MemorySecretStore(), importChunkFiles });
  try {
    const result = await vault.importPaths([folder]);
    const entries = (await vault.list({ sort: 'name' })).entries;
    const stored = await Promise.all(
      entries.map(async (entry) => {
        const fullchain = (await vault.export(entry.id, 'fullchain')).bytes.toString('utf8');
        return { name: entry.name, hasKey: entry.hasKey, certificates: fullchain.split('BEGIN CERTIFICATE').length - 1 };
      }),
    );
    return { failed: result.failed, imported: result.imported.length, stored, libraryCas: (await vault.caCertificates()).length };
  } finally {
    await vault.close();
  }
}

describe('import in chunks', () => {
  it('pairs keys, chains and CA certificates across chunks as one read of the folder does', async () => {
    const folder = await folderOfSplitFiles();
    const whole = await importWithChunks(folder, 1000);
    const oneByOne = await importWithChunks(folder, 1);
    expect(whole.failed).toEqual([]);
    // Leaf + CA in each entry's full chain: the chain was stored; the CA is no entry of its own.
    expect(whole.stored).toEqual([
      { name: 'first.example.com', hasKey: true, certificates: 2 },
      { name: 'second.example.com', hasKey: true, certificates: 2 },
    ]);
    expect(whole.libraryCas).toBe(1);
    expect(oneByOne).toEqual(whole);
  });

  it('stores a CA certificate that issued nothing in the import as an entry of its own', async () => {
    const ca = await makeCa('Lonely CA');
    const other = await makeCa('Other CA');
    const leaf = await makeLeaf(other, { commonName: 'leaf.example.com' });
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'a-ca.pem'), ca.certPem);
    fs.writeFileSync(path.join(folder, 'b-leaf.pem'), leaf.certPem);
    const vault = Vault.open({ dataDir: tempDir(), secrets: new MemorySecretStore(), importChunkFiles: 1 });
    try {
      const result = await vault.importPaths([folder]);
      expect(result.failed).toEqual([]);
      expect((await vault.list({ sort: 'name' })).entries.map((e) => [e.name, e.isCA])).toEqual([
        ['leaf.example.com', false],
        ['Lonely CA', true],
      ]);
    } finally {
      await vault.close();
    }
  });

  it('a key whose certificate is nowhere fails once, naming its file', async () => {
    const ca = await makeCa('Key CA');
    const leaf = await makeLeaf(ca, { commonName: 'nocert.example.com' });
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'orphan.key'), leaf.keyPem);
    fs.writeFileSync(path.join(folder, 'z-ca.pem'), ca.certPem);
    const vault = Vault.open({ dataDir: tempDir(), secrets: new MemorySecretStore(), importChunkFiles: 1 });
    try {
      const result = await vault.importPaths([folder]);
      expect(result.failed.map((f) => [path.basename(f.file), f.error.code])).toEqual([['orphan.key', 'vault.key_without_certificate']]);
    } finally {
      await vault.close();
    }
  });
});

describe('import pipeline', () => {
  it('parses the next files while a chunk is being written, not only between chunks', async () => {
    const ca = await makeCa('Pipeline CA');
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'ca.pem'), ca.certPem);
    const leaves = await Promise.all(Array.from({ length: 300 }, (_, i) => makeLeaf(ca, { commonName: `host${i}.pipeline.example` })));
    leaves.forEach((leaf, i) => fs.writeFileSync(path.join(folder, `leaf-${String(i).padStart(3, '0')}.pem`), leaf.certPem));
    const dataDir = tempDir();
    // Chunks of 150 files: the parse calls (64 files each) of the next chunk fall within this one's writes.
    const vault = Vault.open({ dataDir, secrets: new MemorySecretStore(), importChunkFiles: 150 });
    // Another connection to the same file: its BEGIN IMMEDIATE fails at once while the import holds the write lock.
    const observer = new Database(path.join(dataDir, DATABASE_FILE));
    observer.pragma('busy_timeout = 0');
    const duringWrite = (): boolean => {
      try {
        observer.exec('BEGIN IMMEDIATE');
        observer.exec('ROLLBACK');
        return false;
      } catch (error) {
        if ((error as { code?: string }).code === 'SQLITE_BUSY') return true;
        throw error;
      }
    };
    let calls = 0;
    let callsDuringWrite = 0;
    const parseFiles: FileBatchParser = (files, password) => {
      calls += 1;
      if (duringWrite()) callsDuringWrite += 1;
      return readAndParseLocally(files, password);
    };
    try {
      const result = await vault.importPaths([folder], { parseFiles });
      expect(result.counts).toEqual({ new: 300, merged: 0, failed: 0, keysNotStored: 0 });
      // The CA and 300 leaves, 64 files a call.
      expect(calls).toBe(5);
      // Before: the writes of a chunk never let the event loop turn, so every parse waited for the chunk's commit.
      expect(callsDuringWrite).toBeGreaterThan(0);
    } finally {
      observer.close();
      await vault.close();
    }
  });
});

describe('a file parser that answers part of its batch', () => {
  it('is asked again for the rest, and every file is imported once, in order', async () => {
    const folder = await folderOfSplitFiles();
    const asked: number[] = [];
    // Answers at most two files a call, as the parse worker does once a batch's bytes are read.
    const parseFiles: FileBatchParser = (files, password) => {
      asked.push(files.length);
      return readAndParseLocally(files.slice(0, 2), password);
    };
    const vault = Vault.open({ dataDir: tempDir(), secrets: new MemorySecretStore() });
    try {
      const result = await vault.importPaths([folder], { parseFiles });
      expect(asked).toEqual([5, 3, 1]);
      expect(result.failed).toEqual([]);
      expect(result.imported.map((entry) => entry.duplicate)).toEqual([false, false]);
      const entries = (await vault.list({ sort: 'name' })).entries;
      expect(entries.map((entry) => [entry.name, entry.hasKey])).toEqual([
        ['first.example.com', true],
        ['second.example.com', true],
      ]);
    } finally {
      await vault.close();
    }
  });
});

describe('import outcome', () => {
  it('reports an entry brought by two chunks once, counted once', async () => {
    const ca = await makeCa('Twice CA');
    const leaf = await makeLeaf(ca, { commonName: 'twice.example.com' });
    const folder = tempDir();
    fs.writeFileSync(path.join(folder, 'cert.pem'), leaf.certPem);
    fs.writeFileSync(path.join(folder, 'fullchain.pem'), leaf.certPem + ca.certPem);
    fs.writeFileSync(path.join(folder, 'privkey.pem'), leaf.keyPem);
    // A chunk per file: the later files merge a chain and a key into the entry the first created.
    const vault = Vault.open({ dataDir: tempDir(), secrets: new MemorySecretStore(), importChunkFiles: 1 });
    try {
      const first = await vault.importPaths([folder]);
      expect(first.imported).toEqual([expect.objectContaining({ duplicate: false })]);
      expect(first.counts).toEqual({ new: 1, merged: 0, failed: 0, keysNotStored: 0 });
      expect(await vault.entry(first.imported[0]!.id)).toMatchObject({ hasKey: true });
      const again = await vault.importPaths([folder]);
      expect(again.imported).toEqual([{ ...first.imported[0], duplicate: true }]);
      expect(again.counts).toEqual({ new: 0, merged: 1, failed: 0, keysNotStored: 0 });
    } finally {
      await vault.close();
    }
  });
});

describe('file cap', () => {
  it('stops a walk past the cap with a message naming the limit', async () => {
    const folder = tempDir();
    for (const name of ['a.pem', 'b.pem', 'c.pem']) fs.writeFileSync(path.join(folder, name), '');
    await expect(countFiles([folder], 2)).rejects.toMatchObject({ code: 'input.too_many_files', params: { limit: 2 } });
    await expect(countFiles([folder], 3)).resolves.toBe(3);
  });
});
