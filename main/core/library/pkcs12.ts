import forge from 'node-forge';

// PKCS#12 (RFC 7292) for export, built from DER certificates and a PKCS#8 key of any algorithm.
// node-forge's own `toPkcs12Asn1` only takes RSA keys and forge-parsed certificates (it cannot parse
// EC or SM2 certificates), so the structure is assembled here with forge's ASN.1 and PBE helpers.
//
// modern: key shrouded with PBES2 / PBKDF2-HMAC-SHA256 / AES-256-CBC, HMAC-SHA256 MAC (what
//         OpenSSL 3 writes by default).
// legacy: key shrouded with pbeWithSHAAnd3-KeyTripleDES-CBC, HMAC-SHA1 MAC: readable by
//         Windows Server 2012/2016, old Java and appliances that predate PBES2.
// Certificates are public and go in an unencrypted SafeContents, which every reader accepts.

const { asn1, pki } = forge;
const ITERATIONS = 2048;
const SALT_BYTES = 16;

export interface Pkcs12Input {
  /** Leaf first; it carries the localKeyId that pairs it with the key. */
  readonly certificates: readonly Buffer[];
  readonly privateKeyPkcs8: Buffer;
  readonly password: string;
  readonly legacy: boolean;
  readonly friendlyName?: string;
}

export function buildPkcs12({ certificates, privateKeyPkcs8, password, legacy, friendlyName }: Pkcs12Input): Buffer {
  const leaf = certificates[0];
  if (!leaf) throw new RangeError('a PKCS#12 export needs the leaf certificate');
  const localKeyId = forge.md.sha1.create().update(binary(leaf)).digest().getBytes();
  const attributes = bagAttributes(localKeyId, friendlyName);

  const certBags = certificates.map((der, index) =>
    seq([
      oid(pki.oids.certBag as string),
      explicit0([seq([oid(pki.oids.x509Certificate as string), explicit0([octets(binary(der))])])]),
      ...(index === 0 ? [attributes] : []),
    ]),
  );

  const keyInfo = asn1.fromDer(binary(privateKeyPkcs8));
  const shrouded = pki.encryptPrivateKeyInfo(keyInfo, legacy ? password : forge.util.encodeUtf8(password), {
    algorithm: legacy ? '3des' : 'aes256',
    prfAlgorithm: 'sha256',
    count: ITERATIONS,
    saltSize: SALT_BYTES,
  });
  const keyBag = seq([oid(pki.oids.pkcs8ShroudedKeyBag as string), explicit0([shrouded]), attributes]);

  const authenticatedSafe = seq([dataContentInfo(seq(certBags)), dataContentInfo(seq([keyBag]))]);
  const safeDer = asn1.toDer(authenticatedSafe).getBytes();

  return Buffer.from(
    asn1
      .toDer(
        seq([
          integer(3),
          seq([oid(pki.oids.data as string), explicit0([octets(safeDer)])]),
          macData(safeDer, password, legacy),
        ]),
      )
      .getBytes(),
    'binary',
  );
}

function macData(content: string, password: string, legacy: boolean): forge.asn1.Asn1 {
  const salt = forge.random.getBytesSync(SALT_BYTES);
  const digest = legacy ? forge.md.sha1 : forge.md.sha256;
  const size = legacy ? 20 : 32;
  // RFC 7292 appendix B key derivation, ID 3 = MAC key; forge encodes the password as BMPString.
  const key = forge.pkcs12.generateKey(password, new forge.util.ByteStringBuffer(salt), 3, ITERATIONS, size, digest.create());
  const hmac = forge.hmac.create();
  hmac.start(digest.create(), key.getBytes());
  hmac.update(content);
  return seq([
    seq([seq([oid(legacy ? (pki.oids.sha1 as string) : (pki.oids.sha256 as string)), nullValue()]), octets(hmac.digest().getBytes())]),
    octets(salt),
    integer(ITERATIONS),
  ]);
}

function bagAttributes(localKeyId: string, friendlyName: string | undefined): forge.asn1.Asn1 {
  const attributes = [seq([oid(pki.oids.localKeyId as string), set([octets(localKeyId)])])];
  if (friendlyName) {
    attributes.push(
      seq([oid(pki.oids.friendlyName as string), set([asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BMPSTRING, false, friendlyName)])]),
    );
  }
  return set(attributes);
}

function dataContentInfo(safeContents: forge.asn1.Asn1): forge.asn1.Asn1 {
  return seq([oid(pki.oids.data as string), explicit0([octets(asn1.toDer(safeContents).getBytes())])]);
}

const binary = (bytes: Buffer): string => bytes.toString('binary');
const seq = (value: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, value);
const set = (value: forge.asn1.Asn1[]) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SET, true, value);
const explicit0 = (value: forge.asn1.Asn1[]) => asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, value);
const octets = (value: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, value);
const oid = (value: string) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(value).getBytes());
const integer = (value: number) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, asn1.integerToDer(value).getBytes());
const nullValue = () => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '');
