import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { aliyun, aliyunOptionsSchema, type AliyunOptions } from '../../../main/clouds/aliyun';
import { publicEndpoint, QUERY_LIMIT } from '../../../main/clouds/aliyun/client';
import { aliyunErrors } from '../../../main/clouds/aliyun/errors';
import { signAcs3 } from '../../../main/clouds/aliyun/sign';
import { CloudError } from '../../../main/clouds/provider';
import type { HttpRequest } from '../../../main/clouds/http';
import { context as baseContext, json, leafInfo, material, pem, ScriptedHttp } from './http-fake';

const AK = 'LTAIEXAMPLEACCESSKEY';
const SECRET = 'ExampleAccessKeySecret0000000000';
const OK = json(200, { CertId: 12345, RequestId: 'BDB81BA2-E1F5-4D08-A2DD-4BE2BF44C90E' });
const SMALL = material({ certificatePem: pem('CERTIFICATE', 'MIIBtest'), chainPem: '', privateKeyPem: pem('PRIVATE KEY', 'MIIEtest') });
const LARGE = material({ chainPem: pem('CERTIFICATE', 'A'.repeat(1500)) + pem('CERTIFICATE', 'B'.repeat(1500)) });

function context(http: ScriptedHttp, account: Parameters<typeof baseContext>[1] = {}, credentials: Parameters<typeof baseContext>[2] = {}) {
  return baseContext(http, { cloud: 'aliyun', ...account }, { accessKeyId: AK, accessKeySecret: SECRET, ...credentials });
}

function options(overrides: Partial<AliyunOptions> = {}): AliyunOptions {
  return aliyunOptionsSchema.parse({ name: 'test-cert', ...overrides });
}

/** What the server sees: the parameters from the query or the form body, after decoding. */
function receivedParams(request: HttpRequest): Record<string, string> {
  const source = request.body !== undefined ? request.body : request.url.search.slice(1);
  return Object.fromEntries(new URLSearchParams(source));
}

/** Re-derives the signature from the request as sent (wire query, headers, body bytes). */
function expectSignedAsSent(request: HttpRequest): void {
  const payloadHash = createHash('sha256').update(request.body ?? '').digest('hex');
  expect(request.headers['x-acs-content-sha256']).toBe(payloadHash);
  const signed = signAcs3({
    method: 'POST',
    path: request.url.pathname,
    query: Object.fromEntries(new URLSearchParams(request.url.search.slice(1))),
    headers: request.headers,
    payloadHash,
    accessKeyId: AK,
    accessKeySecret: SECRET,
  });
  expect(request.headers.authorization).toBe(signed.authorization);
}

async function rejection(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

describe('Alibaba upload request', () => {
  it('a private key never goes in the URL, however short the request (URLs reach access logs)', async () => {
    const http = new ScriptedHttp(OK);
    const result = await aliyun.upload(context(http), SMALL, options());
    expect(result).toEqual({ remoteId: '12345', requestId: 'BDB81BA2-E1F5-4D08-A2DD-4BE2BF44C90E', duplicateOf: null });
    const sent = http.requests[0]!;
    expect(sent.url.href).toBe('https://cas.aliyuncs.com/');
    expect(sent.body).toBe(
      'Cert=-----BEGIN%20CERTIFICATE-----%0AMIIBtest%0A-----END%20CERTIFICATE-----%0A&Key=-----BEGIN%20PRIVATE%20KEY-----%0AMIIEtest%0A-----END%20PRIVATE%20KEY-----%0A&Name=test-cert',
    );
    expect(sent.headers).toMatchObject({
      host: 'cas.aliyuncs.com',
      'content-type': 'application/x-www-form-urlencoded',
      'x-acs-action': 'UploadUserCertificate',
      'x-acs-version': '2020-04-07',
      'x-acs-date': '2023-11-14T22:13:20Z',
      'x-acs-signature-nonce': 'nonce-1',
    });
    expectSignedAsSent(sent);
  });

  it('a full chain goes in a form body whose bytes are hashed and signed, never in the URL', async () => {
    const http = new ScriptedHttp(OK);
    await aliyun.upload(context(http), LARGE, options({ name: "prod (eu)!*'", resourceGroupId: 'rg-abc', tags: [{ key: 'env', value: '生产' }] }));
    const sent = http.requests[0]!;
    expect(sent.url.href).toBe('https://cas.aliyuncs.com/');
    expect(sent.body!.length).toBeGreaterThan(QUERY_LIMIT);
    expect(sent.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(sent.headers.authorization).toContain('SignedHeaders=content-type;host;');
    expect(sent.body).toContain('Name=prod%20%28eu%29%21%2A%27');
    expect(receivedParams(sent)).toEqual({
      Name: "prod (eu)!*'",
      Cert: `${LARGE.certificatePem}${LARGE.chainPem}`,
      Key: LARGE.privateKeyPem,
      ResourceGroupId: 'rg-abc',
      'Tags.1.Key': 'env',
      'Tags.1.Value': '生产',
    });
    expectSignedAsSent(sent);
  });

  it('sends an SM2 dual certificate as the encrypt and sign pairs', async () => {
    const http = new ScriptedHttp(OK);
    const sm2 = material({
      leaf: leafInfo({ keyAlgorithm: 'SM2' }),
      chainPem: '',
      sm2Sign: { certificatePem: pem('CERTIFICATE', 'MIIBsign'), privateKeyPem: pem('EC PRIVATE KEY', 'MHcsign') },
    });
    await aliyun.upload(context(http), sm2, options());
    const params = receivedParams(http.requests[0]!);
    expect(Object.keys(params).sort()).toEqual(['EncryptCert', 'EncryptPrivateKey', 'Name', 'SignCert', 'SignPrivateKey']);
    expect(params.SignCert).toBe(pem('CERTIFICATE', 'MIIBsign'));
    expect(params.EncryptPrivateKey).toBe(sm2.privateKeyPem);
  });

  it('uses a fresh nonce for every request, and the STS token when given', async () => {
    const http = new ScriptedHttp(OK, OK);
    const ctx = context(http, {}, { securityToken: 'sts-token-value-123' });
    await aliyun.upload(ctx, SMALL, options());
    await aliyun.upload(ctx, SMALL, options());
    const [first, second] = http.requests;
    expect(first!.headers['x-acs-signature-nonce']).not.toBe(second!.headers['x-acs-signature-nonce']);
    expect(first!.headers['x-acs-security-token']).toBe('sts-token-value-123');
    expect(first!.headers.authorization).toContain('x-acs-security-token');
    expectSignedAsSent(second!);
  });

  it('an endpoint override with a port is where the request goes and what the signature covers', async () => {
    const http = new ScriptedHttp(OK);
    await aliyun.upload(context(http, { endpoint: 'http://127.0.0.1:9443' }), SMALL, options());
    const sent = http.requests[0]!;
    expect(sent.url.origin).toBe('http://127.0.0.1:9443');
    expect(sent.headers.host).toBe('127.0.0.1:9443');
    expectSignedAsSent(sent);
  });

  it.each(['ftp://x', 'http://cas.internal.example:8080'])('an unusable endpoint override (%s) fails before sending', async (endpoint) => {
    const http = new ScriptedHttp(OK);
    const error = await rejection(aliyun.upload(context(http, { endpoint }), SMALL, options()));
    expect(error.info).toMatchObject({ code: 'endpoint.invalid', kind: 'invalid', mayHaveReachedServer: false });
    expect(http.requests).toHaveLength(0);
  });

  it('picks cas.aliyuncs.com for the central regions and cas.{region} elsewhere', () => {
    expect(publicEndpoint(null)).toBe('https://cas.aliyuncs.com/');
    expect(publicEndpoint('cn-hangzhou')).toBe('https://cas.aliyuncs.com/');
    expect(publicEndpoint('ap-southeast-1')).toBe('https://cas.ap-southeast-1.aliyuncs.com/');
    expect(publicEndpoint('eu-central-1')).toBe('https://cas.eu-central-1.aliyuncs.com/');
  });
});

describe('Alibaba error answers', () => {
  async function failWith(status: number, code: string, headers: Record<string, string> = {}, message = 'm') {
    const http = new ScriptedHttp(json(status, { RequestId: 'req-9', HostId: 'cas.aliyuncs.com', Code: code, Message: message }, headers));
    return rejection(aliyun.upload(context(http), SMALL, options()));
  }

  it('maps throttling (whatever the status) with its retry-after, auth, skew and 5xx', async () => {
    // x-acs-retry-after is milliseconds, as openapi-core reads it; Retry-After is seconds.
    expect((await failWith(400, 'Throttling.User', { 'retry-after': '3' })).info.retryAfterMs).toBe(3000);
    expect((await failWith(400, 'Throttling.User', { 'x-acs-retry-after': '1500' })).info).toMatchObject({
      kind: 'throttled',
      retryable: true,
      retryAfterMs: 1500,
      requestId: 'req-9',
      httpStatus: 400,
    });
    expect((await failWith(403, 'Throttling.Api')).info.kind).toBe('throttled');
    expect((await failWith(400, 'Throttling.NewKind')).info.kind).toBe('throttled');
    expect((await failWith(404, 'InvalidAccessKeyId.NotFound')).info).toMatchObject({ kind: 'auth', retryable: false });
    expect((await failWith(400, 'InvalidTimeStamp.Expired')).info.hint.en).toContain('clock');
    expect((await failWith(403, 'Forbidden.RAM')).info.kind).toBe('auth');
    expect((await failWith(503, 'ServiceUnavailable')).info).toMatchObject({ kind: 'server', retryable: true });
    expect((await failWith(400, 'SomethingElse')).info.kind).toBe('invalid');
  });

  it("scrubs what SignatureDoesNotMatch echoes back", async () => {
    const echoed = `Specified signature is not matched with our calculation. server string to sign is:ACS3-HMAC-SHA256\n${'ab'.repeat(32)} ${AK}`;
    const error = await failWith(400, 'SignatureDoesNotMatch', {}, echoed);
    expect(error.info.message).not.toContain(AK);
    expect(error.info.message).not.toContain('abab');
    expect(error.info.message).toContain('Specified signature is not matched');
  });

  it('has an English and a Chinese hint for every documented code', () => {
    for (const [code, known] of Object.entries(aliyunErrors)) {
      expect(known.hint.en, code).not.toBe('');
      expect(known.hint['zh-CN'], code).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('Alibaba list (ListUserCertificateOrder)', () => {
  it('asks for uploaded certificates, pages, and normalises fingerprints', async () => {
    const item = (id: number) => ({
      CertificateId: id,
      Name: `n${id}`,
      CommonName: 'example.com',
      Sans: 'example.com,www.example.com',
      EndDate: '2026-01-31',
      Fingerprint: 'AB:CD:EF',
      Sha2: 'ABCDEF0123',
    });
    const http = new ScriptedHttp(
      json(200, { TotalCount: 51, CurrentPage: 1, ShowSize: 50, CertificateOrderList: Array.from({ length: 50 }, (_, i) => item(i)), RequestId: 'r1' }),
      json(200, { TotalCount: 51, CurrentPage: 2, ShowSize: 50, CertificateOrderList: [item(50)], RequestId: 'r2' }),
    );
    const listed = await aliyun.list(context(http, { fields: { resourceGroupId: 'rg-1' } }), { search: 'example.com' });
    expect(listed).toHaveLength(51);
    expect(listed[50]).toEqual({
      remoteId: '50',
      name: 'n50',
      commonName: 'example.com',
      domains: ['example.com', 'www.example.com'],
      notAfter: '2026-01-31T00:00:00.000Z',
      fingerprintSha1: 'abcdef',
      fingerprintSha256: 'abcdef0123',
    });
    expect(http.requests.map(receivedParams)).toEqual([
      { OrderType: 'UPLOAD', CurrentPage: '1', ShowSize: '50', Keyword: 'example.com', ResourceGroupId: 'rg-1' },
      { OrderType: 'UPLOAD', CurrentPage: '2', ShowSize: '50', Keyword: 'example.com', ResourceGroupId: 'rg-1' },
    ]);
    expect(http.requests[0]!.headers['x-acs-action']).toBe('ListUserCertificateOrder');
  });
});

describe('Alibaba options and pre-flight', () => {
  const account = { cloud: 'aliyun' as const, region: null, endpoint: null, fields: { resourceGroupId: 'rg-9' } };

  it('defaults to a unique name of at most 128 characters and the account resource group', () => {
    const defaults = aliyun.defaultOptions(material(), account);
    expect(defaults).toEqual({ name: 'example.com-20260131-1a2b3c4d', resourceGroupId: 'rg-9', tags: [] });
    const longCn = material({ leaf: leafInfo({ commonName: '长'.repeat(300) }) });
    expect([...aliyun.defaultOptions(longCn, account).name].length).toBe(128);
  });

  it('finds a name over 128 characters (counted as characters), a missing key and an incomplete SM2 pair', () => {
    const fields = (issues: readonly { field: string }[]) => issues.map((issue) => issue.field);
    expect(fields(aliyun.validate(material(), options({ name: '证'.repeat(128) }), account))).toEqual([]);
    expect(fields(aliyun.validate(material(), options({ name: '证'.repeat(129) }), account))).toEqual(['name']);
    expect(fields(aliyun.validate(material({ privateKeyPem: null }), options(), account))).toEqual(['privateKey']);
    expect(fields(aliyun.validate(material({ leaf: leafInfo({ keyAlgorithm: 'SM2' }) }), options(), account))).toEqual(['sm2Sign']);
    expect(aliyunOptionsSchema.safeParse({ name: '  ' }).success).toBe(false);
  });
});
