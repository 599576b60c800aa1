import { VaultError } from '../../../../shared/errors';
import { seal, unseal, type Sealed } from '../../seal';

// Rotating the team key (a member was removed) re-seals every private key and shared secret under
// the new key, in the same format as the local vault (seal.ts: AES-256-GCM, fresh nonce, the
// associated data binding each blob to its row). All or nothing: every blob is opened before any
// result is returned, so a caller writing the results in one transaction never stores a mix of
// old-key and new-key blobs, and a blob the old key cannot open stops the rotation instead of
// being dropped.

export interface SealedBlob {
  /** Names the blob in errors, e.g. the entry id and key role. */
  readonly id: string;
  /** The associated data it was sealed with; kept as is, so the blob stays bound to its row. */
  readonly associatedData: string;
  readonly sealed: Sealed;
}

/** How many failing blob ids the error lists; the count covers all of them. */
const NAMED_FAILURES = 5;

/**
 * The blobs sealed under `newKey`, in the input order and with the same ids and associated data.
 * Throws `team.reseal_failed` naming the blobs `oldKey` cannot open; then nothing is returned.
 */
export function resealAll(blobs: readonly SealedBlob[], oldKey: Buffer, newKey: Buffer): SealedBlob[] {
  if (oldKey.equals(newKey)) throw new RangeError('re-sealing needs a new team key different from the old one');
  const opened: { blob: SealedBlob; plaintext: Buffer }[] = [];
  const failed: string[] = [];
  for (const blob of blobs) {
    const plaintext = unseal(oldKey, blob.sealed, blob.associatedData);
    if (plaintext) opened.push({ blob, plaintext });
    else failed.push(blob.id);
  }
  try {
    if (failed.length > 0) {
      const named = failed.slice(0, NAMED_FAILURES).join(', ');
      throw new VaultError('team.reseal_failed', {
        count: failed.length,
        ids: failed.length > NAMED_FAILURES ? `${named}, …` : named,
      });
    }
    return opened.map(({ blob, plaintext }) => ({ ...blob, sealed: seal(newKey, plaintext, blob.associatedData) }));
  } finally {
    // Private keys in the clear live no longer than this call.
    for (const { plaintext } of opened) plaintext.fill(0);
  }
}
