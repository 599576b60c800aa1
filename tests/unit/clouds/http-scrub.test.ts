import { describe, expect, it } from 'vitest';
import { scrubCloudText } from '../../../main/clouds/scrub';

describe('scrubCloudText', () => {
  it('removes PEM blocks, including an unterminated one', () => {
    const text = 'bad cert: -----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE----- and -----BEGIN PRIVATE KEY-----\nMIIEabc';
    const clean = scrubCloudText(text);
    expect(clean).toBe('bad cert: [pem] and [pem]');
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
});
