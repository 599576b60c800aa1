import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { signCanonical, signingKey, signVolc, xDate, type VolcRequest } from '../../../main/clouds/volcengine/sign';

// REFERENCE.md §4.2 (documented worked examples A, B, C) and §4.4 (captured SDK output).

const CERT = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEtest\n-----END PRIVATE KEY-----\n';
const EMPTY_HASH = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const DOC_AK = 'AKLTYWViMTVmZGYzM2E0NDI5Mzk2MDZjNjFmMjc2MjRjMzg';
const DOC_SK = 'WkRZeE1EQmxPVGhsWWpWak5HVmtNbUUxTXpZeU9UVXlOMlE1TmpZeVlqTQ==';
const SDK_BODY = JSON.stringify({ CertName: 'test-cert', ProjectName: 'default', UseWay: 'https', Rsa: { Pubkey: CERT, Prikey: KEY } });
const SDK_BODY_HASH = 'e76726f916f7163817d49a79c7a59b2aa195fa2fcd5e6373d87976e03f261a47';

const exampleA: VolcRequest = {
  method: 'GET',
  host: 'iam.volcengineapi.com',
  path: '/',
  query: { Action: 'ListUsers', Version: '2018-01-01', Limit: '10', Offset: '0' },
  xDate: '20240619T071306Z',
  headers: {},
  payload: '',
  region: 'cn-beijing',
  service: 'iam',
  accessKeyId: DOC_AK,
  accessKeySecret: DOC_SK,
};

const captured: VolcRequest = {
  method: 'POST',
  host: 'live.volcengineapi.com',
  path: '/',
  query: { Action: 'CreateCert', Version: '2023-01-01' },
  xDate: '20231114T221320Z',
  headers: { 'X-Content-Sha256': SDK_BODY_HASH },
  payload: SDK_BODY,
  region: 'cn-north-1',
  service: 'live',
  accessKeyId: 'AKLTEXAMPLEACCESSKEYID000000000000',
  accessKeySecret: 'ExampleSecretKey0000000000000000==',
};

/** Signs the captured request with exactly the given canonical headers (the SDK omits host). */
function capturedWith(headers: Readonly<Record<string, string>>): string {
  const names = Object.keys(headers).sort();
  const canonical = [
    'POST',
    '/',
    'Action=CreateCert&Version=2023-01-01',
    names.map((name) => `${name}:${headers[name]}\n`).join(''),
    names.join(';'),
    SDK_BODY_HASH,
  ].join('\n');
  return signCanonical(canonical, captured.xDate, captured).signature;
}

describe('Volcengine HMAC-SHA256 worked examples', () => {
  it('reproduces example A (doc 6369/67270) step by step', () => {
    const signed = signVolc(exampleA);
    expect(signed.canonicalRequest).toBe(
      ['GET', '/', 'Action=ListUsers&Limit=10&Offset=0&Version=2018-01-01', 'host:iam.volcengineapi.com\nx-date:20240619T071306Z\n', 'host;x-date', EMPTY_HASH].join('\n'),
    );
    expect(createHash('sha256').update(signed.canonicalRequest).digest('hex')).toBe('5ed5bca3905e1fcbf789abb56a17c2d819674a3bcfa468ae476bd1ea80d135cb');
    expect(signingKey(DOC_SK, '20240619', 'cn-beijing', 'iam').toString('hex')).toBe('abee62e533a58934c49954459a3c3237d2fccea517c9a7c8a2651d8ea7779826');
    expect(signed.signature).toBe('e31c4558bcfe08a286001f59cedbf0791ffd0b2362f10e55ee2627467bcdde93');
    expect(signed.authorization).toBe(
      `HMAC-SHA256 Credential=${DOC_AK}/20240619/cn-beijing/iam/request, SignedHeaders=host;x-date, Signature=e31c4558bcfe08a286001f59cedbf0791ffd0b2362f10e55ee2627467bcdde93`,
    );
  });

  it('reproduces example B (doc 6369/67269): the GET and the POST with a JSON body', () => {
    const b = { ...exampleA, host: 'billing.volcengineapi.com', xDate: '20250329T180937Z', service: 'billing' };
    expect(signingKey(DOC_SK, '20250329', 'cn-beijing', 'billing').toString('hex')).toBe('b491ed164936de3bb06c1eb23326aa9587b5aaa6a4e02144b9d523bbebb7ca9f');
    const get = signVolc({ ...b, query: { Action: 'QueryBalanceAcct', Version: '2022-01-01' } });
    expect(createHash('sha256').update(get.canonicalRequest).digest('hex')).toBe('43171c1658c64b5db55c58d54988a4598d2d09a5613136beaa5eef40eae6e2c1');
    expect(get.signature).toBe('1eda9e7e6b1728151a8e8791fdaf67cfbd28bd5c80d0fce2eb208746cf483105');
    const post = signVolc({ ...b, method: 'POST', query: { Action: 'ListBill', Version: '2022-01-01' }, payload: '{"Limit":10,"BillPeriod":"2023-08"}' });
    expect(createHash('sha256').update(post.canonicalRequest).digest('hex')).toBe('27383e3b56d03850f5634483527fbddcbf06cf98de1bc8a6679ef2300bff3b15');
    expect(post.signature).toBe('5e8480ceea12d0000a23c054151c50dd02c1a7dec835004057d19f13d53a7658');
  });

  it('reproduces example C (content-type and x-content-sha256 signed) verbatim', () => {
    const signed = signVolc({
      ...exampleA,
      query: { Action: 'ListUsers', Limit: '10', Offset: '0', Version: '2018-01-01' },
      xDate: '20201230T081805Z',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8', 'X-Content-Sha256': EMPTY_HASH },
      region: 'cn-north-1',
      accessKeyId: 'AKLTMjI2ODVlYzI3ZGY1NGU4ZjhjYWRjMTlmNTM5OTZkYzE',
      accessKeySecret: 'TnpCak5XWXpZV1U0WkRaaE5ERmxaR0ZpTmpjeVkyUXlZek0wTWpJMU1qWQ==',
    });
    expect(createHash('sha256').update(signed.canonicalRequest).digest('hex')).toBe('3a4d4dee07c3308a52da01bc12d7a83c3705bfa543f51648f46de880bb2a7447');
    expect(signed.authorization).toBe(
      'HMAC-SHA256 Credential=AKLTMjI2ODVlYzI3ZGY1NGU4ZjhjYWRjMTlmNTM5OTZkYzE/20201230/cn-north-1/iam/request, SignedHeaders=content-type;host;x-content-sha256;x-date, Signature=28eeabbbd726b87002e0fe58ad8c1c768e619b06e2646f35b6ad7ed029a6d8a7',
    );
  });

  it('reproduces the captured SDK CreateCert (x-content-sha256;x-date, no host) and its variants', () => {
    expect(createHash('sha256').update(SDK_BODY).digest('hex')).toBe(SDK_BODY_HASH);
    expect(capturedWith({ 'x-content-sha256': SDK_BODY_HASH, 'x-date': captured.xDate })).toBe('51908d6b5c9bccdc412c5beb37b24db7c4554c30ac22f8e908dfdf82186fde54');
    expect(capturedWith({ host: 'live.volcengineapi.com', 'x-date': captured.xDate })).toBe('3c827be47e540c056e35bc19fddd74a5e60c9e77fd442c73f98cab275c9baa1c');
    // What the client signs: host;x-content-sha256;x-date.
    const ours = signVolc(captured);
    expect(ours.signedHeaders).toBe('host;x-content-sha256;x-date');
    expect(ours.signature).toBe('4659c215252c989db474038357f5706024b2be4f807eec9ab810b1cd1ec4222c');
    const withContentType = signVolc({ ...captured, headers: { ...captured.headers, 'Content-Type': 'application/json; charset=utf-8' } });
    expect(withContentType.signature).toBe('4047c0afc19aa59cd7e5588b536db4bb8f32c4677391e2a3bf37ce3588aa5284');
  });

  it('formats X-Date in UTC without separators', () => {
    expect(xDate(new Date(1_700_000_000_000))).toBe('20231114T221320Z');
  });
});

describe('Volcengine classic bugs', () => {
  it('the SK is used raw: decoding the base64-looking secret gives another signature', () => {
    const decoded = Buffer.from(DOC_SK, 'base64').toString('utf8');
    expect(signVolc({ ...exampleA, accessKeySecret: decoded }).signature).not.toBe('e31c4558bcfe08a286001f59cedbf0791ffd0b2362f10e55ee2627467bcdde93');
  });

  it('signing one body and sending another (volc-sdk-nodejs #7) is refused before sending', () => {
    expect(() => signVolc({ ...captured, headers: { 'X-Content-Sha256': EMPTY_HASH } })).toThrow(/X-Content-Sha256/);
  });

  it('body bytes other than the hashed ones change the signature', () => {
    const other = SDK_BODY.replace('test-cert', 'test-cerT');
    const otherHash = createHash('sha256').update(other).digest('hex');
    expect(signVolc({ ...captured, payload: other, headers: { 'X-Content-Sha256': otherHash } }).signature).not.toBe(signVolc(captured).signature);
  });

  it('the scope keeps the service name when the host is overridden (with its port)', () => {
    const signed = signVolc({ ...captured, host: '127.0.0.1:9443' });
    expect(signed.canonicalRequest).toContain('\nhost:127.0.0.1:9443\n');
    expect(signed.stringToSign.split('\n')[2]).toBe('20231114/cn-north-1/live/request');
  });
});
