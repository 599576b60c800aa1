// One X.509 certificate, parsed once from its DER into everything the inspector shows
// (RFC 5280 §4.1). Fingerprints are hashes of the DER computed here, so nothing depends on
// the TLS library under Node (BoringSSL in Electron cannot load SM2 certificates).
import { createHash } from 'node:crypto';
import type { CertificateInfo } from '../../../shared/model';
import { DerError, Tag, bitStringBytes, children, expectTag, integerHex, readOid, readRoot, readTime, view, type Tlv } from './der';
import { emptyExtensions, readExtensions, type Extensions } from './extensions';
import { readName, type DistinguishedName } from './names';
import { signatureAlgorithms, validationLevelOf } from './oids';
import { readSubjectPublicKey, type SubjectPublicKey } from './public-key';
import { verifySignature, type SignedData } from './signature';

export interface ParsedCertificate {
  readonly der: Uint8Array;
  readonly pem: string;
  readonly subject: DistinguishedName;
  readonly issuer: DistinguishedName;
  readonly publicKey: SubjectPublicKey;
  /** What the issuer signed, for chain verification. */
  readonly signed: SignedData;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly extensions: Extensions;
  /** Everything the renderer shows; no private material in a certificate. */
  readonly info: CertificateInfo;
}

export function parseCertificate(der: Uint8Array): ParsedCertificate {
  const root = readRoot(der);
  const [tbsTlv, sigAlgTlv, sigTlv] = children(der, expectTag(root, Tag.Sequence, 'certificate'));
  const tbs = expectTag(tbsTlv, Tag.Sequence, 'to-be-signed certificate');
  const signatureAlgorithm = readAlgorithm(der, expectTag(sigAlgTlv, Tag.Sequence, 'signature algorithm'));
  const signature = bitStringBytes(der, expectTag(sigTlv, Tag.BitString, 'signature'));

  const fields = children(der, tbs);
  let i = 0;
  if (fields[0]?.tag === 0xa0) i++; // [0] EXPLICIT version; v1 certificates omit it
  const serialTlv = expectTag(fields[i++], Tag.Integer, 'serial number');
  i++; // the inner signature AlgorithmIdentifier repeats the outer one
  const issuer = readName(der, expectTag(fields[i++], Tag.Sequence, 'issuer'));
  const [fromTlv, toTlv] = children(der, expectTag(fields[i++], Tag.Sequence, 'validity'));
  if (!fromTlv || !toTlv) throw new DerError(tbs.start, 'validity is incomplete');
  const notBefore = readTime(der, fromTlv);
  const notAfter = readTime(der, toTlv);
  const subject = readName(der, expectTag(fields[i++], Tag.Sequence, 'subject'));
  const publicKey = readSubjectPublicKey(der, expectTag(fields[i++], Tag.Sequence, 'subject public key info'));
  const extensionsTlv = fields.slice(i).find((f) => f.tag === 0xa3);
  const extensions = extensionsTlv ? readExtensions(der, extensionsTlv) : emptyExtensions();

  const signed: SignedData = { tbs: der.subarray(tbs.start, tbs.end), algorithm: signatureAlgorithm, signature };
  const serialNumber = integerHex(der, serialTlv);
  const pem = toPem('CERTIFICATE', der);
  const fingerprintSha256 = createHash('sha256').update(der).digest('hex');
  // RFC 5280 §3.2 / §6.1: self-signed = self-issued AND verifiable with its own key.
  const selfSigned = subject.key === issuer.key && verifySignature(signed, publicKey, fingerprintSha256, fingerprintSha256);

  const info: CertificateInfo = {
    fingerprintSha256,
    fingerprintSha1: createHash('sha1').update(der).digest('hex'),
    serialNumber,
    serialDecimal: BigInt(`0x${serialNumber}`).toString(10),
    subject: subject.text,
    commonName: subject.commonName,
    issuer: issuer.text,
    issuerCommonName: issuer.commonName,
    keyAlgorithm: publicKey.keyAlgorithm,
    keySize: publicKey.keySize,
    curve: publicKey.curve,
    notBefore: notBefore.toISOString(),
    notAfter: notAfter.toISOString(),
    signatureAlgorithm: signatureAlgorithms[signatureAlgorithm.oid]?.name ?? signatureAlgorithm.oid,
    ...extensions,
    validationLevel: validationLevelOf(extensions.policies.map((p) => p.oid)),
    selfSigned,
    pem,
  };
  return { der, pem, subject, issuer, publicKey, signed, notBefore, notAfter, extensions, info };
}

function readAlgorithm(bytes: Uint8Array, tlv: Tlv): SignedData['algorithm'] {
  const [oidTlv, params] = children(bytes, tlv);
  return { oid: readOid(bytes, expectTag(oidTlv, Tag.Oid, 'algorithm')), params: params ? bytes.subarray(params.start, params.end) : null };
}

export function toPem(label: string, der: Uint8Array): string {
  const base64 = view(der).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) lines.push(base64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
