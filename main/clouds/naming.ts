import type { CertificateInfo } from '../../shared/model';

// Default certificate names for clouds that want one (Tencent alias, Alibaba name): readable (the
// common name and expiry day, what an operator searches the console for) and unique in practice
// (a short fingerprint, so a same-day reissue of the same name does not collide).

export interface NameParts {
  /** CN, else the first DNS name, else 'certificate'. */
  readonly subject: string;
  /** Expiry day as yyyyMMdd (UTC). */
  readonly expiry: string;
  /** First 8 hex digits of the SHA-256 fingerprint. */
  readonly shortFingerprint: string;
}

export function nameParts(leaf: CertificateInfo): NameParts {
  return {
    subject: leaf.commonName ?? leaf.dnsNames[0] ?? 'certificate',
    expiry: leaf.notAfter.slice(0, 10).replace(/-/g, ''),
    shortFingerprint: leaf.fingerprintSha256.slice(0, 8),
  };
}

/** `example.com-20250131-1a2b3c4d`, the subject shortened so the whole fits in `maxLength`. */
export function defaultCertificateName(leaf: CertificateInfo, maxLength: number): string {
  const { subject, expiry, shortFingerprint } = nameParts(leaf);
  const suffix = `-${expiry}-${shortFingerprint}`;
  return `${[...subject].slice(0, Math.max(1, maxLength - suffix.length)).join('')}${suffix}`;
}
