import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, expect, it, vi } from 'vitest';
import { publicSpkiOf } from '../../../main/core/inspect/key-spki';
import { Tag, encode, encodeOid, encodeSmallInteger } from '../../../main/core/inspect/der';
import { OID } from '../../../main/core/inspect/oids';

// publicSpkiOf must give OpenSSL's bytes exactly: a key pairs with its certificate by their hash.
// OpenSSL's own export is watched, to tell the keys answered from their file from those it answers.

vi.mock('node:crypto', async (importOriginal) => {
  const actual = await importOriginal<typeof import('node:crypto')>();
  return { ...actual, createPublicKey: vi.fn(actual.createPublicKey) };
});

const P256 = '1.2.840.10045.3.1.7';

function openSslSpki(key: KeyObject): Buffer {
  return Buffer.from(createPublicKey(key).export({ type: 'spki', format: 'der' }));
}

/** publicSpkiOf's answer for the key in this PrivateKeyInfo, and whether it asked OpenSSL. */
function spkiOf(pkcs8: Uint8Array): { spki: Buffer; expected: Buffer; throughOpenSsl: boolean } {
  const key = createPrivateKey({ key: Buffer.from(pkcs8), format: 'der', type: 'pkcs8' });
  vi.mocked(createPublicKey).mockClear();
  const spki = Buffer.from(publicSpkiOf(key, pkcs8));
  const throughOpenSsl = vi.mocked(createPublicKey).mock.calls.length > 0;
  return { spki, expected: openSslSpki(key), throughOpenSsl };
}

/** A P-256 PrivateKeyInfo written by hand: the scalar `d`, and the public point as given (or none). */
function p256Pkcs8(d: Buffer, point: Uint8Array | null): Uint8Array {
  const fields = [encodeSmallInteger(1), encode(Tag.OctetString, d)];
  if (point) fields.push(encode(0xa1, encode(Tag.BitString, Uint8Array.of(0), point)));
  return encode(
    Tag.Sequence,
    encodeSmallInteger(0),
    encode(Tag.Sequence, encodeOid(OID.ecPublicKey), encodeOid(P256)),
    encode(Tag.OctetString, encode(Tag.Sequence, ...fields)),
  );
}

function newP256(): { d: Buffer; x: Buffer; y: Buffer } {
  const { d, x, y } = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  return { d: Buffer.from(d!, 'base64url'), x: Buffer.from(x!, 'base64url'), y: Buffer.from(y!, 'base64url') };
}

describe('publicSpkiOf', () => {
  it.each([
    ['RSA 2048', false, () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey],
    ['RSA 1024, exponent 3', false, () => generateKeyPairSync('rsa', { modulusLength: 1024, publicExponent: 3 }).privateKey],
    ['P-256', false, () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey],
    ['P-384', false, () => generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey],
    ['P-521', false, () => generateKeyPairSync('ec', { namedCurve: 'P-521' }).privateKey],
    ['secp256k1', false, () => generateKeyPairSync('ec', { namedCurve: 'secp256k1' }).privateKey],
    ['brainpoolP256r1', false, () => generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' }).privateKey],
    ['Ed25519', true, () => generateKeyPairSync('ed25519').privateKey],
    ['RSA-PSS', true, () => generateKeyPairSync('rsa-pss', { modulusLength: 1024 }).privateKey],
  ])('%s: the bytes OpenSSL exports (OpenSSL asked: %s)', (_name, viaOpenSsl, make) => {
    for (let i = 0; i < 4; i++) {
      const { spki, expected, throughOpenSsl } = spkiOf(make().export({ type: 'pkcs8', format: 'der' }));
      expect(spki).toEqual(expected);
      expect(throughOpenSsl).toBe(viaOpenSsl);
    }
  });

  it('an EC key whose file holds its point compressed: OpenSSL exports that form, and so does this', () => {
    const { d, x, y } = newP256();
    const compressed = Buffer.concat([Uint8Array.of(y[y.length - 1]! & 1 ? 3 : 2), x]);
    const { spki, expected, throughOpenSsl } = spkiOf(p256Pkcs8(d, compressed));
    expect(spki).toEqual(expected);
    expect(spki.length).toBe(59); // a 33-byte point: OpenSSL keeps the file's form
    expect(throughOpenSsl).toBe(false);
  });

  it("an EC key whose file holds another key's point: the same answer as OpenSSL, which keeps the file's point", () => {
    const { d } = newP256();
    const other = newP256();
    const { spki, expected } = spkiOf(p256Pkcs8(d, Buffer.concat([Uint8Array.of(4), other.x, other.y])));
    expect(spki).toEqual(expected);
  });

  it('an EC key without its public point in the file: OpenSSL derives it', () => {
    const { spki, expected, throughOpenSsl } = spkiOf(p256Pkcs8(newP256().d, null));
    expect(spki).toEqual(expected);
    expect(throughOpenSsl).toBe(true);
  });

  it('no PrivateKeyInfo (a PKCS#1 or SEC1 file loaded another way): OpenSSL answers', () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey;
    vi.mocked(createPublicKey).mockClear();
    expect(Buffer.from(publicSpkiOf(key, null))).toEqual(openSslSpki(key));
    expect(vi.mocked(createPublicKey)).toHaveBeenCalled();
  });
});
