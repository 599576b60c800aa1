// Object identifiers the inspector names. Unknown ones are shown as dotted numbers.
import type { ValidationLevel } from '../../../shared/model';

export const OID = {
  rsaEncryption: '1.2.840.113549.1.1.1',
  rsassaPss: '1.2.840.113549.1.1.10',
  ecPublicKey: '1.2.840.10045.2.1',
  dsa: '1.2.840.10040.4.1',
  ed25519: '1.3.101.112',
  ed448: '1.3.101.113',
  x25519: '1.3.101.110',
  x448: '1.3.101.111',
  sm2Curve: '1.2.156.10197.1.301',
  sm2WithSm3: '1.2.156.10197.1.501',
  pkcs7SignedData: '1.2.840.113549.1.7.2',
  pkcs7Data: '1.2.840.113549.1.7.1',
  pbes2: '1.2.840.113549.1.5.13',
  pbkdf2: '1.2.840.113549.1.5.12',
  extKeyUsage: '2.5.29.15',
  extBasicConstraints: '2.5.29.19',
  extSubjectKeyId: '2.5.29.14',
  extAuthorityKeyId: '2.5.29.35',
  extSubjectAltName: '2.5.29.17',
  extExtendedKeyUsage: '2.5.29.37',
  extCrlDistributionPoints: '2.5.29.31',
  extCertificatePolicies: '2.5.29.32',
  extAuthorityInfoAccess: '1.3.6.1.5.5.7.1.1',
  accessOcsp: '1.3.6.1.5.5.7.48.1',
  accessCaIssuers: '1.3.6.1.5.5.7.48.2',
} as const;

/** Named curves: display name and field size in bits. */
export const curves: Readonly<Record<string, { name: string; bits: number }>> = {
  '1.2.840.10045.3.1.7': { name: 'P-256', bits: 256 },
  '1.3.132.0.34': { name: 'P-384', bits: 384 },
  '1.3.132.0.35': { name: 'P-521', bits: 521 },
  '1.3.132.0.10': { name: 'secp256k1', bits: 256 },
  '1.2.840.10045.3.1.1': { name: 'P-192', bits: 192 },
  '1.3.132.0.33': { name: 'P-224', bits: 224 },
  '1.3.36.3.3.2.8.1.1.7': { name: 'brainpoolP256r1', bits: 256 },
  '1.3.36.3.3.2.8.1.1.11': { name: 'brainpoolP384r1', bits: 384 },
  '1.3.36.3.3.2.8.1.1.13': { name: 'brainpoolP512r1', bits: 512 },
  [OID.sm2Curve]: { name: 'SM2', bits: 256 },
};

/** Signature algorithms: the name OpenSSL prints, and the digest Node's crypto.verify needs. */
export const signatureAlgorithms: Readonly<Record<string, { name: string; hash: string | null }>> = {
  '1.2.840.113549.1.1.2': { name: 'md2WithRSAEncryption', hash: 'md2' },
  '1.2.840.113549.1.1.4': { name: 'md5WithRSAEncryption', hash: 'md5' },
  '1.2.840.113549.1.1.5': { name: 'sha1WithRSAEncryption', hash: 'sha1' },
  '1.2.840.113549.1.1.14': { name: 'sha224WithRSAEncryption', hash: 'sha224' },
  '1.2.840.113549.1.1.11': { name: 'sha256WithRSAEncryption', hash: 'sha256' },
  '1.2.840.113549.1.1.12': { name: 'sha384WithRSAEncryption', hash: 'sha384' },
  '1.2.840.113549.1.1.13': { name: 'sha512WithRSAEncryption', hash: 'sha512' },
  [OID.rsassaPss]: { name: 'rsassaPss', hash: null },
  '1.2.840.10045.4.1': { name: 'ecdsa-with-SHA1', hash: 'sha1' },
  '1.2.840.10045.4.3.1': { name: 'ecdsa-with-SHA224', hash: 'sha224' },
  '1.2.840.10045.4.3.2': { name: 'ecdsa-with-SHA256', hash: 'sha256' },
  '1.2.840.10045.4.3.3': { name: 'ecdsa-with-SHA384', hash: 'sha384' },
  '1.2.840.10045.4.3.4': { name: 'ecdsa-with-SHA512', hash: 'sha512' },
  '1.2.840.10040.4.3': { name: 'dsa-with-SHA1', hash: 'sha1' },
  '2.16.840.1.101.3.4.3.2': { name: 'dsa_with_SHA256', hash: 'sha256' },
  [OID.ed25519]: { name: 'ED25519', hash: null },
  [OID.ed448]: { name: 'ED448', hash: null },
  [OID.sm2WithSm3]: { name: 'SM2-with-SM3', hash: null },
};

export const digestOids: Readonly<Record<string, string>> = {
  '1.3.14.3.2.26': 'sha1',
  '2.16.840.1.101.3.4.2.4': 'sha224',
  '2.16.840.1.101.3.4.2.1': 'sha256',
  '2.16.840.1.101.3.4.2.2': 'sha384',
  '2.16.840.1.101.3.4.2.3': 'sha512',
};

/** RFC 4514 short names, plus the ones OpenSSL prints for common EV subject attributes. */
export const attributeNames: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.9': 'STREET',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.5': 'serialNumber',
  '2.5.4.12': 'title',
  '2.5.4.15': 'businessCategory',
  '2.5.4.17': 'postalCode',
  '2.5.4.97': 'organizationIdentifier',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'emailAddress',
  '1.3.6.1.4.1.311.60.2.1.1': 'jurisdictionL',
  '1.3.6.1.4.1.311.60.2.1.2': 'jurisdictionST',
  '1.3.6.1.4.1.311.60.2.1.3': 'jurisdictionC',
};

export const extendedKeyUsages: Readonly<Record<string, string>> = {
  '1.3.6.1.5.5.7.3.1': 'serverAuth',
  '1.3.6.1.5.5.7.3.2': 'clientAuth',
  '1.3.6.1.5.5.7.3.3': 'codeSigning',
  '1.3.6.1.5.5.7.3.4': 'emailProtection',
  '1.3.6.1.5.5.7.3.8': 'timeStamping',
  '1.3.6.1.5.5.7.3.9': 'OCSPSigning',
  '1.3.6.1.5.5.7.3.17': 'ipsecIKE',
  '2.5.29.37.0': 'anyExtendedKeyUsage',
  '1.3.6.1.4.1.311.10.3.3': 'msSGC',
  '2.16.840.1.113730.4.1': 'nsSGC',
};

/** RFC 5280 §4.2.1.3 bit order. */
export const keyUsageBits = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;

/**
 * Certificate policies that say how the subject was validated: the CA/Browser Forum's
 * reserved OIDs and the EV policies of large CAs that predate them.
 */
export const policies: Readonly<Record<string, { name: string; level: ValidationLevel | null }>> = {
  '2.23.140.1.2.1': { name: 'Domain Validated (CA/B Forum)', level: 'DV' },
  '2.23.140.1.2.2': { name: 'Organization Validated (CA/B Forum)', level: 'OV' },
  '2.23.140.1.2.3': { name: 'Individual Validated (CA/B Forum)', level: 'IV' },
  '2.23.140.1.1': { name: 'Extended Validation (CA/B Forum)', level: 'EV' },
  '2.5.29.32.0': { name: 'Any policy', level: null },
  '1.3.6.1.4.1.44947.1.1.1': { name: "ISRG Domain Validated (Let's Encrypt)", level: 'DV' },
  '2.16.840.1.114412.2.1': { name: 'DigiCert Extended Validation', level: 'EV' },
  '1.3.6.1.4.1.6449.1.2.1.5.1': { name: 'Sectigo Extended Validation', level: 'EV' },
  '1.3.6.1.4.1.4146.1.1': { name: 'GlobalSign Extended Validation', level: 'EV' },
  '2.16.840.1.114028.10.1.2': { name: 'Entrust Extended Validation', level: 'EV' },
  '2.16.840.1.114413.1.7.23.3': { name: 'GoDaddy Extended Validation', level: 'EV' },
  '2.16.840.1.114414.1.7.23.3': { name: 'Starfield Extended Validation', level: 'EV' },
  '2.16.756.1.89.1.2.1.1': { name: 'SwissSign Extended Validation', level: 'EV' },
  '1.2.156.112559.1.1.6.1': { name: 'GDCA Extended Validation', level: 'EV' },
  '2.16.156.112554.3': { name: 'CFCA Extended Validation', level: 'EV' },
};

const levelRank: Readonly<Record<ValidationLevel, number>> = { DV: 1, IV: 2, OV: 3, EV: 4 };

/** The strongest validation level any of the policies asserts. */
export function validationLevelOf(oids: readonly string[]): ValidationLevel | null {
  let best: ValidationLevel | null = null;
  for (const oid of oids) {
    const level = policies[oid]?.level ?? null;
    if (level && (!best || levelRank[level] > levelRank[best])) best = level;
  }
  return best;
}
