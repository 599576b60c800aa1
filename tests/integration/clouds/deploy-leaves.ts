// Self-signed leaves for the deploy tests, made with openssl in a temp dir: an OLD and a NEW that
// cover the same names (so one can replace the other on every domain), an EC NEW, and a NARROW one
// that covers a single name (a domain NEW does not cover).

import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Leaf } from './pki';

export interface DeployLeaves {
  readonly old: Leaf;
  readonly new: Leaf;
  readonly newEc: Leaf;
  readonly narrow: Leaf;
}

export function makeDeployLeaves(zone: string): DeployLeaves {
  const dir = mkdtempSync(path.join(tmpdir(), 'certvault-deploy-'));
  try {
    const leaf = (name: string, keyArgs: readonly string[], names: readonly string[]): Leaf => {
      const key = path.join(dir, `${name}.key`);
      const crt = path.join(dir, `${name}.crt`);
      execFileSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', crt, '-days', '30', '-subj', `/CN=${names[0]}`,
        '-addext', `subjectAltName=${names.map((n) => `DNS:${n}`).join(',')}`], { stdio: ['ignore', 'pipe', 'pipe'] });
      const cert = readFileSync(crt, 'utf8');
      return { cert, key: readFileSync(key, 'utf8'), fullchain: cert };
    };
    const all = [`*.${zone}`, zone];
    const rsa = ['-newkey', 'rsa:2048'];
    return {
      old: leaf('old', rsa, all),
      new: leaf('new', rsa, all),
      newEc: leaf('new-ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], all),
      narrow: leaf('narrow', rsa, [`a.${zone}`]),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
