import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { log } from '../../../main/core/log';

// Certificates for CLI tests, made with openssl in a temporary folder: a root -> intermediate ->
// leaf chain with its key, an unrelated key, a password-protected PKCS#12 and a junk file.

export const MOZILLA = '/usr/share/ca-certificates/mozilla';
export const PFX_PASSWORD = 'correct horse battery staple';

export interface CliFixtures {
  readonly dir: string;
  readonly root: string;
  readonly intermediate: string;
  readonly leaf: string;
  readonly leafKey: string;
  readonly otherKey: string;
  readonly fullchain: string;
  readonly pfx: string;
  readonly junk: string;
  readonly passwordFile: string;
  readonly encryptedKey: string;
  cleanup(): void;
}

function openssl(args: string[], cwd: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function makeCliFixtures(): CliFixtures {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-cli-'));
  const file = (name: string) => path.join(dir, name);
  const ecKey = (name: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name], dir);

  ecKey('root.key');
  openssl(['req', '-x509', '-new', '-key', 'root.key', '-subj', '/O=Cert Vault Test/CN=Test Root CA', '-days', '3650', '-out', 'root.crt',
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'], dir);

  ecKey('int.key');
  openssl(['req', '-new', '-key', 'int.key', '-subj', '/O=Cert Vault Test/CN=Test Intermediate CA', '-out', 'int.csr'], dir);
  fs.writeFileSync(file('int.ext'), 'basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign\n');
  openssl(['x509', '-req', '-in', 'int.csr', '-CA', 'root.crt', '-CAkey', 'root.key', '-CAcreateserial', '-days', '1825', '-extfile', 'int.ext', '-out', 'int.crt'], dir);

  openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048', '-out', 'leaf.key'], dir);
  openssl(['req', '-new', '-key', 'leaf.key', '-subj', '/CN=www.example.test', '-out', 'leaf.csr'], dir);
  fs.writeFileSync(file('leaf.ext'), 'subjectAltName=DNS:www.example.test,DNS:example.test,IP:192.0.2.7\nextendedKeyUsage=serverAuth\n');
  openssl(['x509', '-req', '-in', 'leaf.csr', '-CA', 'int.crt', '-CAkey', 'int.key', '-CAcreateserial', '-days', '90', '-extfile', 'leaf.ext', '-out', 'leaf.crt'], dir);

  ecKey('other.key');
  const pem = (name: string) => fs.readFileSync(file(name), 'utf8');
  // Root first, leaf last: the inspector must put them in order.
  fs.writeFileSync(file('fullchain.pem'), pem('root.crt') + pem('int.crt') + pem('leaf.crt'));
  openssl(['pkcs12', '-export', '-in', 'leaf.crt', '-inkey', 'leaf.key', '-certfile', 'int.crt', '-passout', `pass:${PFX_PASSWORD}`, '-out', 'bundle.p12'], dir);
  openssl(['pkcs8', '-topk8', '-in', 'leaf.key', '-v2', 'aes-256-cbc', '-passout', `pass:${PFX_PASSWORD}`, '-out', 'leaf-encrypted.key'], dir);
  fs.writeFileSync(file('password.txt'), `${PFX_PASSWORD}\nsecond line is ignored\n`);
  fs.writeFileSync(file('junk.bin'), Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256)));

  return {
    dir,
    root: file('root.crt'),
    intermediate: file('int.crt'),
    leaf: file('leaf.crt'),
    leafKey: file('leaf.key'),
    otherKey: file('other.key'),
    fullchain: file('fullchain.pem'),
    pfx: file('bundle.p12'),
    junk: file('junk.bin'),
    passwordFile: file('password.txt'),
    encryptedKey: file('leaf-encrypted.key'),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** What openssl says about a certificate file, in the CLI's JSON conventions. */
export function opensslFacts(certFile: string) {
  const text = openssl(['x509', '-in', certFile, '-noout', '-fingerprint', '-sha256', '-serial', '-startdate', '-enddate', '-ext', 'subjectAltName'], os.tmpdir());
  const value = (prefix: string) => text.split('\n').find((line) => line.startsWith(prefix))?.slice(prefix.length).trim() ?? '';
  const sanLine = text.split('\n').findIndex((line) => line.includes('Subject Alternative Name'));
  const sans = sanLine === -1 ? [] : (text.split('\n')[sanLine + 1] ?? '').split(',').map((s) => s.trim());
  return {
    fingerprintSha256: value('sha256 Fingerprint=').replaceAll(':', '').toLowerCase(),
    serialNumber: value('serial=').toLowerCase().replace(/^0+(?=.)/, ''),
    notBefore: new Date(value('notBefore=')).toISOString(),
    notAfter: new Date(value('notAfter=')).toISOString(),
    dnsNames: sans.filter((s) => s.startsWith('DNS:')).map((s) => s.slice(4)),
    ipAddresses: sans.filter((s) => s.startsWith('IP Address:')).map((s) => s.slice('IP Address:'.length)),
  };
}

/**
 * The setup of a file of CLI tests on a plain vault: fixtures made once (handed to `setFixtures`),
 * core logging off meanwhile, and a fresh data folder for each test (handed to `setHome`).
 */
export function useCliVault(homePrefix: string, setFixtures: (fx: CliFixtures) => void, setHome: (home: string) => void): void {
  let fx: CliFixtures;
  beforeAll(() => {
    fx = makeCliFixtures();
    setFixtures(fx);
    log.setSink(null);
  });
  afterAll(() => {
    fx.cleanup();
    log.setSink((line) => process.stderr.write(`${line}\n`));
  });
  beforeEach(() => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), homePrefix));
    setHome(home);
    return () => fs.rmSync(home, { recursive: true, force: true });
  });
}
