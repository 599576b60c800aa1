import { osKeychain } from '../../../main/core/keychain';
import { Vault } from '../../../main/core/library/vault';
import { assertThrowawayKeyring } from './keyring-guard';

// Child process for the crash test: imports every file of a folder, one import (and so one
// transaction per entry) after another, printing "ready" once the vault is open and "imported"
// after each file, until killed.
// Also used to import with a given D-Bus address (keychain unreachable test).

assertThrowawayKeyring();
const [dataDir, ...paths] = process.argv.slice(2);
const vault = Vault.open({ dataDir: dataDir!, secrets: osKeychain() });
process.stdout.write('ready\n');
void (async () => {
  let imported = 0;
  const failed: string[] = [];
  const keysNotStored: string[] = [];
  for (const file of paths) {
    const result = await vault.importPaths([file]);
    imported += result.imported.length;
    process.stdout.write('imported\n');
    failed.push(...result.failed.map((f) => f.error.code));
    keysNotStored.push(...result.keysNotStored.map((k) => k.error.message));
  }
  await vault.close();
  process.stdout.write(`${JSON.stringify({ imported, failed, keysNotStored })}\n`);
})();
