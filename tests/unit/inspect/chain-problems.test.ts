import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { translate } from '../../../shared/i18n';
import { problemCodes, type Inspection } from '../../../shared/model';
import { inspectContent, inspectPaths } from '../../../main/core/inspect';
import { NOW, generated, opensslFacts, variants } from './helpers';

const rsa = (name: string) => join(generated, 'rsa2048', name);
const pem = (path: string) => readFileSync(path, 'utf8');
const codes = (result: Inspection) => result.problems.map((p) => p.code);

/** The certificate with the last byte of its signature flipped. */
function tampered(path: string): string {
  const der = Buffer.from(pem(path).replace(/-----[^-]+-----/g, '').replace(/\s/g, ''), 'base64');
  der[der.length - 1]! ^= 0x01;
  return `-----BEGIN CERTIFICATE-----\n${der.toString('base64')}\n-----END CERTIFICATE-----\n`;
}

describe('chain', () => {
  it('names the missing issuer of an incomplete chain', async () => {
    const result = await inspectPaths([join(variants, 'incomplete.pem')], { now: NOW });
    expect(result.chain).toMatchObject({ complete: false, verified: true, missingIssuer: 'C=US, O=Cert Vault Test, CN=Test Root CA rsa2048' });
    expect(result.problems).toEqual([
      {
        code: 'chain.incomplete',
        severity: 'warning',
        message: 'Chain incomplete: issuer "C=US, O=Cert Vault Test, CN=Test Root CA rsa2048" of "Test Intermediate CA rsa2048" not found.',
        params: { subject: 'Test Intermediate CA rsa2048', issuer: 'C=US, O=Cert Vault Test, CN=Test Root CA rsa2048' },
      },
    ]);
  });

  it('finds a bad signature on an intermediate', async () => {
    const result = await inspectContent([], pem(rsa('leaf.crt')) + tampered(rsa('int.crt')) + pem(rsa('root.crt')), { now: NOW });
    expect(result.chain.order).toHaveLength(3);
    expect(result.chain.verified).toBe(false);
    expect(result.chain.links.map((l) => l.signatureValid)).toEqual([true, false, true]);
    expect(result.problems).toMatchObject([
      { code: 'chain.bad_signature', severity: 'error', params: { subject: 'Test Intermediate CA rsa2048', issuer: 'Test Root CA rsa2048' } },
    ]);
  });

  it('does not call a root with a broken self-signature self-signed (RFC 5280)', async () => {
    const result = await inspectContent([], tampered(rsa('root.crt')), { now: NOW });
    expect(result.certificates[0]!.selfSigned).toBe(false);
    expect(result.chain.verified).toBe(false);
    expect(codes(result)).toContain('chain.bad_signature');
  });

  it('reports a certificate outside the chain', async () => {
    const result = await inspectPaths([rsa('fullchain.pem'), join(generated, 'p256', 'leaf.crt')], { now: NOW });
    expect(result.chain.order[0]).toBe(opensslFacts(rsa('leaf.crt')).fingerprintSha256);
    expect(result.certificates).toHaveLength(4);
    expect(result.problems).toMatchObject([{ code: 'chain.unrelated_certificate', params: { subject: 'p256.example.test', leaf: 'rsa2048.example.test' } }]);
  });

  it('prefers as leaf the certificate the private key matches', async () => {
    const result = await inspectPaths([join(generated, 'p256', 'leaf.crt'), rsa('leaf.crt'), rsa('leaf.key')], { now: NOW });
    expect(result.chain.order[0]).toBe(opensslFacts(rsa('leaf.crt')).fingerprintSha256);
  });

  it('treats a lone root as a complete, verified chain of one', async () => {
    const result = await inspectPaths([rsa('root.crt')], { now: NOW });
    expect(result.chain).toMatchObject({ complete: true, verified: true, missingIssuer: null });
    expect(result.problems).toEqual([]);
  });

  it('deduplicates a certificate given twice', async () => {
    const result = await inspectPaths([rsa('fullchain.pem'), rsa('leaf.crt'), join(variants, 'chain.p7b')], { now: NOW });
    expect(result.certificates).toHaveLength(3);
  });
});

describe('problems', () => {
  it('reports an expired leaf with its age in days', async () => {
    const result = await inspectPaths([join(variants, 'expired.crt')], { now: NOW });
    const expired = result.problems.find((p) => p.code === 'cert.expired');
    // notAfter 2021-01-01, now 2026-06-01: 1977 days.
    expect(expired).toEqual({
      code: 'cert.expired',
      severity: 'error',
      message: '"expired.example.test" expired 1977 days ago (2021-01-01).',
      params: { subject: 'expired.example.test', date: '2021-01-01', days: 1977 },
    });
  });

  it('reports a certificate not yet valid', async () => {
    const result = await inspectPaths([join(variants, 'notyet.crt')], { now: NOW });
    expect(result.problems.find((p) => p.code === 'cert.not_yet_valid')?.params).toEqual({ subject: 'notyet.example.test', date: '2099-01-01', days: 26512 });
  });

  it('warns 30 days before expiry and not 31', async () => {
    const at = (iso: string) => inspectPaths([rsa('fullchain.pem')], { now: new Date(iso) });
    expect(codes(await at('2034-12-01T23:59:59Z'))).toEqual([]);
    const soon = await at('2034-12-02T00:00:00Z');
    expect(soon.problems).toMatchObject([{ code: 'cert.expiring_soon', severity: 'warning', params: { subject: 'rsa2048.example.test', days: 30 } }]);
  });

  it('reports a private key that matches no certificate', async () => {
    const result = await inspectPaths([join(variants, 'mismatched.pem')], { now: NOW });
    expect(result.privateKeys[0]!.matchesFingerprintSha256).toBeNull();
    expect(result.problems.find((p) => p.code === 'key.mismatch')).toMatchObject({ severity: 'error', params: { source: join(variants, 'mismatched.pem') } });
  });

  it('has a message in both languages for every problem code', () => {
    for (const code of problemCodes) {
      const params = { subject: 'S', issuer: 'I', leaf: 'L', days: 3, date: 'D', source: 'F', description: 'X' };
      for (const locale of ['en', 'zh-CN'] as const) expect(translate(locale, `problem.${code}`, params)).not.toMatch(/\{\w+\}/);
    }
  });
});
