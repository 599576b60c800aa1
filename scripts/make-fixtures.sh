#!/usr/bin/env bash
# Generates the certificate inspector's test fixtures with openssl into
# tests/fixtures/generated/ (gitignored). Keys are random on every run, but the set of files,
# their subjects, serials, extensions and validity dates are fixed, so tests can assert them.
# tests/setup/fixtures.ts reruns this script when the stamp file is missing or differs from the
# SHA-256 of this script.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
out=${1:-"$here/../tests/fixtures/generated"}
stamp=$(sha256sum "$here/make-fixtures.sh" | cut -d' ' -f1)
build=$(mktemp -d "${TMPDIR:-/tmp}/certvault-fixtures.XXXXXX")
trap 'rm -rf "$build"' EXIT

export PASS=secret
# ca.cnf reads these when openssl loads it, even for `req`; sign() sets the real values.
export CA_DIR=$build LEAF_DNS=unused.example.test
# Fixed validity windows (openssl ca takes explicit dates; `req -x509` in 3.0 does not).
CA_START=20240101000000Z CA_END=20440101000000Z
LEAF_START=20250101000000Z LEAF_END=20350101000000Z

cat >"$build/ca.cnf" <<'EOF'
[ca]
default_ca = test_ca
[test_ca]
dir = $ENV::CA_DIR
database = $dir/index.txt
new_certs_dir = $dir/issued
serial = $dir/serial
default_md = default
policy = any_policy
unique_subject = no
email_in_dn = yes
default_crl_days = 30
[any_policy]
countryName = optional
stateOrProvinceName = optional
localityName = optional
organizationName = optional
organizationalUnitName = optional
commonName = supplied
emailAddress = optional
[req]
distinguished_name = req_dn
prompt = no
[req_dn]
CN = unused
[v3_root]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[v3_int]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
authorityInfoAccess = caIssuers;URI:http://pki.example.test/root.crt
crlDistributionPoints = URI:http://pki.example.test/root.crl
certificatePolicies = 2.5.29.32.0
[v3_leaf]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature, keyEncipherment
extendedKeyUsage = serverAuth, clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
subjectAltName = DNS:$ENV::LEAF_DNS, DNS:*.$ENV::LEAF_DNS, IP:192.0.2.10, IP:2001:db8::10, email:ops@example.test, URI:https://$ENV::LEAF_DNS/
authorityInfoAccess = OCSP;URI:http://ocsp.example.test, caIssuers;URI:http://pki.example.test/int.crt
crlDistributionPoints = URI:http://pki.example.test/int.crl
certificatePolicies = 2.23.140.1.2.2, 1.3.6.1.4.1.55555.1
EOF

# new_ca DIR: an empty openssl ca database.
new_ca() {
  mkdir -p "$1/issued"
  : >"$1/index.txt"
}

# sign CA_DIR CA_KEY CA_CERT CSR OUT EXT SERIAL START END
sign() {
  echo "$7" >"$1/serial"
  CA_DIR=$1 openssl ca -batch -notext -config "$build/ca.cnf" -keyfile "$2" -cert "$3" -in "$4" -out "$5" \
    -extensions "$6" -startdate "$8" -enddate "$9" 2>/dev/null
}

# selfsign CA_DIR KEY CSR OUT SERIAL
selfsign() {
  echo "$5" >"$1/serial"
  CA_DIR=$1 openssl ca -batch -notext -selfsign -config "$build/ca.cnf" -keyfile "$2" -in "$3" -out "$4" \
    -extensions v3_root -startdate "$CA_START" -enddate "$CA_END" 2>/dev/null
}

csr() { openssl req -new -config "$build/ca.cnf" -key "$1" -subj "$2" -out "$3"; }

genkey() {
  case $1 in
    rsa2048) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$2" ;;
    rsa4096) openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:4096 -out "$2" ;;
    p256) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$2" ;;
    p384) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-384 -out "$2" ;;
    p521) openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-521 -out "$2" ;;
    ed25519) openssl genpkey -algorithm ED25519 -out "$2" ;;
    ed448) openssl genpkey -algorithm ED448 -out "$2" ;;
  esac
}

# One root -> intermediate -> leaf chain per key type, every certificate of that type.
for type in rsa2048 rsa4096 p256 p384 p521 ed25519 ed448; do
  d="$build/out/$type"
  ca="$build/ca-$type"
  mkdir -p "$d"
  new_ca "$ca"
  for role in root int leaf; do genkey "$type" "$ca/$role.key" 2>/dev/null; done
  csr "$ca/root.key" "/C=US/O=Cert Vault Test/CN=Test Root CA $type" "$ca/root.csr"
  csr "$ca/int.key" "/C=US/O=Cert Vault Test/CN=Test Intermediate CA $type" "$ca/int.csr"
  csr "$ca/leaf.key" "/C=US/ST=California/L=San Francisco/O=Cert Vault Test/CN=$type.example.test" "$ca/leaf.csr"
  selfsign "$ca" "$ca/root.key" "$ca/root.csr" "$d/root.crt" 01
  sign "$ca" "$ca/root.key" "$d/root.crt" "$ca/int.csr" "$d/int.crt" v3_int 1000 "$CA_START" "$CA_END"
  LEAF_DNS="$type.example.test" sign "$ca" "$ca/int.key" "$d/int.crt" "$ca/leaf.csr" "$d/leaf.crt" v3_leaf \
    00C0FFEE0123456789 "$LEAF_START" "$LEAF_END"
  cp "$ca/leaf.key" "$d/leaf.key"
  cat "$d/leaf.crt" "$d/int.crt" "$d/root.crt" >"$d/fullchain.pem"
  cat "$d/root.crt" "$d/int.crt" "$d/leaf.crt" >"$d/reversed.pem"
  cat "$d/int.crt" "$d/leaf.key" "$d/root.crt" "$d/leaf.crt" >"$d/shuffled-with-key.pem"
done

# Format variants, all of the rsa2048 chain.
r="$build/out/rsa2048" v="$build/out/variants"
rca="$build/ca-rsa2048"
mkdir -p "$v"
cat "$r/fullchain.pem" "$r/leaf.key" | sed 's/$/\r/' >"$v/crlf.pem"
{
  echo "Certificates for rsa2048.example.test, as printed by openssl x509 -text:"
  for c in leaf int root; do openssl x509 -in "$r/$c.crt" -text; echo; done
  echo "Key follows."
  cat "$r/leaf.key"
  printf '\n\n   \n'
} >"$v/text-preamble.pem"
openssl x509 -in "$r/leaf.crt" -outform DER -out "$v/leaf.der"
openssl crl2pkcs7 -nocrl -certfile "$r/fullchain.pem" -out "$v/chain.p7b"
openssl crl2pkcs7 -nocrl -certfile "$r/fullchain.pem" -outform DER -out "$v/chain-der.p7b"
openssl pkcs12 -export -inkey "$r/leaf.key" -in "$r/leaf.crt" -certfile "$r/int.crt" -passout env:PASS \
  -keypbe AES-256-CBC -certpbe AES-256-CBC -macalg sha256 -out "$v/modern.p12"
if openssl pkcs12 -export -legacy -inkey "$r/leaf.key" -in "$r/leaf.crt" -certfile "$r/int.crt" \
  -passout env:PASS -out "$v/legacy.p12" 2>/dev/null; then :; else
  # Without the legacy provider RC2 is unavailable; 3DES with a SHA-1 MAC is the other legacy shape.
  openssl pkcs12 -export -inkey "$r/leaf.key" -in "$r/leaf.crt" -certfile "$r/int.crt" -passout env:PASS \
    -certpbe PBE-SHA1-3DES -keypbe PBE-SHA1-3DES -macalg sha1 -out "$v/legacy.p12"
fi
openssl pkcs12 -export -inkey "$r/leaf.key" -in "$r/leaf.crt" -passout pass: -out "$v/nopass.p12"
openssl pkcs12 -export -inkey "$build/out/p256/leaf.key" -in "$build/out/p256/leaf.crt" \
  -certfile "$build/out/p256/int.crt" -passout env:PASS -out "$v/ec.p12"
openssl pkcs8 -topk8 -in "$r/leaf.key" -v2 aes-256-cbc -passout env:PASS -out "$v/pkcs8-encrypted.key"
openssl pkcs8 -topk8 -in "$r/leaf.key" -v1 PBE-SHA1-3DES -passout env:PASS -out "$v/pkcs8-pbe-3des.key"
openssl rsa -in "$r/leaf.key" -traditional -out "$v/pkcs1.key" 2>/dev/null
openssl rsa -in "$r/leaf.key" -traditional -aes256 -passout env:PASS -out "$v/legacy-aes256.key" 2>/dev/null
openssl rsa -in "$r/leaf.key" -traditional -des3 -passout env:PASS -out "$v/legacy-des3.key" 2>/dev/null
openssl pkey -in "$r/leaf.key" -outform DER -out "$v/pkcs8.der"
openssl pkey -in "$r/leaf.key" -pubout -out "$v/public.pem"
openssl req -new -config "$build/ca.cnf" -key "$r/leaf.key" -subj "/CN=csr.example.test" -out "$v/request.csr"
CA_DIR=$rca openssl ca -gencrl -config "$build/ca.cnf" -keyfile "$rca/int.key" -cert "$r/int.crt" \
  -crl_lastupdate 20250101000000Z -crl_nextupdate 20250201000000Z -out "$v/int.crl" 2>/dev/null

# EC key encodings, of the p256 leaf key.
e="$build/out/p256"
openssl ec -in "$e/leaf.key" -out "$v/sec1.key" 2>/dev/null
{ openssl ecparam -name prime256v1; cat "$v/sec1.key"; } >"$v/sec1-with-params.key"
openssl ec -in "$e/leaf.key" -aes256 -passout env:PASS -out "$v/ec-legacy-aes256.key" 2>/dev/null
cat "$e/leaf.crt" "$v/sec1.key" >"$v/ec-cert-and-sec1.pem"

# Validity edge cases and a mismatched key, issued by the rsa2048 intermediate.
for leaf in expired:20200101000000Z:20210101000000Z:0a notyet:20990101000000Z:21000101000000Z:0b; do
  IFS=: read -r name start end serial <<<"$leaf"
  csr "$rca/leaf.key" "/CN=$name.example.test" "$rca/$name.csr"
  LEAF_DNS="$name.example.test" sign "$rca" "$rca/int.key" "$r/int.crt" "$rca/$name.csr" "$v/$name.crt" v3_leaf \
    "$serial" "$start" "$end"
done
cat "$r/leaf.crt" "$build/out/rsa4096/leaf.key" >"$v/mismatched.pem"
cat "$r/leaf.crt" "$r/int.crt" >"$v/incomplete.pem"
printf 'not a certificate at all\n' >"$v/junk.txt"

echo "$stamp" >"$build/out/STAMP"
rm -rf "$out.new"
mkdir -p "$(dirname "$out")"
mv "$build/out" "$out.new"
rm -rf "$out"
mv "$out.new" "$out"
echo "fixtures written to $out"
