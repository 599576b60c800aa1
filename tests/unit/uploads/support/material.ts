import type { CertificateInfo } from '../../../../shared/model';
import type { UploadMaterial } from '../../../../main/clouds/provider';

// A certificate description for orchestration tests; the fake clouds never parse the PEM.

export function fakeLeaf(overrides: Partial<CertificateInfo> = {}): CertificateInfo {
  return {
    keyAlgorithm: 'RSA',
    keySize: 2048,
    curve: null,
    fingerprintSha256: 'ab'.repeat(32),
    fingerprintSha1: 'cd'.repeat(20),
    serialNumber: '1a2b',
    serialDecimal: '6699',
    subject: 'CN=www.example.com',
    commonName: 'www.example.com',
    issuer: 'CN=Example CA',
    issuerCommonName: 'Example CA',
    dnsNames: ['www.example.com', 'example.com'],
    ipAddresses: [],
    emailAddresses: [],
    uris: [],
    notBefore: '2025-01-01T00:00:00.000Z',
    notAfter: '2026-01-01T00:00:00.000Z',
    signatureAlgorithm: 'sha256WithRSAEncryption',
    keyUsage: ['digitalSignature'],
    extendedKeyUsage: ['serverAuth'],
    isCA: false,
    pathLength: null,
    subjectKeyIdentifier: null,
    authorityKeyIdentifier: null,
    ocspUrls: [],
    caIssuerUrls: [],
    crlUrls: [],
    policies: [],
    validationLevel: 'DV',
    selfSigned: false,
    pem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
    ...overrides,
  };
}

export function fakeMaterial(overrides: Partial<CertificateInfo> = {}): UploadMaterial {
  const leaf = fakeLeaf(overrides);
  return { leaf, certificatePem: leaf.pem, chainPem: '', privateKeyPem: '-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n', sm2Sign: null };
}
