import { describe, expect, it } from 'vitest';
import { tencent, tencentIntl, tencentOptionsSchema, type TencentOptions } from '../../../main/clouds/tencent';
import { beijingTimeToIso } from '../../../main/clouds/tencent/client';
import { tencentErrors } from '../../../main/clouds/tencent/errors';
import { signTc3 } from '../../../main/clouds/tencent/sign';
import { CloudError } from '../../../main/clouds/provider';
import type { HttpRequest } from '../../../main/clouds/http';
import { context, json, leafInfo, material, pem, ScriptedHttp } from './http-fake';

const OK = json(200, { Response: { CertificateId: 'Abc123', RepeatCertId: '', RequestId: 'req-1' } });

function options(overrides: Partial<TencentOptions> = {}): TencentOptions {
  return tencentOptionsSchema.parse({ alias: 'example', ...overrides });
}

/** Re-derives the signature from what was sent: the wire request must be the signed one. */
function expectSignedAsSent(request: HttpRequest, secretKey: string): void {
  const auth = request.headers.authorization!;
  const signed = signTc3({
    method: 'POST',
    host: request.headers.host!,
    path: request.url.pathname,
    query: '',
    contentType: request.headers['content-type']!,
    payload: request.body ?? '',
    timestamp: Number(request.headers['x-tc-timestamp']),
    service: 'ssl',
    secretId: auth.split('Credential=')[1]!.split('/')[0]!,
    secretKey,
  });
  expect(auth).toBe(signed.authorization);
}

async function rejection(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

describe('Tencent upload request', () => {
  it('sends every documented parameter, signed, to the public China endpoint', async () => {
    const http = new ScriptedHttp(OK);
    const result = await tencent.upload(
      context(http),
      material(),
      options({ projectId: 7, certificateUse: 'CDN', tags: [{ key: 'env', value: '生产' }], repeatable: true }),
    );
    expect(result).toEqual({ remoteId: 'Abc123', requestId: 'req-1', duplicateOf: null });
    const sent = http.requests[0]!;
    expect(sent.url.href).toBe('https://ssl.tencentcloudapi.com/');
    expect(sent.headers).toMatchObject({
      host: 'ssl.tencentcloudapi.com',
      'content-type': 'application/json',
      'x-tc-action': 'UploadCertificate',
      'x-tc-version': '2019-12-05',
      'x-tc-timestamp': '1700000000',
    });
    expect(sent.headers['x-tc-region']).toBeUndefined();
    expect(sent.headers['x-tc-token']).toBeUndefined();
    expect(JSON.parse(sent.body!)).toEqual({
      CertificatePublicKey: `${pem('CERTIFICATE', 'MIIBleaf')}${pem('CERTIFICATE', 'MIIBintermediate')}`,
      CertificatePrivateKey: pem('PRIVATE KEY', 'MIIEkey'),
      CertificateType: 'SVR',
      Alias: 'example',
      ProjectId: 7,
      CertificateUse: 'CDN',
      Tags: [{ TagKey: 'env', TagValue: '生产' }],
      Repeatable: true,
    });
    expect(sent.headers.authorization).toMatch(/^TC3-HMAC-SHA256 Credential=AKIDEXAMPLE0+\/2023-11-14\/ssl\/tc3_request, SignedHeaders=content-type;host, Signature=[0-9a-f]{64}$/);
    expectSignedAsSent(sent, 'SECRETKEYEXAMPLE00000000000000000');
  });

  it('International goes to ssl.intl with the same service scope', async () => {
    const http = new ScriptedHttp(OK);
    await tencentIntl.upload(context(http), material(), options());
    expect(http.requests[0]!.url.host).toBe('ssl.intl.tencentcloudapi.com');
    expect(http.requests[0]!.headers.authorization).toContain('/ssl/tc3_request');
    expectSignedAsSent(http.requests[0]!, 'SECRETKEYEXAMPLE00000000000000000');
  });

  it('an endpoint override with a port is where the request goes and what the signature covers', async () => {
    const http = new ScriptedHttp(OK);
    await tencent.upload(context(http, { endpoint: 'http://127.0.0.1:8443' }), material(), options());
    const sent = http.requests[0]!;
    expect(sent.url.href).toBe('http://127.0.0.1:8443/');
    expect(sent.headers.host).toBe('127.0.0.1:8443');
    expect(sent.headers.authorization).toContain('/ssl/tc3_request');
    expectSignedAsSent(sent, 'SECRETKEYEXAMPLE00000000000000000');
  });

  it('sends the temporary token as X-TC-Token', async () => {
    const http = new ScriptedHttp(OK);
    await tencent.upload(context(http, {}, { securityToken: 'sts-token-value-123' }), material(), options());
    expect(http.requests[0]!.headers['x-tc-token']).toBe('sts-token-value-123');
  });

  it('a CA certificate goes without the key', async () => {
    const http = new ScriptedHttp(OK);
    const ca = material({ leaf: leafInfo({ isCA: true }) });
    await tencent.upload(context(http), ca, options({ certificateType: 'CA' }));
    const body = JSON.parse(http.requests[0]!.body!);
    expect(body.CertificateType).toBe('CA');
    expect(body.CertificatePrivateKey).toBeUndefined();
  });

  it('RepeatCertId means the certificate is already there', async () => {
    const http = new ScriptedHttp(json(200, { Response: { CertificateId: 'DSAuy46E', RepeatCertId: 'DSAuy46E', RequestId: 'req-2' } }));
    expect(await tencent.upload(context(http), material(), options())).toEqual({ remoteId: 'DSAuy46E', requestId: 'req-2', duplicateOf: 'DSAuy46E' });
  });

  it('refuses to send what pre-flight rejects', async () => {
    const http = new ScriptedHttp(OK);
    const error = await rejection(tencent.upload(context(http), material({ privateKeyPem: null }), options()));
    expect(error.info).toMatchObject({ code: 'preflight', kind: 'invalid', mayHaveReachedServer: false });
    expect(http.requests).toHaveLength(0);
  });
});

describe('Tencent error answers', () => {
  async function failWith(code: string, message = 'm') {
    const http = new ScriptedHttp(json(200, { Response: { Error: { Code: code, Message: message }, RequestId: 'req-err-1' } }));
    return rejection(tencent.upload(context(http), material(), options()));
  }

  it('maps throttling, auth, clock skew, mismatch, duplicate and server codes', async () => {
    expect((await failWith('RequestLimitExceeded')).info).toMatchObject({ kind: 'throttled', retryable: true, requestId: 'req-err-1', code: 'RequestLimitExceeded' });
    expect((await failWith('LimitExceeded.RateLimitExceeded')).info.kind).toBe('throttled');
    expect((await failWith('RequestLimitExceeded.SomeNewLimit')).info.kind).toBe('throttled');
    expect((await failWith('AuthFailure.SignatureFailure')).info).toMatchObject({ kind: 'auth', retryable: false });
    expect((await failWith('AuthFailure.SignatureExpire')).info.hint.en).toContain('clock');
    expect((await failWith('FailedOperation.CertificateMismatch')).info.kind).toBe('invalid');
    expect((await failWith('FailedOperation.CertificateExists')).info.kind).toBe('conflict');
    expect((await failWith('InternalError')).info).toMatchObject({ kind: 'server', retryable: true });
    expect((await failWith('FailedOperation.SomethingNew')).info.kind).toBe('invalid');
  });

  it('keeps the message verbatim but scrubbed of echoed secrets and PEMs', async () => {
    const error = await failWith('FailedOperation.CertificateInvalid', `bad: ${pem('CERTIFICATE', 'MIIBleaf')} key SECRETKEYEXAMPLE00000000000000000`);
    expect(error.info.message).toBe('bad: [pem]\n key [redacted]');
    expect(error.message).not.toContain('SECRETKEY');
  });

  it('a non-API answer (gateway 502 page) is a retryable server error', async () => {
    const http = new ScriptedHttp(() => ({ status: 502, headers: {}, body: '<html>Bad Gateway</html>' }));
    const error = await rejection(tencent.upload(context(http), material(), options()));
    expect(error.info).toMatchObject({ code: 'HTTP502', kind: 'server', retryable: true, httpStatus: 502 });
  });

  it('has an English and a Chinese hint for every documented code', () => {
    for (const [code, known] of Object.entries(tencentErrors)) {
      expect(known.hint.en, code).not.toBe('');
      expect(known.hint['zh-CN'], code).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});

describe('Tencent list (DescribeCertificates)', () => {
  it('pages through the listing and maps the items', async () => {
    const page = (offset: number, count: number) =>
      json(200, {
        Response: {
          TotalCount: 1001,
          RequestId: `req-${offset}`,
          Certificates: Array.from({ length: count }, (_, i) => ({
            CertificateId: `id-${offset + i}`,
            Alias: 'a',
            Domain: 'example.com',
            SubjectAltName: ['example.com', 'www.example.com'],
            CertEndTime: '2026-02-01 07:59:59',
          })),
        },
      });
    const http = new ScriptedHttp(page(0, 1000), page(1000, 1));
    const listed = await tencent.list(context(http), { search: 'example.com' });
    expect(listed).toHaveLength(1001);
    expect(listed[1000]).toEqual({
      remoteId: 'id-1000',
      name: 'a',
      commonName: 'example.com',
      domains: ['example.com', 'www.example.com'],
      notAfter: '2026-01-31T23:59:59.000Z',
      fingerprintSha1: null,
      fingerprintSha256: null,
    });
    expect(http.requests.map((request) => JSON.parse(request.body!))).toEqual([
      { Offset: 0, Limit: 1000, SearchKey: 'example.com' },
      { Offset: 1000, Limit: 1000, SearchKey: 'example.com' },
    ]);
    expect(http.requests[0]!.headers['x-tc-action']).toBe('DescribeCertificates');
  });

  it('reads Beijing time as UTC+8', () => {
    expect(beijingTimeToIso('2024-01-01 08:00:00')).toBe('2024-01-01T00:00:00.000Z');
    expect(beijingTimeToIso('garbage')).toBeNull();
  });
});

describe('Tencent options and pre-flight', () => {
  it('defaults: SVR, unique alias from CN + expiry + fingerprint, account project, no repeats', () => {
    const defaults = tencent.defaultOptions(material(), { cloud: 'tencent', region: null, endpoint: null, fields: { projectId: '12' } });
    expect(defaults).toEqual({ certificateType: 'SVR', alias: 'example.com-20260131-1a2b3c4d', projectId: 12, tags: [], repeatable: false });
    expect(tencentOptionsSchema.parse(defaults)).toEqual(defaults);
  });

  it('rejects a bad option value with the schema', () => {
    expect(tencentOptionsSchema.safeParse({ certificateType: 'XYZ' }).success).toBe(false);
    expect(tencentOptionsSchema.safeParse({ projectId: -1 }).success).toBe(false);
    expect(tencentOptionsSchema.safeParse({ tags: [{ key: '', value: 'x' }] }).success).toBe(false);
  });

  it('finds a missing key, SM2, a CA type on a leaf and a needless key password', () => {
    const account = { cloud: 'tencent' as const, region: null, endpoint: null, fields: {} };
    const fields = (issues: readonly { field: string }[]) => issues.map((issue) => issue.field);
    expect(fields(tencent.validate(material({ privateKeyPem: null }), options(), account))).toEqual(['privateKey']);
    expect(fields(tencent.validate(material({ privateKeyPem: null }), options({ certificateType: 'CA' }), account))).toEqual(['certificateType']);
    expect(fields(tencent.validate(material({ leaf: leafInfo({ keyAlgorithm: 'SM2' }) }), options(), account))).toEqual(['algorithm']);
    expect(fields(tencent.validate(material(), options({ keyPassword: 'x' }), account))).toEqual(['keyPassword']);
    expect(tencent.validate(material(), options(), account)).toEqual([]);
    const messages = tencent.validate(material({ privateKeyPem: null }), options(), account)[0]!.message;
    expect(messages['zh-CN']).toContain('私钥');
  });

  it('labels every option field in both languages', () => {
    for (const field of [...tencent.optionFields, ...tencent.accountFields]) {
      expect(field.label.en).not.toBe('');
      expect(field.label['zh-CN']).not.toBe('');
    }
    expect(tencent.optionFields.map((field) => field.key)).toEqual(['certificateType', 'alias', 'projectId', 'certificateUse', 'tags', 'repeatable']);
  });
});
