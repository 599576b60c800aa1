// Private keys in every common encoding, normalised to unencrypted PKCS#8. RSA, EC, EdDSA and
// DSA keys are loaded by Node's crypto; SM2 keys are handled here from their DER (and their
// public point derived in sm2.ts) because BoringSSL cannot load them.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import type { PublicKeyInfo } from '../../../shared/model';
import { VaultError } from '../../../shared/errors';
import { DerError, Tag, children, content, encode, encodeOid, encodeSmallInteger, expectTag, readOid, readRoot } from './der';
import { toPem } from './certificate';
import { OID } from './oids';
import { readSubjectPublicKey } from './public-key';
import { publicSpkiOf } from './key-spki';
import { sm2PublicPoint } from './sm2';

/**
 * A private key read from the input. This is secret material: it stays in main/core (the vault
 * seals `pkcs8Pem`); only its `PrivateKeyInfo` description reaches an Inspection.
 */
export interface ParsedPrivateKey extends PublicKeyInfo {
  /** The file (or "pasted text") it came from. */
  readonly source: string;
  /** Unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----"). */
  readonly pkcs8Pem: string;
  /** The public half: SubjectPublicKeyInfo DER, as Node exports it (null for SM2). */
  readonly publicSpki: Uint8Array | null;
  /** SM2 only: the uncompressed public point derived from the private scalar. */
  readonly sm2Point: Uint8Array | null;
}

/** PrivateKeyInfo (RFC 5958), the common target of every other encoding. */
export function keyFromPkcs8(der: Uint8Array, source: string): ParsedPrivateKey {
  const sm2Scalar = sm2ScalarOfPkcs8(der, source);
  if (sm2Scalar) return sm2Key(sm2Scalar, source);
  return fromKeyObject(load(source, () => createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs8' })), der, source);
}

/** RSAPrivateKey (PKCS#1, "RSA PRIVATE KEY"). */
export function keyFromPkcs1(der: Uint8Array, source: string): ParsedPrivateKey {
  return fromKeyObject(load(source, () => createPrivateKey({ key: Buffer.from(der), format: 'der', type: 'pkcs1' })), null, source);
}

/**
 * ECPrivateKey (SEC1, "EC PRIVATE KEY"). The curve is inside the key or, in files written by
 * `openssl ecparam -genkey`, in a preceding "EC PARAMETERS" block: `curveOid` carries that one.
 */
export function keyFromSec1(der: Uint8Array, curveOid: string | null, source: string): ParsedPrivateKey {
  const curve = malformedOnDerError(source, () => {
    const fields = children(der, expectTag(readRoot(der), Tag.Sequence, 'EC private key'));
    const embedded = fields.find((f) => f.tag === 0xa0);
    const inner = embedded ? children(der, embedded)[0] : undefined;
    return inner?.tag === Tag.Oid ? readOid(der, inner) : curveOid;
  });
  if (!curve) throw new VaultError('key.malformed', { file: source, reason: 'the EC key names no curve' });
  const pkcs8 = encode(
    Tag.Sequence,
    encodeSmallInteger(0),
    encode(Tag.Sequence, encodeOid(OID.ecPublicKey), encodeOid(curve)),
    encode(Tag.OctetString, der),
  );
  return keyFromPkcs8(pkcs8, source);
}

/** The curve OID of an "EC PARAMETERS" block (a namedCurve OID; explicit parameters are not supported). */
export function curveOfEcParameters(der: Uint8Array, source: string): string {
  return malformedOnDerError(source, () => readOid(der, readRoot(der)));
}

function sm2ScalarOfPkcs8(der: Uint8Array, source: string): Uint8Array | null {
  return malformedOnDerError(source, () => {
    const [version, algorithm, privateKey] = children(der, expectTag(readRoot(der), Tag.Sequence, 'private key info'));
    expectTag(version, Tag.Integer, 'version');
    const [algOid, params] = children(der, expectTag(algorithm, Tag.Sequence, 'key algorithm'));
    const oid = readOid(der, algOid!);
    const isSm2 = oid === OID.sm2Curve || (oid === OID.ecPublicKey && params?.tag === Tag.Oid && readOid(der, params) === OID.sm2Curve);
    if (!isSm2) return null;
    const ecKey = content(der, expectTag(privateKey, Tag.OctetString, 'private key'));
    const [, scalar] = children(ecKey, expectTag(readRoot(ecKey), Tag.Sequence, 'EC private key'));
    return content(ecKey, expectTag(scalar, Tag.OctetString, 'private scalar'));
  });
}

function sm2Key(scalar: Uint8Array, source: string): ParsedPrivateKey {
  let point: Uint8Array;
  try {
    point = sm2PublicPoint(scalar);
  } catch {
    throw new VaultError('key.malformed', { file: source, reason: 'the SM2 private scalar is out of range' });
  }
  const padded = new Uint8Array(32);
  padded.set(scalar.subarray(Math.max(0, scalar.length - 32)), Math.max(0, 32 - scalar.length));
  // RFC 5915 ECPrivateKey with the public point, wrapped as PKCS#8 the way GmSSL/Tongsuo write it.
  const ecPrivateKey = encode(
    Tag.Sequence,
    encodeSmallInteger(1),
    encode(Tag.OctetString, padded),
    encode(0xa1, encode(Tag.BitString, Uint8Array.of(0), point)),
  );
  const pkcs8 = encode(
    Tag.Sequence,
    encodeSmallInteger(0),
    encode(Tag.Sequence, encodeOid(OID.ecPublicKey), encodeOid(OID.sm2Curve)),
    encode(Tag.OctetString, ecPrivateKey),
  );
  return { source, pkcs8Pem: toPem('PRIVATE KEY', pkcs8), publicSpki: null, sm2Point: point, keyAlgorithm: 'SM2', keySize: 256, curve: 'SM2' };
}

/** `pkcs8`: the PrivateKeyInfo the key was loaded from, when it was. */
function fromKeyObject(key: KeyObject, pkcs8: Uint8Array | null, source: string): ParsedPrivateKey {
  const spki = publicSpkiOf(key, pkcs8);
  const described = readSubjectPublicKey(spki, readRoot(spki));
  return {
    source,
    pkcs8Pem: key.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicSpki: spki,
    sm2Point: null,
    keyAlgorithm: described.keyAlgorithm,
    keySize: described.keySize,
    curve: described.curve,
  };
}

function load(source: string, read: () => KeyObject): KeyObject {
  try {
    return read();
  } catch {
    throw new VaultError('key.malformed', { file: source, reason: 'the key data is not a valid private key' });
  }
}

function malformedOnDerError<T>(source: string, read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof DerError) throw new VaultError('key.malformed', { file: source, reason: error.message });
    throw error;
  }
}
