import type { CertificateInfo, KeyAlgorithm } from '../../../shared/model';

// What the import needs from one parsed input file: certificates and keys, already decoded and
// described by the inspector (see parse-source.ts), plus the SPKI hashes that pair keys with
// certificates across files.

/**
 * The part of a certificate's description that planning (plan.ts, sm2-dual.ts) and storing
 * (store.ts) read. An import of a whole folder holds every file's certificates until it has paired
 * them, so it keeps only these facts (`toFacts`), not the full description (PEM text, policies,
 * URLs), which would double the memory a 10,000-file import needs (bench/library-import.ts).
 */
export type CertificateFacts = Pick<
  CertificateInfo,
  | 'fingerprintSha256'
  | 'fingerprintSha1'
  | 'serialNumber'
  | 'serialDecimal'
  | 'subject'
  | 'commonName'
  | 'issuer'
  | 'issuerCommonName'
  | 'keyAlgorithm'
  | 'keySize'
  | 'curve'
  | 'notBefore'
  | 'notAfter'
  | 'dnsNames'
  | 'ipAddresses'
  | 'emailAddresses'
  | 'keyUsage'
  | 'isCA'
  | 'subjectKeyIdentifier'
  | 'authorityKeyIdentifier'
  | 'selfSigned'
>;

export interface CertificateMaterial<Info extends CertificateFacts = CertificateInfo> {
  readonly der: Buffer;
  readonly info: Info;
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

export interface ParsedSource<Info extends CertificateFacts = CertificateInfo> {
  /** Display name: the path as given, or the dropped file's name, or "pasted text". */
  readonly file: string;
  readonly certificates: readonly CertificateMaterial<Info>[];
  readonly keys: readonly KeyMaterial[];
}

/** The source with each certificate's description cut down to the facts an import stores. */
export function toFacts(source: ParsedSource): ParsedSource<CertificateFacts> {
  return {
    file: source.file,
    keys: source.keys,
    certificates: source.certificates.map(({ der, spkiSha256, info }) => ({
      der,
      spkiSha256,
      info: {
        fingerprintSha256: info.fingerprintSha256,
        fingerprintSha1: info.fingerprintSha1,
        serialNumber: info.serialNumber,
        serialDecimal: info.serialDecimal,
        subject: info.subject,
        commonName: info.commonName,
        issuer: info.issuer,
        issuerCommonName: info.issuerCommonName,
        keyAlgorithm: info.keyAlgorithm,
        keySize: info.keySize,
        curve: info.curve,
        notBefore: info.notBefore,
        notAfter: info.notAfter,
        dnsNames: info.dnsNames,
        ipAddresses: info.ipAddresses,
        emailAddresses: info.emailAddresses,
        keyUsage: info.keyUsage,
        isCA: info.isCA,
        subjectKeyIdentifier: info.subjectKeyIdentifier,
        authorityKeyIdentifier: info.authorityKeyIdentifier,
        selfSigned: info.selfSigned,
      },
    })),
  };
}
