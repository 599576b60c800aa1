// Unusable input: a VaultError that names the file and says what is wrong, never a crash.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { limits } from '../../../shared/ipc';
import { inspectContent, inspectPaths } from '../../../main/core/inspect';
import { NOW, PASSWORD, generated, variants, vaultError } from './helpers';

const text = (value: string) => inspectContent([], value, { now: NOW });
const leafPem = readFileSync(join(generated, 'rsa2048', 'leaf.crt'), 'utf8');
const scratch = mkdtempSync(join(tmpdir(), 'certvault-inspect-'));

describe('bad input', () => {
  it('points at the line whose base64 is corrupt', async () => {
    const lines = leafPem.split('\n');
    lines[4] = lines[4]!.replace(/^./, '!');
    const error = await vaultError(() => text(`note\n${lines.join('\n')}`));
    expect(error.code).toBe('pem.corrupt_base64');
    expect(error.params).toEqual({ file: 'pasted text', line: 6, label: 'CERTIFICATE' });
    expect(error.message).toBe('pasted text, line 6: the base64 inside the CERTIFICATE block is corrupt.');
  });

  it('names an unterminated block and an unsupported one', async () => {
    expect((await vaultError(() => text(leafPem.replace('-----END CERTIFICATE-----', '')))).toInfo()).toMatchObject({
      code: 'pem.unterminated_block',
      params: { file: 'pasted text', line: 1, label: 'CERTIFICATE' },
    });
    expect((await vaultError(() => text(`${leafPem}-----BEGIN DH PARAMETERS-----\nMAA=\n-----END DH PARAMETERS-----\n`))).params).toEqual({
      file: 'pasted text',
      line: 30,
      label: 'DH PARAMETERS',
    });
  });

  it('says when a certificate inside valid base64 cannot be parsed', async () => {
    const error = await vaultError(() => text(`-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----\n`));
    expect(error.code).toBe('cert.malformed');
    expect(error.params).toMatchObject({ file: 'pasted text', index: 1 });
  });

  it('calls 5 MB of noise what it is, and refuses more than the limit before reading it', async () => {
    const noise = new Uint8Array(5 * 1024 * 1024).fill(0x41);
    const error = await vaultError(() => inspectContent([{ name: 'noise.bin', data: noise }], undefined, { now: NOW }));
    expect(error.toInfo()).toMatchObject({ code: 'input.not_certificate', params: { file: 'noise.bin', size: '5.0 MB' } });
    const big = join(scratch, 'big.pem');
    writeFileSync(big, new Uint8Array(limits.maxInputBytes + 1));
    expect((await vaultError(() => inspectPaths([big], { now: NOW }))).toInfo()).toMatchObject({
      code: 'input.too_large',
      params: { file: big, size: '5.1 MB', limit: '5.0 MB' },
    });
  });

  it('reports truncated DER with the offset', async () => {
    const der = readFileSync(join(variants, 'leaf.der'));
    const error = await vaultError(() => inspectContent([{ name: 'cut.der', data: der.subarray(0, 300) }], undefined, { now: NOW }));
    expect(error.code).toBe('der.malformed');
    expect(error.params.file).toBe('cut.der');
  });

  it('asks for a password, and says when it is wrong, naming the file', async () => {
    const key = join(variants, 'pkcs8-encrypted.key');
    expect((await vaultError(() => inspectPaths([key], { now: NOW }))).toInfo()).toMatchObject({ code: 'key.password_required', params: { file: key } });
    expect((await vaultError(() => inspectPaths([key], { now: NOW, password: 'nope' }))).toInfo()).toMatchObject({
      code: 'key.wrong_password',
      message: `Wrong password for ${key}.`,
    });
    for (const name of ['legacy-aes256.key', 'legacy-des3.key', 'ec-legacy-aes256.key', 'pkcs8-pbe-3des.key']) {
      expect((await vaultError(() => inspectPaths([join(variants, name)], { now: NOW, password: 'nope' }))).code).toBe('key.wrong_password');
    }
    const p12 = join(variants, 'modern.p12');
    expect((await vaultError(() => inspectPaths([p12], { now: NOW }))).code).toBe('pkcs12.password_required');
    expect((await vaultError(() => inspectPaths([p12], { now: NOW, password: 'nope' }))).code).toBe('pkcs12.wrong_password');
    expect((await vaultError(() => inspectPaths([join(variants, 'legacy.p12')], { now: NOW, password: 'nope' }))).code).toBe('pkcs12.wrong_password');
  });

  it('opens a password-less PKCS#12 even when a password was given (one password for a whole folder)', async () => {
    const result = await inspectPaths([join(variants, 'nopass.p12')], { now: NOW, password: PASSWORD });
    expect(result.certificates).toHaveLength(1);
    expect(result.privateKeys).toHaveLength(1);
  });

  it('fails the whole call on one unusable file, naming it', async () => {
    const junk = join(variants, 'junk.txt');
    const error = await vaultError(() => inspectPaths([join(generated, 'rsa2048', 'fullchain.pem'), junk], { now: NOW, password: PASSWORD }));
    expect(error.toInfo()).toMatchObject({ code: 'input.not_certificate', params: { file: junk, size: '25 bytes' } });
  });

  it('names folders, missing files and empty input', async () => {
    expect((await vaultError(() => inspectPaths([variants], { now: NOW }))).toInfo()).toMatchObject({
      code: 'input.unreadable_file',
      params: { file: variants, reason: 'it is a folder, not a file' },
    });
    expect((await vaultError(() => inspectPaths([join(scratch, 'missing.pem')], { now: NOW }))).params.reason).toBe('no such file');
    expect((await vaultError(() => inspectContent([], '  \n', { now: NOW }))).code).toBe('input.empty');
    expect((await vaultError(() => inspectContent([{ name: 'empty.pem', data: new Uint8Array() }], undefined, { now: NOW }))).params).toEqual({ file: 'empty.pem' });
  });
});
