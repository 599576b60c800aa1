import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { materialFromFiles } from '../../../main/core/uploads/material';
import { makeLeaves, type TestLeaf } from '../../integration/uploads/certs';
import { sm2FixturesDir } from '../../fixtures/paths';

const SM2 = sm2FixturesDir;
let dir: string;
let leaves: TestLeaf[];

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-material-'));
  leaves = makeLeaves(2, { prefix: 'material' });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

describe('upload material from files (certvault upload --cert)', () => {
  it('takes a full chain and a separate key: leaf, intermediates, PKCS#8 key', async () => {
    const material = await materialFromFiles({ certificate: write('fullchain.pem', leaves[0]!.fullchain), key: write('privkey.pem', leaves[0]!.key) });
    expect(material.leaf.commonName).toBe(leaves[0]!.host);
    expect(material.certificatePem).toBe(leaves[0]!.cert.replace(/\r\n/g, '\n'));
    expect(material.chainPem.match(/BEGIN CERTIFICATE/g)).toHaveLength(1);
    expect(material.chainPem).not.toContain(material.certificatePem.split('\n')[1]);
    expect(material.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(material.sm2Sign).toBeNull();
  });

  it('takes a certificate without a key (CA certificates, Huawei trusted roots)', async () => {
    const material = await materialFromFiles({ certificate: write('only.pem', leaves[0]!.cert) });
    expect(material.privateKeyPem).toBeNull();
    expect(material.chainPem).toBe('');
  });

  it("refuses a key that is not the certificate's, naming the key file", async () => {
    const key = write('other.key', leaves[1]!.key);
    await expect(materialFromFiles({ certificate: write('cert.pem', leaves[0]!.fullchain), key })).rejects.toMatchObject({
      code: 'upload.bad_material',
      params: { file: key },
    });
  });

  it('refuses a certificate file holding two unrelated leaves', async () => {
    await expect(materialFromFiles({ certificate: write('two.pem', leaves[0]!.cert + leaves[1]!.cert) })).rejects.toMatchObject({
      code: 'upload.bad_material',
      params: { reason: expect.stringMatching(/2 unrelated certificates/) },
    });
  });

  it('reports an unreadable file as such', async () => {
    await expect(materialFromFiles({ certificate: path.join(dir, 'missing.pem') })).rejects.toMatchObject({ code: 'input.unreadable_file' });
  });

  it('sends an SM2 dual certificate as the encryption pair with the signing pair beside it', async () => {
    const read = (name: string) => fs.readFileSync(path.join(SM2, name), 'utf8');
    const bundle = write('sm2.pem', read('server_sign.crt') + read('server_enc.crt') + read('chain-ca.crt') + read('server_sign.key') + read('server_enc.key'));
    const material = await materialFromFiles({ certificate: bundle });
    expect(material.leaf.keyAlgorithm).toBe('SM2');
    expect(material.sm2Sign).not.toBeNull();
    expect(material.sm2Sign!.privateKeyPem).toMatch(/PRIVATE KEY/);
    expect(material.privateKeyPem).toMatch(/PRIVATE KEY/);
    expect(material.certificatePem).not.toBe(material.sm2Sign!.certificatePem);
    expect(material.leaf.pem).toBe(material.sm2Sign!.certificatePem);
  });
});
