import { describe, expect, it } from 'vitest';
import { CloudError } from '../../../main/clouds/provider';
import { isEncryptedKey } from '../../../main/clouds/material';
import { issue, refuseIfIssues, rejectSm2, requirePrivateKey } from '../../../main/clouds/preflight';
import { leafInfo, material, pem } from './http-fake';

const SERVICE = { en: 'Example Cloud', 'zh-CN': '示例云' };

describe('shared pre-flight checks', () => {
  it('asks for the private key in both languages, naming the service', () => {
    expect(requirePrivateKey(material(), SERVICE)).toEqual([]);
    expect(requirePrivateKey(material({ privateKeyPem: null }), SERVICE)).toEqual([
      {
        field: 'privateKey',
        message: { en: 'Example Cloud needs the private key of the certificate; none was given.', 'zh-CN': '示例云需要证书私钥，但未提供私钥。' },
      },
    ]);
  });

  it('refuses an SM2 leaf or an SM2 dual pair for RSA/ECC-only APIs', () => {
    expect(rejectSm2(material(), SERVICE)).toEqual([]);
    expect(rejectSm2(material({ leaf: leafInfo({ keyAlgorithm: 'SM2' }) }), SERVICE).map((found) => found.field)).toEqual(['algorithm']);
    const dual = material({ sm2Sign: { certificatePem: pem('CERTIFICATE', 'MIIBsign'), privateKeyPem: null } });
    expect(rejectSm2(dual, SERVICE)[0]!.message['zh-CN']).toBe('示例云 接口不接受国密（SM2）证书。');
  });

  it('recognises both encrypted PEM forms and nothing else', () => {
    expect(isEncryptedKey(pem('ENCRYPTED PRIVATE KEY', 'MIIEenc'))).toBe(true);
    expect(isEncryptedKey('-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nabc\n-----END RSA PRIVATE KEY-----\n')).toBe(true);
    expect(isEncryptedKey(pem('PRIVATE KEY', 'MIIEkey'))).toBe(false);
  });

  it('refuses an upload with issues before anything is sent, quoting them', () => {
    expect(() => refuseIfIssues('aliyun', [])).not.toThrow();
    let thrown: unknown;
    try {
      refuseIfIssues('aliyun', [issue('name', 'Too long.', '太长。'), issue('privateKey', 'No key.', '没有私钥。')]);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(CloudError);
    expect((thrown as CloudError).info).toMatchObject({
      cloud: 'aliyun',
      code: 'preflight',
      kind: 'invalid',
      retryable: false,
      mayHaveReachedServer: false,
      message: 'name: Too long.; privateKey: No key.',
      hint: { en: 'Too long. No key.', 'zh-CN': '太长。 没有私钥。' },
    });
  });
});
