import type { CertificateInfo, KeyAlgorithm } from '../../../shared/model';

// What the import needs from one parsed input file: certificates and keys, already decoded and
// described by the inspector (see parse-source.ts), plus the SPKI hashes that pair keys with
// certificates across files.

export interface CertificateMaterial {
  readonly der: Buffer;
  readonly info: CertificateInfo;
  /** public-key-id.ts: what a private key must match. */
  readonly spkiSha256: string;
}

export interface KeyMaterial {
  /** Unencrypted PKCS#8 DER. Lives only in memory until sealed. */
  readonly pkcs8: Buffer;
  readonly algorithm: KeyAlgorithm;
  /** The certificate (in the same input) whose public key this key matches. */
  readonly matchesFingerprintSha256: string | null;
  /** public-key-id.ts: pairs the key with its certificate; null when unknown. */
  readonly spkiSha256: string | null;
}

export interface ParsedSource {
  /** Display name: the path as given, or the dropped file's name, or "pasted text". */
  readonly file: string;
  readonly certificates: readonly CertificateMaterial[];
  readonly keys: readonly KeyMaterial[];
}
