import type { CertificateInfo } from '../../../shared/model';
import type { CertificateFacts, CertificateMaterial, KeyMaterial, ParsedSource } from './material';
import { sm2DualPairs } from './sm2-dual';

// Turns the certificates and keys of the files imported together (a folder, a drop, a paste)
// into library entries: each leaf with its chain and key, found across files, so certbot's
// cert.pem + chain.pem + privkey.pem make one entry whichever order they are read in.
//
// A certificate is a leaf (an entry of its own) unless it issued another certificate of the
// same import, so a CA certificate imported alone is an entry and the intermediate next to a leaf
// is its chain. A CA certificate that arrives with its own private key is an entry as well.
//
// Not inspect/chain.ts's analyzeChain/keyMatchesCertificate: those order ONE chain of fully parsed
// certificates (verifying signatures, comparing public keys); this plans thousands of entries at
// once from the light facts an import keeps (material.ts), pairing keys by SPKI hash as the db does.

export interface PlannedEntry<Info extends CertificateFacts = CertificateInfo> {
  readonly leaf: CertificateMaterial<Info>;
  /** Issuers in order, the leaf's issuer first. */
  readonly chain: readonly CertificateMaterial<Info>[];
  readonly encrypt: CertificateMaterial<Info> | null;
  readonly leafKey: KeyMaterial | null;
  readonly encryptKey: KeyMaterial | null;
  /** The file the leaf came from: named in the entry and in any error about it. */
  readonly sourceFile: string;
  /** Every file that contributed a certificate or key, for error reports. */
  readonly files: readonly string[];
  /** The file the (first) private key came from, named when the key cannot be stored. */
  readonly keyFile: string | null;
}

export interface StrayKey {
  readonly file: string;
  readonly key: KeyMaterial;
}

export interface ImportPlan<Info extends CertificateFacts = CertificateInfo> {
  readonly entries: readonly PlannedEntry<Info>[];
  /** Keys that match no certificate of this import: maybe one already in the library. */
  readonly strayKeys: readonly StrayKey[];
}

const MAX_CHAIN = 10;

export function planImport<Info extends CertificateFacts = CertificateInfo>(sources: readonly ParsedSource<Info>[]): ImportPlan<Info> {
  type Cert = CertificateMaterial<Info>;
  const certs = new Map<string, { cert: Cert; file: string }>();
  const bySpki = new Map<string, string>();
  const bySubject = new Map<string, string[]>();
  for (const source of sources) {
    for (const cert of source.certificates) {
      const fp = cert.info.fingerprintSha256;
      if (certs.has(fp)) continue;
      certs.set(fp, { cert, file: source.file });
      if (!bySpki.has(cert.spkiSha256)) bySpki.set(cert.spkiSha256, fp);
      const list = bySubject.get(cert.info.subject) ?? [];
      list.push(fp);
      bySubject.set(cert.info.subject, list);
    }
  }

  const issuerOf = (cert: Cert): Cert | null => {
    if (cert.info.selfSigned) return null;
    for (const fp of bySubject.get(cert.info.issuer) ?? []) {
      const candidate = certs.get(fp)?.cert;
      if (!candidate || fp === cert.info.fingerprintSha256) continue;
      const aki = cert.info.authorityKeyIdentifier;
      const ski = candidate.info.subjectKeyIdentifier;
      if (aki && ski && aki !== ski) continue;
      return candidate;
    }
    return null;
  };

  const keysByCert = new Map<string, { key: KeyMaterial; file: string }>();
  const strayKeys: StrayKey[] = [];
  for (const source of sources) {
    for (const key of source.keys) {
      const fp = key.matchesFingerprintSha256 ?? (key.spkiSha256 ? bySpki.get(key.spkiSha256) : undefined);
      if (fp && certs.has(fp)) {
        if (!keysByCert.has(fp)) keysByCert.set(fp, { key, file: source.file });
      } else strayKeys.push({ file: source.file, key });
    }
  }

  // SM2 dual certificates: the encryption half rides in its signing half's entry.
  const pairs = sm2DualPairs([...certs.values()].map(({ cert }) => cert));
  const encryptHalves = new Set(pairs.values());

  const issuers = new Set<string>();
  for (const { cert } of certs.values()) {
    const issuer = issuerOf(cert);
    if (issuer) issuers.add(issuer.info.fingerprintSha256);
  }

  const entries: PlannedEntry<Info>[] = [];
  for (const [fp, { cert, file }] of certs) {
    if (encryptHalves.has(fp)) continue;
    if (issuers.has(fp) && !keysByCert.has(fp)) continue;
    const chain: Cert[] = [];
    for (let next = issuerOf(cert); next && chain.length < MAX_CHAIN; next = issuerOf(next)) {
      if (next === cert || chain.includes(next)) break;
      chain.push(next);
    }
    const pair = pairs.get(fp);
    const encrypt = pair ? (certs.get(pair) ?? null) : null;
    const leafKey = keysByCert.get(fp) ?? null;
    const encryptKey = pair ? (keysByCert.get(pair) ?? null) : null;
    const files = new Set([file, ...chain.map((c) => certs.get(c.info.fingerprintSha256)!.file)]);
    if (encrypt) files.add(encrypt.file);
    if (leafKey) files.add(leafKey.file);
    if (encryptKey) files.add(encryptKey.file);
    entries.push({
      leaf: cert,
      chain,
      encrypt: encrypt?.cert ?? null,
      leafKey: leafKey?.key ?? null,
      encryptKey: encryptKey?.key ?? null,
      sourceFile: file,
      files: [...files],
      keyFile: leafKey?.file ?? encryptKey?.file ?? null,
    });
  }
  return { entries, strayKeys };
}
