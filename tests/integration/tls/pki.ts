// Certificates for the TLS probe tests, made with openssl: a root and an intermediate, and leaves
// for a few names under them (an OLD and a NEW for the same names, as a renewal), plus an
// expired self-signed one. EC keys: quick to make.

import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import forge from 'node-forge';

export interface TlsLeaf {
  readonly certPem: string;
  /** Leaf then intermediate: what the server sends. */
  readonly chainPem: string;
  readonly keyPem: string;
  /** Lower-case hex, no colons. */
  readonly sha256: string;
}

export interface TlsPki {
  readonly root: string;
  readonly intermediate: string;
  readonly old: TlsLeaf;
  readonly new: TlsLeaf;
  /** For other.site.test only: SNI must pick it, not OLD/NEW. */
  readonly other: TlsLeaf;
  readonly expiredSelfSigned: TlsLeaf;
}

export const SITE_NAMES = ['www.site.test', 'api.site.test'] as const;

export function makeTlsPki(): TlsPki {
  const dir = mkdtempSync(path.join(tmpdir(), 'certvault-tls-'));
  try {
    const file = (name: string) => path.join(dir, name);
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    writeFileSync(file('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    openssl('req', '-x509', ...ecKey, '-keyout', 'root.key', '-out', 'root.crt', '-subj', '/CN=TLS Test Root', '-days', '3650');
    const issue = (name: string, subject: string, issuer: string, ext: string, days: string) => {
      openssl('req', '-new', ...ecKey, '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
      openssl('x509', '-req', '-in', `${name}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', days, '-extfile', ext, '-out', `${name}.crt`);
    };
    issue('int', '/CN=TLS Test Intermediate', 'root', 'ca.ext', '1825');
    const leaf = (name: string, names: readonly string[]): TlsLeaf => {
      writeFileSync(file(`${name}.ext`), `basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=${names.map((n) => `DNS:${n}`).join(',')}\n`);
      issue(name, `/CN=${names[0]}`, 'int', `${name}.ext`, '90');
      return material(readFileSync(file(`${name}.crt`), 'utf8'), readFileSync(file('int.crt'), 'utf8'), readFileSync(file(`${name}.key`), 'utf8'));
    };
    const old = leaf('old', SITE_NAMES);
    const renewed = leaf('new', SITE_NAMES);
    const other = leaf('other', ['other.site.test']);
    const expired = expiredSelfSigned('expired.site.test');
    return { root: readFileSync(file('root.crt'), 'utf8'), intermediate: readFileSync(file('int.crt'), 'utf8'), old, new: renewed, other, expiredSelfSigned: expired };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A leaf under `depth` intermediates, sent whole: longer than any real chain, for the bound on
 * what is walked. Each intermediate is signed by the previous one, so the chain links.
 */
export function makeDeepChain(depth: number, name: string): TlsLeaf {
  const dir = mkdtempSync(path.join(tmpdir(), 'certvault-tls-deep-'));
  try {
    const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    writeFileSync(path.join(dir, 'ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    writeFileSync(path.join(dir, 'leaf.ext'), `basicConstraints=CA:FALSE\nsubjectAltName=DNS:${name}\n`);
    openssl('req', '-x509', ...ecKey, '-keyout', 'ca0.key', '-out', 'ca0.crt', '-subj', '/CN=Deep 0', '-days', '30');
    const sign = (subject: string, out: string, issuer: string, ext: string) => {
      openssl('req', '-new', ...ecKey, '-keyout', `${out}.key`, '-out', `${out}.csr`, '-subj', subject);
      openssl('x509', '-req', '-in', `${out}.csr`, '-CA', `${issuer}.crt`, '-CAkey', `${issuer}.key`, '-CAcreateserial', '-days', '30', '-extfile', ext, '-out', `${out}.crt`);
    };
    for (let i = 1; i <= depth; i += 1) sign(`/CN=Deep ${i}`, `ca${i}`, `ca${i - 1}`, 'ca.ext');
    sign(`/CN=${name}`, 'leaf', `ca${depth}`, 'leaf.ext');
    const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
    const issuers = Array.from({ length: depth }, (_, i) => read(`ca${depth - i}.crt`)).join('');
    return material(read('leaf.crt'), issuers, read('leaf.key'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** OpenSSL 3.0's command line cannot backdate a certificate; forge can. */
function expiredSelfSigned(name: string): TlsLeaf {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date('2020-01-01T00:00:00Z');
  cert.validity.notAfter = new Date('2020-02-01T00:00:00Z');
  const subject = [{ name: 'commonName', value: name }];
  cert.setSubject(subject);
  cert.setIssuer(subject);
  cert.setExtensions([{ name: 'subjectAltName', altNames: [{ type: 2, value: name }] }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  return material(forge.pki.certificateToPem(cert), '', forge.pki.privateKeyToPem(keys.privateKey));
}

function material(certPem: string, chainRest: string, keyPem: string): TlsLeaf {
  const sha256 = new X509Certificate(certPem).fingerprint256.replace(/:/g, '').toLowerCase();
  return { certPem, chainPem: certPem + chainRest, keyPem, sha256 };
}
