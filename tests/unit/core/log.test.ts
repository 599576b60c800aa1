import { afterEach, describe, expect, it } from 'vitest';
import { log, scrub } from '../../../main/core/log';

const KEY_PEM = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n-----END PRIVATE KEY-----\n';

afterEach(() => log.setSink(null));

describe('scrub', () => {
  it('cuts PEM blocks, also URL-encoded or cut off, and signature fields out of text', () => {
    const text = `got ${KEY_PEM} and ${encodeURIComponent(KEY_PEM)} then -----BEGIN CERTIFICATE-----\nMIIB`;
    const clean = scrub(text) as string;
    expect(clean).not.toContain('MII');
    expect(clean).toBe('got [pem]\n and [pem]%0A then [pem]');
    expect(scrub('TC3-HMAC-SHA256 Credential=AKID/2024/ssl, SignedHeaders=host, Signature=9f2c')).toBe(
      'TC3-HMAC-SHA256 Credential=[redacted], SignedHeaders=host, Signature=[redacted]',
    );
  });

  it('redacts secret-named fields at any depth it keeps', () => {
    expect(
      scrub({ accountId: 'a1', accessKeyId: 'AKID', dataKey: 'k', nested: { headers: { Authorization: 'x', 'X-Auth-Token': 't' } }, keyAlgorithm: 'RSA' }),
    ).toEqual({ accountId: 'a1', accessKeyId: '[redacted]', dataKey: '[redacted]', nested: { headers: { Authorization: '[redacted]', 'X-Auth-Token': '[redacted]' } }, keyAlgorithm: 'RSA' });
  });

  it('logs the size of bytes, never the bytes', () => {
    const der = Buffer.from('3082025c02010002818100c3', 'hex');
    expect(scrub({ data: der, view: new Uint8Array(der), raw: der.buffer.slice(0, 4) })).toEqual({ data: '[12 bytes]', view: '[12 bytes]', raw: '[4 bytes]' });
  });

  it('never writes what lies below its depth limit', () => {
    const deep = { a: { b: { c: { d: { e: { f: { secretKey: 'sk-live', pem: KEY_PEM } } } } } } };
    const text = JSON.stringify(scrub(deep));
    expect(text).not.toContain('sk-live');
    expect(text).not.toContain('MII');
    expect(text).toContain('[nested]');
  });

  it('keeps an error’s message, code and cause, scrubbed, and drops its stack', () => {
    const cause = Object.assign(new Error(`bad key ${KEY_PEM}`), { code: 'ERR_OSSL_BAD_DECRYPT' });
    const error = new Error('import failed', { cause });
    const scrubbed = scrub(error);
    expect(scrubbed).toEqual({ name: 'Error', message: 'import failed', cause: { name: 'Error', message: 'bad key [pem]\n', code: 'ERR_OSSL_BAD_DECRYPT' } });
    expect(JSON.stringify(scrubbed)).not.toMatch(/MII|\.ts:\d+/);
  });

  it('survives a cycle', () => {
    const loop: Record<string, unknown> = { name: 'loop' };
    loop.self = loop;
    expect(() => JSON.stringify(scrub(loop))).not.toThrow();
  });
});

describe('log', () => {
  it('writes one scrubbed JSON line per event', () => {
    const lines: string[] = [];
    log.setSink((line) => lines.push(line));
    log.error('upload_failed', { accountId: 'a1', error: new Error(`echo ${KEY_PEM}`), body: { privateKey: KEY_PEM } });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', event: 'upload_failed', accountId: 'a1', body: { privateKey: '[redacted]' } });
    expect(lines[0]).not.toContain('MII');
  });
});
