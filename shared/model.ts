import type { Locale } from './i18n';
// Data shapes both sides agree on. Nothing here carries private key material:
// keys stay in main/core and only their description crosses IPC.

export type KeyAlgorithm = 'RSA' | 'EC' | 'SM2' | 'Ed25519' | 'Ed448' | 'DSA' | 'unknown';

export interface PublicKeyInfo {
  readonly keyAlgorithm: KeyAlgorithm;
  /** Bits for RSA/DSA, curve size for EC/SM2/EdDSA. */
  readonly keySize: number | null;
  /** 'P-256' | 'P-384' | 'P-521' | 'SM2' | 'Ed25519' | 'Ed448' | other curve OID; null for RSA. */
  readonly curve: string | null;
}

export type ValidationLevel = 'DV' | 'OV' | 'EV' | 'IV';

export interface CertificatePolicy {
  readonly oid: string;
  readonly name: string | null;
}

export interface CertificateInfo extends PublicKeyInfo {
  readonly fingerprintSha256: string; // 64 lowercase hex
  readonly fingerprintSha1: string; // 40 lowercase hex
  readonly serialNumber: string; // lowercase hex, no leading zeros
  readonly serialDecimal: string;
  readonly subject: string;
  readonly commonName: string | null;
  readonly issuer: string;
  readonly issuerCommonName: string | null;
  readonly dnsNames: readonly string[];
  readonly ipAddresses: readonly string[];
  readonly emailAddresses: readonly string[];
  readonly uris: readonly string[];
  readonly notBefore: string; // ISO 8601 UTC
  readonly notAfter: string; // ISO 8601 UTC
  readonly signatureAlgorithm: string;
  readonly keyUsage: readonly string[];
  readonly extendedKeyUsage: readonly string[];
  readonly isCA: boolean;
  readonly pathLength: number | null;
  readonly subjectKeyIdentifier: string | null;
  readonly authorityKeyIdentifier: string | null;
  readonly ocspUrls: readonly string[];
  readonly caIssuerUrls: readonly string[];
  readonly crlUrls: readonly string[];
  readonly policies: readonly CertificatePolicy[];
  readonly validationLevel: ValidationLevel | null;
  readonly selfSigned: boolean;
  /** The certificate itself, public by nature; the renderer may show and copy it. */
  readonly pem: string;
}

export interface PrivateKeyInfo extends PublicKeyInfo {
  /** Fingerprint of the certificate in the same input whose public key this key matches. */
  readonly matchesFingerprintSha256: string | null;
  /** Where it came from ('key.pem', 'bundle.pfx'). */
  readonly source: string;
}

export interface ChainLink {
  readonly subjectFingerprint: string;
  readonly issuerFingerprint: string;
  readonly signatureValid: boolean;
}

export interface ChainInfo {
  /** Leaf first, root last. */
  readonly order: readonly string[];
  /** Ends at a self-signed certificate. */
  readonly complete: boolean;
  /** Every link's signature checked and valid. */
  readonly verified: boolean;
  readonly links: readonly ChainLink[];
  /** Issuer DN of the last certificate when the chain is incomplete. */
  readonly missingIssuer: string | null;
  /**
   * The root a complete chain ends at and who vouches for it: the platform's trust store
   * ('system'), a CA certificate in the library ('library'), or only the input itself ('input').
   * `fromInput` is false when the root (certbot's chain.pem has none) was added from that store.
   */
  readonly root?: { readonly fingerprint: string; readonly name: string; readonly trustedBy: 'system' | 'library' | 'input'; readonly fromInput: boolean };
  /**
   * SM2 dual certificate: fingerprint of the encryption certificate issued with the signing
   * leaf (`order[0]`) by the same CA. Absent otherwise.
   */
  readonly encryptionCertificate?: string;
}

export type ProblemSeverity = 'error' | 'warning' | 'info';

export const problemCodes = [
  'cert.expired',
  'cert.not_yet_valid',
  'cert.expiring_soon',
  'chain.incomplete',
  'chain.bad_signature',
  'chain.unrelated_certificate',
  'key.mismatch',
  'key.missing',
  'object.csr',
  'object.public_key',
  'object.crl',
] as const;
export type ProblemCode = (typeof problemCodes)[number];

export interface Problem {
  readonly code: ProblemCode;
  readonly severity: ProblemSeverity;
  /** English text; the renderer re-renders from code + params. */
  readonly message: string;
  readonly params: Readonly<Record<string, string | number>>;
}

/** Objects recognised and named, but not certificates or private keys. */
export interface OtherObject {
  readonly kind: 'csr' | 'public-key' | 'crl';
  readonly source: string;
  readonly description: string;
}

export type CloudId = 'tencent' | 'tencent-intl' | 'huawei' | 'volcengine' | 'aliyun';
export const cloudIds: readonly CloudId[] = ['tencent', 'tencent-intl', 'huawei', 'volcengine', 'aliyun'];

export interface CloudVerdict {
  readonly cloud: CloudId;
  readonly ok: boolean;
  /** Why not, in every UI language (the cloud's own constraint, as its pre-flight states it). */
  readonly issues: readonly { readonly field: string; readonly message: Readonly<Record<Locale, string>> }[];
}

export interface Inspection {
  readonly certificates: readonly CertificateInfo[];
  readonly privateKeys: readonly PrivateKeyInfo[];
  readonly chain: ChainInfo;
  readonly problems: readonly Problem[];
  readonly others: readonly OtherObject[];
  readonly verdicts: readonly CloudVerdict[];
  /** Inspection time, so days-left is reproducible. */
  readonly inspectedAt: string;
}

/**
 * The name pasted text goes by in error/problem params and `source` fields ("pasted text, line 3").
 * The renderer recognises it and shows its own translation.
 */
export const PASTED_TEXT_SOURCE = 'pasted text';
