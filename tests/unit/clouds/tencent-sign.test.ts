import { describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { signTc3, tc3Date, type Tc3Request } from '../../../main/clouds/tencent/sign';

// REFERENCE.md §2.2 and §2.4: the documented worked examples and the captured SDK output.

const DOC_BODY = '{"Limit": 1, "Filters": [{"Values": ["\\u672a\\u547d\\u540d"], "Name": "instance-name"}]}';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEtest\n-----END PRIVATE KEY-----\n';
const SDK_BODY = JSON.stringify({ CertificatePublicKey: CERT, CertificatePrivateKey: KEY, CertificateType: 'SVR', Alias: 'test-alias', Repeatable: false });

const docRequest: Tc3Request = {
  method: 'POST',
  host: 'cvm.tencentcloudapi.com',
  path: '/',
  query: '',
  contentType: 'application/json; charset=utf-8',
  payload: DOC_BODY,
  timestamp: 1551113065,
  service: 'cvm',
  secretId: `AKID${'*'.repeat(32)}`,
  secretKey: '*'.repeat(32),
};

const sdkRequest: Tc3Request = {
  method: 'POST',
  host: 'ssl.tencentcloudapi.com',
  path: '/',
  query: '',
  contentType: 'application/json',
  payload: SDK_BODY,
  timestamp: 1700000000,
  service: 'ssl',
  secretId: 'AKIDEXAMPLE0000000000000000000000000',
  secretKey: 'SECRETKEYEXAMPLE00000000000000000',
};

describe('TC3-HMAC-SHA256 worked examples', () => {
  it('reproduces vector A (Chinese doc, signs x-tc-action with a lowercased value)', () => {
    const signed = signTc3({ ...docRequest, extraSignedHeaders: { 'X-TC-Action': 'DescribeInstances' } });
    expect(createHash('sha256').update(DOC_BODY).digest('hex')).toBe('35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064');
    expect(signed.canonicalRequest).toBe(
      'POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\nx-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064',
    );
    expect(signed.stringToSign.split('\n')[3]).toBe('7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84');
    expect(signed.signature).toBe('10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f');
    expect(signed.authorization).toBe(
      `TC3-HMAC-SHA256 Credential=AKID${'*'.repeat(32)}/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f`,
    );
  });

  it('derives the documented intermediate keys of vector A', () => {
    const secretDate = createHmac('sha256', `TC3${'*'.repeat(32)}`).update('2019-02-25').digest();
    expect(secretDate.toString('hex')).toBe('da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0');
    const secretService = createHmac('sha256', secretDate).update('cvm').digest();
    expect(secretService.toString('hex')).toBe('8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f');
    expect(createHmac('sha256', secretService).update('tc3_request').digest('hex')).toBe('b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af');
  });

  it('reproduces vector B (English doc, content-type;host)', () => {
    const signed = signTc3({ ...docRequest, secretId: 'AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE', secretKey: 'Gu5t9xGARNpq86cd98joQYCN3EXAMPLE' });
    expect(signed.stringToSign.split('\n')[3]).toBe('5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031');
    expect(signed.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, SignedHeaders=content-type;host, Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168',
    );
  });

  it('reproduces the captured SDK UploadCertificate request (China and International hosts)', () => {
    const china = signTc3(sdkRequest);
    expect(createHash('sha256').update(SDK_BODY).digest('hex')).toBe('53ea948f407f4082563d3d83c776f34225886eba7e36dd2d5f3a3d90ceedb26f');
    expect(china.stringToSign.split('\n')[3]).toBe('02a68a3842ac59d8747c120b8fb39655a9c8e084c9836e2de4848c9df7927372');
    expect(china.authorization).toBe(
      'TC3-HMAC-SHA256 Credential=AKIDEXAMPLE0000000000000000000000000/2023-11-14/ssl/tc3_request, SignedHeaders=content-type;host, Signature=66d270f1848e76eb17d70685304ec9975f0c07c3d6c001dce4cfbfce3dcab09a',
    );
    expect(signTc3({ ...sdkRequest, host: 'ssl.intl.tencentcloudapi.com' }).signature).toBe('d4e7e2f7acc77af6fdacee84f135aae31fdbc8f0b22c595c589dceb10c6a02ef');
  });

  it('reproduces the doc-style variant of the SDK capture (charset and x-tc-action signed)', () => {
    const signed = signTc3({ ...sdkRequest, contentType: 'application/json; charset=utf-8', extraSignedHeaders: { 'x-tc-action': 'UploadCertificate' } });
    expect(signed.signedHeaders).toBe('content-type;host;x-tc-action');
    expect(signed.signature).toBe('529c3370041d122e77d9c9e51bbdf23069368b436209c125c39f4b673fa5bf21');
  });
});

describe('TC3 classic bugs give a different signature', () => {
  it('uses the UTC date: 2019-02-25 although Beijing time was already 02-26', () => {
    expect(tc3Date(1551113065)).toBe('2019-02-25');
    // 1551113065 is 16:44 UTC; a timestamp just after UTC+8 midnight shows the difference.
    const afterBeijingMidnight = Date.UTC(2023, 10, 14, 16, 30) / 1000; // 00:30 on the 15th in Beijing
    expect(tc3Date(afterBeijingMidnight)).toBe('2023-11-14');
  });

  it('a signature scoped with the local UTC+8 date is different around midnight', () => {
    const timestamp = Date.UTC(2023, 10, 14, 16, 30) / 1000;
    const correct = signTc3({ ...sdkRequest, timestamp });
    const beijingDate = new Date((timestamp + 8 * 3600) * 1000).toISOString().slice(0, 10);
    expect(beijingDate).toBe('2023-11-15');
    const scope = `${beijingDate}/ssl/tc3_request`;
    const wrongStringToSign = correct.stringToSign.replace(/\d{4}-\d{2}-\d{2}\/ssl\/tc3_request/, scope);
    let key = createHmac('sha256', `TC3${sdkRequest.secretKey}`).update(beijingDate).digest();
    key = createHmac('sha256', key).update('ssl').digest();
    key = createHmac('sha256', key).update('tc3_request').digest();
    const wrong = createHmac('sha256', key).update(wrongStringToSign).digest('hex');
    expect(correct.stringToSign).toContain('2023-11-14/ssl/tc3_request');
    expect(wrong).not.toBe(correct.signature);
  });

  it('body bytes other than the hashed ones (raw UTF-8 vs \\u escapes) change the signature', () => {
    const raw = DOC_BODY.replace('\\u672a\\u547d\\u540d', '未命名');
    expect(createHash('sha256').update(raw).digest('hex').startsWith('1e07682a')).toBe(true);
    expect(signTc3({ ...docRequest, payload: raw }).signature).not.toBe(signTc3(docRequest).signature);
  });

  it('a content-type with an unsigned charset changes the signature', () => {
    expect(signTc3({ ...sdkRequest, contentType: 'application/json; charset=utf-8' }).signature).not.toBe(signTc3(sdkRequest).signature);
  });

  it('signs the host with its port when an endpoint override has one', () => {
    const signed = signTc3({ ...sdkRequest, host: '127.0.0.1:8443' });
    expect(signed.canonicalRequest).toContain('host:127.0.0.1:8443\n');
    expect(signed.stringToSign).toContain('/ssl/tc3_request');
  });
});
