// UploadMaterial for the client integration tests, described with node:crypto (not the product's
// inspector, whose own tests cover it): only what the cloud clients read must be right.

import type { CloudCredentials, UploadMaterial } from '../../../main/clouds/provider';
import type { CertificateInfo, KeyAlgorithm } from '../../../shared/model';
import { parseCertificate } from '../../emulators/certificate';

const CERT_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----\n?/g;

/** `pem` may hold the leaf followed by its intermediates. */
export function uploadMaterial(pem: string, key: string | null, sm2Sign?: { cert: string; key: string | null }): UploadMaterial {
  const blocks = pem.match(CERT_BLOCK) ?? [];
  const leafPem = blocks[0] ?? '';
  return {
    leaf: describe(leafPem),
    certificatePem: leafPem,
    chainPem: blocks.slice(1).join(''),
    privateKeyPem: key,
    sm2Sign: sm2Sign === undefined ? null : { certificatePem: sm2Sign.cert, privateKeyPem: sm2Sign.key },
  };
}

function describe(pem: string): CertificateInfo {
  const parsed = parseCertificate(pem);
  if (parsed === null) throw new Error('test fixture is not a certificate');
  const x509 = parsed.x509;
  const keyAlgorithm: KeyAlgorithm = parsed.keyAlgorithm === 'other' ? 'unknown' : parsed.keyAlgorithm;
  const details = keyAlgorithm === 'SM2' ? undefined : x509.publicKey.asymmetricKeyDetails;
  return {
    keyAlgorithm,
    keySize: details?.modulusLength ?? (keyAlgorithm === 'RSA' ? null : 256),
    curve: keyAlgorithm === 'SM2' ? 'SM2' : keyAlgorithm === 'EC' ? 'P-256' : null,
    fingerprintSha256: parsed.sha256.toLowerCase(),
    fingerprintSha1: parsed.sha1.toLowerCase(),
    serialNumber: parsed.serialHex.toLowerCase(),
    serialDecimal: BigInt(`0x${parsed.serialHex}`).toString(),
    subject: x509.subject.replaceAll('\n', ', '),
    commonName: parsed.commonName,
    issuer: x509.issuer.replaceAll('\n', ', '),
    issuerCommonName: parsed.issuerCommonName,
    dnsNames: parsed.dnsNames,
    ipAddresses: [],
    emailAddresses: [],
    uris: [],
    notBefore: parsed.notBefore.toISOString(),
    notAfter: parsed.notAfter.toISOString(),
    signatureAlgorithm: parsed.signatureAlgorithm,
    keyUsage: [],
    extendedKeyUsage: [],
    isCA: parsed.isCA,
    pathLength: null,
    subjectKeyIdentifier: null,
    authorityKeyIdentifier: null,
    ocspUrls: [],
    caIssuerUrls: [],
    crlUrls: [],
    policies: [],
    validationLevel: null,
    selfSigned: x509.subject === x509.issuer,
    pem,
  };
}

export function credentialsOf(pair: { accessKeyId: string; accessKeySecret: string }, securityToken?: string): CloudCredentials {
  return { accessKeyId: pair.accessKeyId, accessKeySecret: pair.accessKeySecret, ...(securityToken === undefined ? {} : { securityToken }) };
}
