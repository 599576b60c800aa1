// PKCS#7 / CMS SignedData certificate bundles (.p7b, `openssl crl2pkcs7 -nocrl`), RFC 5652 §5.
import { VaultError } from '../../../shared/errors';
import { DerError, Tag, children, expectTag, readOid, readRoot, whole } from './der';
import { OID } from './oids';

/** True when `der` is a ContentInfo of type signedData (format detection). */
export function isPkcs7(der: Uint8Array): boolean {
  try {
    const [type] = children(der, readRoot(der));
    return type?.tag === Tag.Oid && readOid(der, type) === OID.pkcs7SignedData;
  } catch {
    return false;
  }
}

/** The DER of every certificate in the bundle, in stored order. */
export function certificatesOfPkcs7(der: Uint8Array, file: string): Uint8Array[] {
  try {
    const [, explicit] = children(der, expectTag(readRoot(der), Tag.Sequence, 'content info'));
    const [signedData] = children(der, expectTag(explicit, 0xa0, 'signed data wrapper'));
    const fields = children(der, expectTag(signedData, Tag.Sequence, 'signed data'));
    // version, digestAlgorithms, encapContentInfo, then [0] IMPLICIT certificates
    const certificates = fields.find((f) => f.tag === 0xa0);
    if (!certificates) return [];
    return children(der, certificates)
      .filter((c) => c.tag === Tag.Sequence) // other certificate formats (attribute certs) are skipped
      .map((c) => whole(der, c));
  } catch (error) {
    if (error instanceof DerError) throw new VaultError('pkcs7.malformed', { file, reason: error.message });
    throw error;
  }
}
