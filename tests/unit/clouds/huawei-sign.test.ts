import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { canonicalUri, sdkDate, signCanonical, signSdkHmac, type SdkHmacRequest } from '../../../main/clouds/huawei/sign';
import { canonicalQuery } from '../../../main/clouds/query-string';

// REFERENCE.md §5.2 (documented worked example) and §5.4 (captured SDK output).

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEtest\n-----END PRIVATE KEY-----\n';
const PROJECT = '0123456789abcdef0123456789abcdef';
const SDK_BODY = JSON.stringify({ name: 'test-cert', cert_content: CERT, private_key: KEY, type: 'global', instance_id: 'common' });
const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

const docRequest: SdkHmacRequest = {
  method: 'GET',
  host: 'service.region.example.com',
  path: '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs',
  query: { limit: '2', marker: '13551d6b-755d-4757-b956-536f674975c0' },
  sdkDate: '20191115T033655Z',
  headers: { 'Content-Type': 'application/json' },
  payload: '',
  accessKeyId: 'QTWAOYTTINDUT2QVKYUC',
  accessKeySecret: 'MFyfvK41ba2giqM7Uio6PznpdUKGpownRZlmVmHc',
};

const sdkRequest: SdkHmacRequest = {
  method: 'POST',
  host: 'apig.cn-north-4.myhuaweicloud.com',
  path: `/v2/${PROJECT}/apigw/certificates`,
  query: {},
  sdkDate: '20231114T221320Z',
  headers: { 'Content-Type': 'application/json', 'X-Project-Id': PROJECT },
  payload: SDK_BODY,
  accessKeyId: 'HWAKEXAMPLE0000000000',
  accessKeySecret: 'HwSecretKeyExample00000000000000000000000',
};

describe('SDK-HMAC-SHA256 worked examples', () => {
  it('reproduces the documented example (AK/SK签名认证算法详解) step by step', () => {
    const signed = signSdkHmac(docRequest);
    expect(signed.canonicalRequest).toBe(
      [
        'GET',
        '/v1/77b6a44cba5143ab91d13ab9a8ff44fd/vpcs/',
        'limit=2&marker=13551d6b-755d-4757-b956-536f674975c0',
        'content-type:application/json\nhost:service.region.example.com\nx-sdk-date:20191115T033655Z\n',
        'content-type;host;x-sdk-date',
        EMPTY_HASH,
      ].join('\n'),
    );
    expect(signed.stringToSign).toBe('SDK-HMAC-SHA256\n20191115T033655Z\nb25362e603ee30f4f25e7858e8a7160fd36e803bb2dfe206278659d71a9bcd7a');
    expect(signed.signature).toBe('7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe');
    expect(signed.authorization).toBe(
      'SDK-HMAC-SHA256 Access=QTWAOYTTINDUT2QVKYUC, SignedHeaders=content-type;host;x-sdk-date, Signature=7be6668032f70418fcc22abc52071e57aff61b84a1d2381bb430d6870f4f6ebe',
    );
  });

  it('reproduces the captured SDK CreateCertificateV2 request (content-type;host;x-project-id;x-sdk-date)', () => {
    const signed = signSdkHmac(sdkRequest);
    expect(createHash('sha256').update(SDK_BODY).digest('hex')).toBe('48858d17f261ff5c7d804ee45580f183d8620e2cd8ddd6b91e03c12be75b5de6');
    expect(signed.stringToSign.split('\n')[2]).toBe('5c43822584e7dac14a12ae561dfd0880896b1815a569656c9fe6b9756c822208');
    expect(signed.authorization).toBe(
      'SDK-HMAC-SHA256 Access=HWAKEXAMPLE0000000000, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=82fe936e603cb53768e0157c52b6e9bcbf23652b262bfa5bc9e2c373f47920fe',
    );
  });

  it('reproduces the minimal variant without X-Project-Id', () => {
    const signed = signSdkHmac({ ...sdkRequest, headers: { 'Content-Type': 'application/json' } });
    expect(signed.signedHeaders).toBe('content-type;host;x-sdk-date');
    expect(signed.signature).toBe('f85bc410f1ccfd94d4eaaf1646f3504f1872c7ebbecfe6894185596b417b0acc');
  });

  it('reproduces the IAM project lookup GET vector', () => {
    const signed = signSdkHmac({
      ...sdkRequest,
      method: 'GET',
      host: 'iam.myhuaweicloud.com',
      path: '/v3/projects',
      query: { name: 'cn-north-4' },
      headers: { 'Content-Type': 'application/json' },
      payload: '',
    });
    expect(signed.canonicalRequest.split('\n').slice(0, 3)).toEqual(['GET', '/v3/projects/', 'name=cn-north-4']);
    expect(signed.signature).toBe('84cdc642c9e0dcebfe8c88254464d51bfa21013d248c1b297814922497712683');
  });

  it('formats X-Sdk-Date in UTC without separators', () => {
    expect(sdkDate(new Date(1_700_000_000_000))).toBe('20231114T221320Z');
    expect(sdkDate(new Date('2019-11-15T03:36:55.999Z'))).toBe('20191115T033655Z');
  });
});

describe('SDK-HMAC-SHA256 classic bugs give a different signature', () => {
  it('a canonical URI without the trailing slash signs 15e229d7…, which the gateway rejects', () => {
    const correct = signSdkHmac(sdkRequest);
    const noSlash = correct.canonicalRequest.replace(`/v2/${PROJECT}/apigw/certificates/\n`, `/v2/${PROJECT}/apigw/certificates\n`);
    expect(noSlash).not.toBe(correct.canonicalRequest);
    const wrong = signCanonical(noSlash, sdkRequest.sdkDate, sdkRequest.accessKeySecret).signature;
    expect(wrong.startsWith('15e229d7')).toBe(true);
    expect(correct.signature.startsWith('82fe936e')).toBe(true);
  });

  it('always adds the trailing slash, once', () => {
    expect(canonicalUri('/v2/p/apigw/certificates')).toBe('/v2/p/apigw/certificates/');
    expect(canonicalUri('/v2/p/apigw/certificates/')).toBe('/v2/p/apigw/certificates/');
    expect(canonicalUri('/')).toBe('/');
  });

  it('body bytes other than the hashed ones change the signature (escaped vs raw UTF-8 name)', () => {
    const raw = JSON.stringify({ name: '证书_2025' });
    const escaped = '{"name":"\\u8bc1\\u4e66_2025"}';
    expect(JSON.parse(escaped)).toEqual(JSON.parse(raw));
    expect(signSdkHmac({ ...sdkRequest, payload: raw }).signature).not.toBe(signSdkHmac({ ...sdkRequest, payload: escaped }).signature);
  });

  it('a header value changed after signing (a charset appended) changes the signature', () => {
    const withCharset = signSdkHmac({ ...sdkRequest, headers: { ...sdkRequest.headers, 'Content-Type': 'application/json;charset=UTF-8' } });
    expect(withCharset.signature).not.toBe(signSdkHmac(sdkRequest).signature);
  });

  it('signs the host with its port for an endpoint override', () => {
    const signed = signSdkHmac({ ...sdkRequest, host: '127.0.0.1:8443' });
    expect(signed.canonicalRequest).toContain('\nhost:127.0.0.1:8443\n');
  });

  it('encodes the query as RFC 3986 (space %20, not +; ~ literal; UTF-8 bytes)', () => {
    expect(canonicalQuery({ b: 'a b~*', a: '证' })).toBe('a=%E8%AF%81&b=a%20b~%2A');
  });
});
