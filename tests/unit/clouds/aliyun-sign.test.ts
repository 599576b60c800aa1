import { describe, expect, it } from 'vitest';
import { createHash, createHmac } from 'node:crypto';
import { acsDate, canonicalQuery, signAcs3, type Acs3Request } from '../../../main/clouds/aliyun/sign';
import { percentEncode } from '../../../main/clouds/query-string';

// REFERENCE.md §3.2 and §3.4: the V3 worked example and the captured CAS request.

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const CERT = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEtest\n-----END PRIVATE KEY-----\n';

const docExample: Acs3Request = {
  method: 'POST',
  path: '/',
  query: { ImageId: 'win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd', RegionId: 'cn-shanghai' },
  headers: {
    host: 'ecs.cn-shanghai.aliyuncs.com',
    'x-acs-action': 'RunInstances',
    'x-acs-version': '2014-05-26',
    'x-acs-date': '2023-10-26T10:22:32Z',
    'x-acs-signature-nonce': '3156853299f313e23d1673dc12e1703d',
    'x-acs-content-sha256': EMPTY,
  },
  payloadHash: EMPTY,
  accessKeyId: 'YourAccessKeyId',
  accessKeySecret: 'YourAccessKeySecret',
};

const casCapture: Acs3Request = {
  method: 'POST',
  path: '/',
  query: { Cert: CERT, Key: KEY, Name: 'test-cert' },
  headers: {
    host: 'cas.aliyuncs.com',
    'x-acs-version': '2020-04-07',
    'x-acs-action': 'UploadUserCertificate',
    'x-acs-date': '2023-11-14T22:13:20Z',
    'x-acs-signature-nonce': 'fixednonce0123456789abcdef000000',
    'x-acs-content-sha256': EMPTY,
    accept: 'application/json',
  },
  payloadHash: EMPTY,
  accessKeyId: 'LTAIEXAMPLEACCESSKEY',
  accessKeySecret: 'ExampleAccessKeySecret0000000000',
};

describe('ACS3-HMAC-SHA256 worked examples', () => {
  it('reproduces the V3 documentation example (ECS RunInstances)', () => {
    const signed = signAcs3(docExample);
    expect(signed.canonicalRequest).toBe(
      [
        'POST',
        '/',
        'ImageId=win2019_1809_x64_dtc_zh-cn_40G_alibase_20230811.vhd&RegionId=cn-shanghai',
        `host:ecs.cn-shanghai.aliyuncs.com\nx-acs-action:RunInstances\nx-acs-content-sha256:${EMPTY}\nx-acs-date:2023-10-26T10:22:32Z\nx-acs-signature-nonce:3156853299f313e23d1673dc12e1703d\nx-acs-version:2014-05-26\n`,
        'host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version',
        EMPTY,
      ].join('\n'),
    );
    expect(signed.stringToSign).toBe('ACS3-HMAC-SHA256\n7ea06492da5221eba5297e897ce16e55f964061054b7695beedaac1145b1e259');
    expect(signed.authorization).toBe(
      'ACS3-HMAC-SHA256 Credential=YourAccessKeyId,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=06563a9e1b43f5dfe96b81484da74bceab24a1d853912eee15083a6f0f3283c0',
    );
  });

  it('reproduces the captured CAS request without the SDK-only credentials-provider header', () => {
    const signed = signAcs3(casCapture);
    expect(canonicalQuery(casCapture.query)).toBe(
      'Cert=-----BEGIN%20CERTIFICATE-----%0AMIIBtest%0A-----END%20CERTIFICATE-----%0A&Key=-----BEGIN%20PRIVATE%20KEY-----%0AMIIEtest%0A-----END%20PRIVATE%20KEY-----%0A&Name=test-cert',
    );
    expect(signed.stringToSign).toBe('ACS3-HMAC-SHA256\n4898b50da3c50863a6b95487edd866931729e65fdc1f3b4c9351e01ae809978c');
    expect(signed.authorization).toBe(
      'ACS3-HMAC-SHA256 Credential=LTAIEXAMPLEACCESSKEY,SignedHeaders=host;x-acs-action;x-acs-content-sha256;x-acs-date;x-acs-signature-nonce;x-acs-version,Signature=be05808935a8ab40d7a5fbcc715a2fb024e86badc412a8070cdf44ab61ae4ac0',
    );
  });

  it('reproduces the SDK capture itself when its credentials-provider header is signed too', () => {
    const signed = signAcs3({ ...casCapture, headers: { ...casCapture.headers, 'x-acs-credentials-provider': 'static_ak' } });
    expect(signed.signature).toBe('90b457f5c419f0988d3198c7d0d96f12af1412fd3cc90928c6de3e8a3ed286cf');
  });
});

describe('ACS3 encoding and classic bugs', () => {
  it("encodes !'()* and space the RFC 3986 way and leaves ~ alone", () => {
    expect(percentEncode("a b!'()*~")).toBe('a%20b%21%27%28%29%2A~');
  });

  it("leaving !'()* unencoded gives a different signature", () => {
    const request = { ...casCapture, query: { ...casCapture.query, Name: "cert (prod)!*'" } };
    const correct = signAcs3(request);
    expect(correct.canonicalRequest).toContain('Name=cert%20%28prod%29%21%2A%27');
    // The classic bug: plain encodeURIComponent, which leaves !'()* as they are.
    const sloppyCanonical = correct.canonicalRequest.replace('Name=cert%20%28prod%29%21%2A%27', `Name=${encodeURIComponent("cert (prod)!*'")}`);
    expect(sloppyCanonical).toContain("Name=cert%20(prod)!*'");
    const sloppyHash = createHash('sha256').update(sloppyCanonical).digest('hex');
    const sloppySignature = createHmac('sha256', casCapture.accessKeySecret).update(`ACS3-HMAC-SHA256\n${sloppyHash}`).digest('hex');
    expect(sloppySignature).not.toBe(correct.signature);
  });

  it('a payload hash that is not the hash of the body sent changes the signature', () => {
    const bodyHash = 'a'.repeat(64);
    expect(signAcs3({ ...casCapture, payloadHash: bodyHash }).signature).not.toBe(signAcs3(casCapture).signature);
  });

  it('formats x-acs-date in UTC without milliseconds', () => {
    expect(acsDate(new Date(1700000000123))).toBe('2023-11-14T22:13:20Z');
  });
});
