// A private key's public half as SubjectPublicKeyInfo DER: the bytes of
// createPublicKey(key).export({ type: 'spki', format: 'der' }), which pair a key with its
// certificate (library/public-key-id.ts). OpenSSL 3 charges about 60 µs for the first export of a
// freshly loaded key, a quarter of reading a key during an import (docs/performance.md, "import
// levers"); an RSA key and an EC key that carries its public point hold every byte of the answer,
// so it is copied from the PrivateKeyInfo instead. Any other key goes through OpenSSL.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { DerError, Tag, children, content, encode, encodeOid, expectTag, readOid, readRoot, whole } from './der';
import { OID } from './oids';

const NULL = Uint8Array.of(Tag.Null, 0);
/** ECPrivateKey's optional `publicKey [1] BIT STRING` (RFC 5915). */
const EC_PUBLIC_KEY = 0xa1;

/** `pkcs8`: the PrivateKeyInfo `key` was loaded from (so its numbers are the key's), when it was. */
export function publicSpkiOf(key: KeyObject, pkcs8: Uint8Array | null): Uint8Array {
  return (pkcs8 && spkiFromPkcs8(pkcs8)) ?? Uint8Array.from(createPublicKey(key).export({ type: 'spki', format: 'der' }));
}

function spkiFromPkcs8(pkcs8: Uint8Array): Uint8Array | null {
  try {
    const [, algorithm, privateKey] = children(pkcs8, expectTag(readRoot(pkcs8), Tag.Sequence, 'private key info'));
    const [algorithmOid, parameters] = children(pkcs8, expectTag(algorithm, Tag.Sequence, 'key algorithm'));
    const oid = readOid(pkcs8, expectTag(algorithmOid, Tag.Oid, 'key algorithm'));
    const inner = content(pkcs8, expectTag(privateKey, Tag.OctetString, 'private key'));
    if (oid === OID.rsaEncryption) {
      // RSAPrivateKey: version, modulus, publicExponent, ...; RSAPublicKey is the middle two.
      const [, modulus, exponent] = children(inner, expectTag(readRoot(inner), Tag.Sequence, 'RSA private key'));
      const rsaPublicKey = encode(Tag.Sequence, whole(inner, expectTag(modulus, Tag.Integer, 'modulus')), whole(inner, expectTag(exponent, Tag.Integer, 'exponent')));
      return spki(encode(Tag.Sequence, encodeOid(OID.rsaEncryption), NULL), encode(Tag.BitString, Uint8Array.of(0), rsaPublicKey));
    }
    if (oid === OID.ecPublicKey && parameters?.tag === Tag.Oid) {
      // A named curve, and the point in the form the file wrote it, which is the form OpenSSL exports.
      const publicKey = children(inner, expectTag(readRoot(inner), Tag.Sequence, 'EC private key')).find((field) => field.tag === EC_PUBLIC_KEY);
      if (!publicKey) return null;
      const point = expectTag(children(inner, publicKey)[0], Tag.BitString, 'public key');
      return spki(encode(Tag.Sequence, encodeOid(OID.ecPublicKey), whole(pkcs8, parameters)), whole(inner, point));
    }
    return null;
  } catch (error) {
    // A layout this does not read: OpenSSL, which loaded the key, answers.
    if (error instanceof DerError) return null;
    throw error;
  }
}

function spki(algorithm: Uint8Array, keyBits: Uint8Array): Uint8Array {
  return encode(Tag.Sequence, algorithm, keyBits);
}
