import { execFileSync, spawnSync } from 'node:child_process';
import { X509Certificate, createPrivateKey, createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import forge from 'node-forge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeCa, makeLeaf, type Issued } from './helpers/pki';
import { openTestVault, text, type TestVault } from './helpers/vault';

let t: TestVault;
let ca: Issued;
let leaf: Issued;
let id: string;
let certOnly: string;
const now = new Date('2030-01-01T00:00:00Z');

beforeAll(async () => {
  ca = await makeCa('Export Test CA');
  leaf = await makeLeaf(ca, { commonName: 'export.example.com', dnsNames: ['export.example.com', 'alt.example.com'] });
  t = openTestVault(() => now);
  id = (await t.vault.importContent([text('bundle.pem', leaf.certPem, ca.certPem, leaf.keyPem)])).imported[0]!.id;
  const other = await makeLeaf(ca, { commonName: 'nokey.example.com' });
  certOnly = (await t.vault.importContent([text('nokey.pem', other.certPem)])).imported[0]!.id;
});
afterAll(() => t.cleanup());

const publicOf = (pem: string) => createPublicKey(createPrivateKey(pem)).export({ type: 'spki', format: 'der' });
const file = (name: string) => path.join(t.dir, name);

describe('export', () => {
  it('pem, der, chain, fullchain hold exactly the certificates', async () => {
    expect((await t.vault.export(id, 'pem')).bytes.toString()).toBe(leaf.certPem);
    const der = (await t.vault.export(id, 'der')).bytes;
    expect(new X509Certificate(der).raw.equals(Buffer.from(leaf.cert.rawData))).toBe(true);
    expect((await t.vault.export(id, 'chain')).bytes.toString()).toBe(ca.certPem);
    expect((await t.vault.export(id, 'fullchain')).bytes.toString()).toBe(leaf.certPem + ca.certPem);
    expect((await t.vault.export(id, 'pem')).secret).toBe(false);
  });

  it('key and bundle carry the private key matching the certificate', async () => {
    const key = await t.vault.export(id, 'key');
    expect(key.secret).toBe(true);
    expect(publicOf(key.bytes.toString()).equals(new X509Certificate(leaf.certPem).publicKey.export({ type: 'spki', format: 'der' }))).toBe(true);
    expect((await t.vault.export(id, 'bundle')).bytes.toString()).toBe(leaf.certPem + ca.certPem + leaf.keyPem);
  });

  it('says clearly when there is no key or no chain', async () => {
    await expect(t.vault.export(certOnly, 'key')).rejects.toMatchObject({ code: 'export.no_key' });
    await expect(t.vault.export(certOnly, 'pfx', { password: 'x' })).rejects.toMatchObject({ code: 'export.no_key' });
    await expect(t.vault.export(id, 'pfx')).rejects.toMatchObject({ code: 'export.password_required' });
  });

  for (const legacy of [false, true]) {
    it(`PKCS#12 ${legacy ? 'legacy 3DES' : 'modern AES-256'} opens in OpenSSL with the key, leaf and chain`, async () => {
      const out = file(`out-${legacy}.pfx`);
      await t.vault.exportToFile(id, 'pfx', out, { password: 'pä55 wörd', legacy });
      expect(fs.statSync(out).mode & 0o777).toBe(0o600);
      // -info writes the algorithms to stderr and the PEM to stdout.
      const run = spawnSync('openssl', ['pkcs12', '-in', out, '-info', '-nodes', '-passin', 'pass:pä55 wörd'], { encoding: 'utf8' });
      expect(run.status).toBe(0);
      const dump = run.stderr + run.stdout;
      expect(dump).toMatch(legacy ? /pbeWithSHA1And3-KeyTripleDES-CBC/ : /PBES2, PBKDF2, AES-256-CBC/);
      expect(dump.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
      const keyPem = dump.slice(dump.indexOf('-----BEGIN PRIVATE KEY-----'), dump.indexOf('-----END PRIVATE KEY-----') + 25);
      expect(publicOf(keyPem).equals(publicOf(leaf.keyPem))).toBe(true);
      expect(() => execFileSync('openssl', ['pkcs12', '-in', out, '-noout', '-passin', 'pass:wrong'], { stdio: 'pipe' })).toThrow();
    });
  }

  it('PKCS#12 opens in node-forge too (the reader the inspector uses)', async () => {
    const bytes = (await t.vault.export(id, 'pfx', { password: 'secret', legacy: true })).bytes;
    const p12 = forge.pkcs12.pkcs12FromAsn1(forge.asn1.fromDer(bytes.toString('binary')), 'secret');
    expect(p12.getBags({ bagType: forge.pki.oids.pkcs8ShroudedKeyBag as string })[forge.pki.oids.pkcs8ShroudedKeyBag as string]).toHaveLength(1);
  });

  it('ics: a calendar event at expiry with reminders before it', async () => {
    const ics = (await t.vault.export(id, 'ics', { reminderDays: 21 })).bytes.toString();
    const notAfter = (await t.vault.entry(id)).notAfter.replace(/[-:]/g, '').replace(/\.\d{3}/, '');
    expect(ics).toMatch(/^BEGIN:VCALENDAR\r\nVERSION:2.0\r\n/);
    expect(ics).toContain(`DTSTART:${notAfter}\r\n`);
    expect(ics).toContain('TRIGGER:-P21D\r\n');
    expect(ics).toContain('TRIGGER:-P1D\r\n');
    expect(ics).toContain('SUMMARY:Certificate expires: export.example.com\r\n');
    expect(ics).toContain('DTSTAMP:20300101T000000Z\r\n');
    expect(ics.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    expect(ics.endsWith('END:VCALENDAR\r\n')).toBe(true);
  });

  it('writes files atomically and says which file could not be written', async () => {
    await expect(t.vault.exportToFile(id, 'pem', path.join(t.dir, 'missing-folder', 'x.pem'))).rejects.toMatchObject({
      code: 'export.write_failed',
    });
    expect(fs.readdirSync(t.dir).filter((n) => n.endsWith('.tmp'))).toEqual([]);
  });
});
