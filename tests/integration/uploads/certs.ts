// Certificates for the upload tests and benchmarks, made with openssl in a temp dir: one root, one
// intermediate, and as many server leaves under it as asked for (each with its key and chain).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestLeaf {
  readonly host: string;
  readonly cert: string;
  readonly key: string;
  /** Leaf then intermediate: what a server is configured with. */
  readonly fullchain: string;
}

export function makeLeaves(count: number, options: { rsa?: boolean; prefix?: string } = {}): TestLeaf[] {
  const dir = mkdtempSync(path.join(tmpdir(), 'certvault-uploads-'));
  const file = (name: string) => path.join(dir, name);
  const openssl = (...args: string[]) => execFileSync('openssl', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  try {
    writeFileSync(file('ca.ext'), 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n');
    openssl('req', '-x509', ...ec, '-nodes', '-keyout', file('root.key'), '-out', file('root.crt'), '-subj', '/CN=Upload Test Root', '-days', '3650');
    openssl('req', '-new', ...ec, '-nodes', '-keyout', file('int.key'), '-out', file('int.csr'), '-subj', '/CN=Upload Test Intermediate');
    openssl('x509', '-req', '-in', file('int.csr'), '-CA', file('root.crt'), '-CAkey', file('root.key'), '-CAcreateserial', '-out', file('int.crt'), '-days', '3650', '-extfile', file('ca.ext'));
    const intermediate = readFileSync(file('int.crt'), 'utf8');
    const leaves: TestLeaf[] = [];
    for (let i = 0; i < count; i++) {
      const host = `${options.prefix ?? 'host'}${i}.upload.test`;
      writeFileSync(file('leaf.ext'), `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:${host}\n`);
      openssl('req', '-new', ...(options.rsa ? ['-newkey', 'rsa:2048'] : ec), '-nodes', '-keyout', file('leaf.key'), '-out', file('leaf.csr'), '-subj', `/CN=${host}`);
      openssl('x509', '-req', '-in', file('leaf.csr'), '-CA', file('int.crt'), '-CAkey', file('int.key'), '-CAcreateserial', '-out', file('leaf.crt'), '-days', '365', '-extfile', file('leaf.ext'));
      const cert = readFileSync(file('leaf.crt'), 'utf8');
      leaves.push({ host, cert, key: readFileSync(file('leaf.key'), 'utf8'), fullchain: cert + intermediate });
    }
    return leaves;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
