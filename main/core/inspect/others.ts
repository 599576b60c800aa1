// Objects that are recognised and named but are neither certificates nor private keys:
// certificate signing requests, bare public keys and CRLs.
import type { OtherObject, PublicKeyInfo } from '../../../shared/model';
import { DerError, Tag, children, expectTag, readRoot, readTime } from './der';
import { readName } from './names';
import { integerBits, readSubjectPublicKey } from './public-key';

export function describeCsr(der: Uint8Array, source: string): OtherObject {
  const [info] = children(der, readRoot(der));
  const [, subjectTlv, spkiTlv] = children(der, expectTag(info, Tag.Sequence, 'request info'));
  const subject = readName(der, expectTag(subjectTlv, Tag.Sequence, 'subject'));
  const key = readSubjectPublicKey(der, expectTag(spkiTlv, Tag.Sequence, 'public key'));
  return { kind: 'csr', source, description: `Certificate signing request for "${subject.text || '(empty subject)'}" (${keyText(key)})` };
}

export function describePublicKey(der: Uint8Array, source: string): OtherObject {
  return { kind: 'public-key', source, description: `${keyText(readSubjectPublicKey(der, readRoot(der)))} public key` };
}

/** "RSA PUBLIC KEY" blocks: a bare PKCS#1 RSAPublicKey. */
export function describeRsaPublicKey(der: Uint8Array, source: string): OtherObject {
  const [modulus] = children(der, expectTag(readRoot(der), Tag.Sequence, 'RSA public key'));
  return { kind: 'public-key', source, description: `RSA ${integerBits(der, expectTag(modulus, Tag.Integer, 'modulus'))} public key` };
}

export function describeCrl(der: Uint8Array, source: string): OtherObject {
  const [tbs] = children(der, readRoot(der));
  const fields = children(der, expectTag(tbs, Tag.Sequence, 'CRL'));
  const at = fields[0]?.tag === Tag.Integer ? 1 : 0; // version is optional (v1)
  const issuer = readName(der, expectTag(fields[at + 1], Tag.Sequence, 'CRL issuer'));
  const thisUpdateTlv = fields[at + 2];
  if (!thisUpdateTlv) throw new DerError(tbs!.start, 'CRL has no update time');
  const thisUpdate = readTime(der, thisUpdateTlv);
  const revoked = fields.slice(at + 3).find((f) => f.tag === Tag.Sequence);
  const count = revoked ? children(der, revoked).length : 0;
  return {
    kind: 'crl',
    source,
    description: `Certificate revocation list from "${issuer.text}", ${count} revoked, issued ${thisUpdate.toISOString().slice(0, 10)}`,
  };
}

function keyText(key: PublicKeyInfo): string {
  if (key.keyAlgorithm === 'RSA' || key.keyAlgorithm === 'DSA') return `${key.keyAlgorithm} ${key.keySize ?? '?'}`;
  if (key.keyAlgorithm === 'EC') return `EC ${key.curve ?? '?'}`;
  return key.keyAlgorithm === 'unknown' ? (key.curve ?? 'unknown algorithm') : key.keyAlgorithm;
}
