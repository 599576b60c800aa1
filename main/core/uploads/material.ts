import { VaultError } from '../../../shared/errors';
import type { LibraryEntry } from '../../../shared/library';
import type { UploadMaterial } from '../../clouds/provider';
import { toPem } from '../inspect/certificate';
import { readInputFile } from '../inspect/read-files';
import type { KeyMaterial } from '../library/material';
import { parseSource } from '../library/parse-source';
import { planImport, type PlannedEntry } from '../library/plan';
import type { Vault } from '../library/vault';

// What an upload sends, built from a library entry or straight from files (`certvault upload
// --cert`). Both go through the library's own parser and planner, so leaf, chain, key and SM2
// pairs are found the same way as on import. The unsealed key exists only in the returned object.

function keyPem(key: KeyMaterial | null): string | null {
  return key ? toPem('PRIVATE KEY', key.pkcs8) : null;
}

/**
 * For an SM2 dual entry the library's leaf is the signing certificate; the clouds take the
 * encryption pair as the main certificate and the signing pair beside it. `leaf` stays the
 * entry's leaf, so the history and dedupe use the fingerprint the library shows.
 */
export function materialFromPlanned(planned: PlannedEntry): UploadMaterial {
  const chainPem = planned.chain.map((cert) => cert.info.pem).join('');
  if (planned.encrypt) {
    return {
      leaf: planned.leaf.info,
      certificatePem: planned.encrypt.info.pem,
      chainPem,
      privateKeyPem: keyPem(planned.encryptKey),
      sm2Sign: { certificatePem: planned.leaf.info.pem, privateKeyPem: keyPem(planned.leafKey) },
    };
  }
  return { leaf: planned.leaf.info, certificatePem: planned.leaf.info.pem, chainPem, privateKeyPem: keyPem(planned.leafKey), sm2Sign: null };
}

function badMaterial(file: string, reason: string): VaultError {
  return new VaultError('upload.bad_material', { file, reason });
}

/** The library entry as the vault exports it (a bundle with the key, or the full chain), re-planned. */
export async function materialFromLibrary(vault: Vault, typed: string): Promise<{ entry: LibraryEntry; material: UploadMaterial }> {
  const entry = await vault.entry(typed);
  const rendered = await vault.export(entry.id, entry.hasKey ? 'bundle' : 'fullchain');
  const source = await parseSource({ name: entry.name, data: rendered.bytes }, undefined);
  const planned = planImport([source]).entries.find((candidate) => candidate.leaf.info.fingerprintSha256 === entry.fingerprintSha256);
  if (!planned) throw badMaterial(entry.name, 'the stored certificate could not be read back');
  return { entry, material: materialFromPlanned(planned) };
}

export interface MaterialFiles {
  /** Leaf, optionally followed by its chain (fullchain.pem), or a PKCS#12 file. */
  readonly certificate: string;
  /** The private key, when not inside the certificate file. */
  readonly key?: string;
  readonly password?: string;
}

/** Certificate (and key) files as a deploy hook has them, without importing into the library. */
export async function materialFromFiles(files: MaterialFiles): Promise<UploadMaterial> {
  const names = [files.certificate, ...(files.key ? [files.key] : [])];
  const sources = [];
  for (const name of names) {
    sources.push(await parseSource({ name, data: await readInputFile(name) }, files.password));
  }
  const plan = planImport(sources);
  const fromCertificateFile = plan.entries.filter((entry) => entry.sourceFile === files.certificate);
  if (fromCertificateFile.length === 0) throw badMaterial(files.certificate, 'holds no certificate to upload');
  if (fromCertificateFile.length > 1) {
    throw badMaterial(files.certificate, `holds ${fromCertificateFile.length} unrelated certificates; give one certificate with its chain`);
  }
  const planned = fromCertificateFile[0]!;
  if (files.key && (plan.strayKeys.length > 0 || !planned.leafKey)) {
    throw badMaterial(files.key, "does not hold the certificate's private key (the public keys do not match)");
  }
  return materialFromPlanned(planned);
}
