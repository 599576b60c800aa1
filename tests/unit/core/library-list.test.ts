import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { dispatch } from '../../../main/core/ipc/dispatch';
import type { LibraryListEntry, LibraryPage } from '../../../shared/library';
import { testHandlerContext } from '../electron/handler-context';
import { makeCa, makeLeaf, type Issued } from '../vault/helpers/pki';
import { openTestVault, text, type TestVault } from '../vault/helpers/vault';

// `library.list` rows say whether their key can still be opened, so the list does not show a key
// as usable when the keychain lost the vault's data key.

let ca: Issued;
let withKey: Issued;
let withoutKey: Issued;
let t: TestVault;
beforeAll(async () => {
  ca = await makeCa('List Test CA');
  withKey = await makeLeaf(ca, { commonName: 'keyed.example.com' });
  withoutKey = await makeLeaf(ca, { commonName: 'bare.example.com' });
});
afterEach(() => t?.cleanup());

async function listed(): Promise<Record<string, LibraryListEntry['keyState']>> {
  const result = await dispatch(testHandlerContext({ vault: () => t.vault }), 'library.list', {});
  if (!result.ok) throw new Error(result.error.message);
  const page = result.value as LibraryPage<LibraryListEntry>;
  return Object.fromEntries(page.entries.map((entry) => [entry.commonName, entry.keyState]));
}

describe('library.list key states', () => {
  async function twoEntries(): Promise<void> {
    t = openTestVault();
    await t.vault.importContent([text('keyed.pem', withKey.certPem, withKey.keyPem), text('bare.pem', withoutKey.certPem)]);
  }

  it('sealed while the keychain holds the data key', async () => {
    await twoEntries();
    expect(await listed()).toEqual({ 'keyed.example.com': 'sealed', 'bare.example.com': 'none' });
  });

  it('unrecoverable once the data key is gone from the keychain', async () => {
    await twoEntries();
    t.secrets.secrets.clear();
    t.reopen();
    expect(await listed()).toEqual({ 'keyed.example.com': 'unrecoverable', 'bare.example.com': 'none' });
  });

  it('still sealed when the keychain is only unreachable (it opens again once unlocked)', async () => {
    await twoEntries();
    t.reopen();
    t.secrets.unavailable = true;
    expect(await listed()).toEqual({ 'keyed.example.com': 'sealed', 'bare.example.com': 'none' });
  });
});
