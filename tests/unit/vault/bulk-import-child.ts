import { Vault } from '../../../main/core/library/vault';
import { MemorySecretStore } from './helpers/memory-secret-store';

// Child process of the bulk import test: imports a folder as a bulk write (db/bulk-write.ts), a
// chunk of 10 files at a time, printing "progress" after each file, until killed.

const [dataDir, folder] = process.argv.slice(2);
const vault = Vault.open({ dataDir: dataDir!, secrets: new MemorySecretStore(), bulkImportFiles: 1, importChunkFiles: 10 });
void (async () => {
  await vault.importPaths([folder!], { onProgress: () => process.stdout.write('progress\n') });
  await vault.close();
  process.stdout.write('done\n');
})();
