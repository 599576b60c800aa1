// Throwaway certificates for the cloud integration tests, made with openssl in a temp dir:
// a root and an intermediate CA, RSA and EC server leaves under them (with their full chains),
// a second RSA key that matches nothing, an encrypted copy of the RSA key, and the SM2 fixtures.

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sm2FixturesDir } from '../../fixtures/paths';

export interface Leaf {
  readonly cert: string;
  readonly key: string;
  /** Leaf then intermediate (no root), what a server is configured with. */
  readonly fullchain: string;
}

export interface TestPki {
  readonly rootCa: string;
  readonly intermediateCa: string;
  readonly rsa: Leaf;
  readonly ec: Leaf;
  /** An RSA key that belongs to no certificate here. */
  readonly strayKey: string;
  /** The RSA leaf key encrypted with `encryptedKeyPassword` (PKCS#8). */
  readonly encryptedRsaKey: string;
  readonly encryptedKeyPassword: string;
  readonly sm2: {
    readonly signCert: string;
    readonly signKey: string;
    readonly encCert: string;
    readonly encKey: string;
    readonly chain: string;
  };
}

const SM2_DIR = sm2FixturesDir;

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'certvault-clouds-'));
  try {
    return build(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function build(dir: string): TestPki {
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const read = (name: string) => readFileSync(file(name), 'utf8');

  writeFileSync(file('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', file('root.key'),
    '-out', file('root.crt'), '-subj', '/O=Cert Vault Tests/CN=Cert Vault Test Root', '-days', '3650');
  issue('int', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/O=Cert Vault Tests/CN=Cert Vault Test Intermediate', 'root', 'ca.ext');

  for (const [name, keyArgs, host] of [
    ['rsa', ['-newkey', 'rsa:2048'], 'rsa.certvault.test'],
    ['ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], 'ec.certvault.test'],
  ] as const) {
    writeFileSync(file(`${name}.ext`), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${host},DNS:www.${host}\n`);
    issue(name, [...keyArgs], `/C=CN/O=Cert Vault Tests/CN=${host}`, 'int', `${name}.ext`);
  }
  openssl('genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', file('stray.key'));
  const password = 'correct horse';
  openssl('pkcs8', '-topk8', '-in', file('rsa.key'), '-out', file('rsa-enc.key'), '-passout', `pass:${password}`);

  const leaf = (name: string): Leaf => ({ cert: read(`${name}.crt`), key: read(`${name}.key`), fullchain: read(`${name}.crt`) + read('int.crt') });
  const sm2 = (name: string) => readFileSync(path.join(SM2_DIR, name), 'utf8');
  return {
    rootCa: read('root.crt'),
    intermediateCa: read('int.crt'),
    rsa: leaf('rsa'),
    ec: leaf('ec'),
    strayKey: read('stray.key'),
    encryptedRsaKey: read('rsa-enc.key'),
    encryptedKeyPassword: password,
    sm2: {
      signCert: sm2('server_sign.crt'),
      signKey: sm2('server_sign.key'),
      encCert: sm2('server_enc.crt'),
      encKey: sm2('server_enc.key'),
      chain: sm2('chain-ca.crt'),
    },
  };

  function issue(name: string, keyArgs: string[], subject: string, issuer: string, extensions: string): void {
    openssl('req', '-new', ...keyArgs, '-nodes', '-keyout', file(`${name}.key`), '-out', file(`${name}.csr`), '-subj', subject);
    openssl('x509', '-req', '-in', file(`${name}.csr`), '-CA', file(`${issuer}.crt`), '-CAkey', file(`${issuer}.key`),
      '-CAcreateserial', '-out', file(`${name}.crt`), '-days', '365', '-extfile', file(extensions));
  }
}
