import type { CertificateFacts, CertificateMaterial } from './material';

// GM/T 0015 dual certificates: an SM2 server has a signing certificate and an encryption
// certificate from the same issuer, told apart by key usage (their subjects may differ, e.g.
// "CN=server sign" / "CN=server enc"). The library keeps them as one entry, as the inspector shows
// them (inspect/chain.ts) and as Alibaba CAS and Huawei APIG take them in one upload.
// Not inspect/chain.ts's findSm2Pair: that finds the one pair of a single input; an import can hold
// many servers' pairs under one issuer, matched here by subject and issue time.

const ENCRYPTION_USAGES = ['keyEncipherment', 'dataEncipherment', 'keyAgreement'];

/** Signing certificate fingerprint -> encryption certificate fingerprint. */
export function sm2DualPairs(certs: readonly CertificateMaterial<CertificateFacts>[]): Map<string, string> {
  type Cert = CertificateMaterial<CertificateFacts>;
  const byIssuer = new Map<string, { sign: Cert[]; encrypt: Cert[] }>();
  for (const cert of certs) {
    const { info } = cert;
    if (info.keyAlgorithm !== 'SM2' || info.isCA) continue;
    const encrypts = info.keyUsage.some((u) => ENCRYPTION_USAGES.includes(u));
    if (!encrypts && !info.keyUsage.includes('digitalSignature')) continue;
    const group = byIssuer.get(info.issuer) ?? { sign: [], encrypt: [] };
    (encrypts ? group.encrypt : group.sign).push(cert);
    byIssuer.set(info.issuer, group);
  }
  const pairs = new Map<string, string>();
  for (const { sign, encrypt } of byIssuer.values()) {
    const free = [...encrypt];
    for (const signing of sign) {
      // Several servers under one issuer: prefer the encryption certificate with the same subject,
      // then the one issued closest in time (both halves are issued together).
      const start = Date.parse(signing.info.notBefore);
      const cost = (c: Cert) =>
        (c.info.subject === signing.info.subject ? 0 : 1e15) + Math.abs(Date.parse(c.info.notBefore) - start);
      free.sort((a, b) => cost(a) - cost(b));
      const partner = free.shift();
      if (partner) pairs.set(signing.info.fingerprintSha256, partner.info.fingerprintSha256);
    }
  }
  return pairs;
}
