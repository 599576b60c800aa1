import { createHash } from 'node:crypto';
import type { Inspection, PrivateKeyInfo } from '../../../shared/model';
import { parseInputs } from '../inspect/bundle';
import { buildInspection } from '../inspect/inspection';
import { systemAnchors, type TrustAnchors } from '../inspect/trust';
import type { LibraryEntry } from '../../../shared/library';
import type { StoredCertificates } from './store';

// The inspector's view of a stored entry, from the certificates in the database. Sealed keys are
// not opened for this: they are described from their certificate, as `source: "vault"`.

export async function inspectEntry(
  entry: LibraryEntry,
  certs: StoredCertificates,
  keyRoles: ReadonlySet<string>,
  now: Date,
  anchors: TrustAnchors = systemAnchors,
): Promise<Inspection> {
  const ders = [certs.leaf, ...certs.chain, ...(certs.encrypt ? [certs.encrypt] : [])];
  const bundle = await parseInputs(ders.map((data, i) => ({ name: i === 0 ? entry.name : `${entry.name} (chain ${i})`, data })));
  const inspection = buildInspection(bundle, now, undefined, anchors);
  const byFingerprint = new Map(inspection.certificates.map((c) => [c.fingerprintSha256, c]));
  const described = (fingerprint: string): PrivateKeyInfo[] => {
    const cert = byFingerprint.get(fingerprint);
    return cert
      ? [{ keyAlgorithm: cert.keyAlgorithm, keySize: cert.keySize, curve: cert.curve, matchesFingerprintSha256: fingerprint, source: 'vault' }]
      : [];
  };
  const privateKeys = [
    ...(keyRoles.has('leaf') ? described(entry.fingerprintSha256) : []),
    ...(keyRoles.has('sm2-encrypt') && certs.encrypt ? described(sha256Of(certs.encrypt)) : []),
  ];
  return {
    ...inspection,
    privateKeys,
    // The inspector flags a certificate without a key in its input; the vault knows better.
    problems: inspection.problems.filter((p) => !(p.code === 'key.missing' && privateKeys.length > 0)),
  };
}

function sha256Of(der: Buffer): string {
  return createHash('sha256').update(der).digest('hex');
}
