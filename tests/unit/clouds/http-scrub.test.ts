import { describe, expect, it } from 'vitest';
import { toCloudError, entry } from '../../../main/clouds/cloud-error';
import { scrubCloudText } from '../../../main/clouds/scrub';

describe('scrubCloudText', () => {
  it('removes PEM blocks, including an unterminated one', () => {
    const text = 'bad cert: -----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE----- and -----BEGIN PRIVATE KEY-----\nMIIEabc';
    const clean = scrubCloudText(text);
    expect(clean).toBe('bad cert: [pem] and [pem]');
  });

  it('removes a percent- or form-encoded PEM block, as a quoted string-to-sign holds it', () => {
    const key = '-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkq+hkiG9w0BAQEF/AASCBKcwggSj\n-----END PRIVATE KEY-----\n';
    const text = `string to sign: POST&%2F&Cert%3D${encodeURIComponent(encodeURIComponent(key))}&Key=${new URLSearchParams({ k: key }).toString()}`;
    const clean = scrubCloudText(text);
    expect(clean).not.toMatch(/MIIE|hkiG9w0|AASCBKcw/);
    expect(clean).toContain('string to sign: POST&%2F&Cert%3D[pem]');
  });

  it('removes echoed keys, tokens and signature fields', () => {
    const text =
      'Specified signature is not matched with our calculation. server string to sign is:ACS3-HMAC-SHA256\n' +
      '4898b50da3c50863a6b95487edd866931729e65fdc1f3b4c9351e01ae809978c Credential=LTAIEXAMPLEACCESSKEY,Signature=abc123 secret=ExampleAccessKeySecret0000000000';
    const clean = scrubCloudText(text, ['LTAIEXAMPLEACCESSKEY', 'ExampleAccessKeySecret0000000000', undefined]);
    expect(clean).not.toContain('LTAIEXAMPLEACCESSKEY');
    expect(clean).not.toContain('ExampleAccessKeySecret');
    expect(clean).not.toContain('4898b50d');
    expect(clean).not.toContain('abc123');
    expect(clean).toContain('Specified signature is not matched');
  });

  it('removes long base64 runs (a PEM body without armour) but keeps ordinary text and request ids', () => {
    const body = 'MIIDdzCCAl+gAwIBAgIEAgAAuTANBgkqhkiG9w0BAQUFADBaMQswCQYDVQQGEwJJRTESMBAGA1UE';
    const clean = scrubCloudText(`certificate ${body} is invalid (request ed93f3cb-6a2f-4b33-9e2d-0a1b2c3d4e5f)`);
    expect(clean).toBe('certificate [data] is invalid (request ed93f3cb-6a2f-4b33-9e2d-0a1b2c3d4e5f)');
  });

  it('keeps Chinese messages intact and caps the length', () => {
    expect(scrubCloudText('证书格式异常，请检查输入内容')).toBe('证书格式异常，请检查输入内容');
    expect(scrubCloudText('x '.repeat(1000)).length).toBeLessThanOrEqual(501);
  });

  it('scrubs and caps the code of an error answer as well as its message', () => {
    const classify = () => entry('invalid', false, 'hint', '提示');
    const echoed = `Bad.${'A'.repeat(60)}-----BEGIN PRIVATE KEY-----\nMIIEsecret`;
    const error = toCloudError('tencent', { code: echoed, message: 'key ExampleAccessKeySecret0000 rejected', requestId: null, httpStatus: 400 }, classify, ['ExampleAccessKeySecret0000']);
    expect(error.info.code).toBe('Bad.[data][pem]');
    expect(error.info.message).toBe('key [redacted] rejected');
    const long = toCloudError('tencent', { code: 'X.'.repeat(200), message: '', requestId: null, httpStatus: 400 }, classify, []);
    expect(long.info.code.length).toBeLessThanOrEqual(128);
  });
});
