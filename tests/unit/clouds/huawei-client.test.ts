import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { huawei, huaweiOptionsSchema, nameIssues, defaultHuaweiName, certificateForm, type HuaweiOptions } from '../../../main/clouds/huawei';
import { apigPublicEndpoint, iamPublicEndpoint } from '../../../main/clouds/huawei/client';
import { classifyHuaweiError, huaweiErrors } from '../../../main/clouds/huawei/errors';
import { signSdkHmac } from '../../../main/clouds/huawei/sign';
import { CloudError, type AccountConfig, type CloudCredentials } from '../../../main/clouds/provider';
import { TransportError, type HttpRequest } from '../../../main/clouds/http';
import { context, json, leafInfo, material, pem, ScriptedHttp } from './http-fake';
import { arbitraryMaterial } from './huawei-volcengine-arbitraries';

const PROJECT = '0123456789abcdef0123456789abcdef';
const AK = 'HWAKEXAMPLE0000000000';
const SK = 'HwSecretKeyExample00000000000000000000000';
const CREATED = json(200, { id: 'a27be832f2e9441c8127fe48e3b5ac67', name: 'cert_demo', algorithm_type: 'RSA' }, { 'x-request-id': 'req-hw-1' });

function huaweiContext(http: ScriptedHttp, account: Partial<AccountConfig> = {}, credentials: Partial<CloudCredentials> = {}) {
  return context(
    http,
    { cloud: 'huawei', region: 'cn-north-4', fields: { projectId: PROJECT }, ...account },
    { accessKeyId: AK, accessKeySecret: SK, ...credentials },
  );
}

function options(overrides: Partial<HuaweiOptions> = {}): HuaweiOptions {
  return huaweiOptionsSchema.parse({ name: 'www_example_com_2026', ...overrides });
}

/** Re-derives the signature from what was sent: the wire request must be the signed one. */
function expectSignedAsSent(request: HttpRequest): void {
  const auth = request.headers.Authorization!;
  const signedNames = /SignedHeaders=([^,]+)/.exec(auth)![1]!.split(';');
  const byLower = Object.fromEntries(Object.entries(request.headers).map(([k, v]) => [k.toLowerCase(), v]));
  const headers = Object.fromEntries(signedNames.filter((n) => n !== 'host' && n !== 'x-sdk-date').map((n) => [n, byLower[n]!]));
  const signed = signSdkHmac({
    method: request.method,
    host: request.url.host,
    path: request.url.pathname,
    query: Object.fromEntries(request.url.searchParams),
    sdkDate: request.headers['X-Sdk-Date']!,
    headers,
    payload: request.body ?? '',
    accessKeyId: AK,
    accessKeySecret: SK,
  });
  expect(auth).toBe(signed.authorization);
}

async function rejection(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

describe('Huawei CreateCertificateV2 request', () => {
  it('POSTs every parameter, signed like the SDK, to the regional APIG endpoint', async () => {
    const http = new ScriptedHttp(CREATED);
    const result = await huawei.upload(huaweiContext(http), material(), options({ trustedRootCa: pem('CERTIFICATE', 'MIIBroot') }));
    expect(result).toEqual({ remoteId: 'a27be832f2e9441c8127fe48e3b5ac67', requestId: 'req-hw-1', duplicateOf: null });
    const sent = http.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url.href).toBe(`https://apig.cn-north-4.myhuaweicloud.com/v2/${PROJECT}/apigw/certificates`);
    expect(sent.headers).toMatchObject({ 'Content-Type': 'application/json', 'X-Project-Id': PROJECT, 'X-Sdk-Date': '20231114T221320Z', Host: 'apig.cn-north-4.myhuaweicloud.com' });
    expect(sent.headers.Authorization).toMatch(/^SDK-HMAC-SHA256 Access=HWAKEXAMPLE0000000000, SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=[0-9a-f]{64}$/);
    expect(JSON.parse(sent.body!)).toEqual({
      name: 'www_example_com_2026',
      cert_content: `${pem('CERTIFICATE', 'MIIBleaf')}${pem('CERTIFICATE', 'MIIBintermediate')}`,
      private_key: pem('PRIVATE KEY', 'MIIEkey'),
      type: 'global',
      instance_id: 'common',
      trusted_root_ca: pem('CERTIFICATE', 'MIIBroot').trim(),
      algorithm_type: 'RSA',
    });
    expectSignedAsSent(sent);
  });

  it('reproduces the captured SDK signature 82fe936e… for the captured body', async () => {
    const CERT = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
    const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEtest\n-----END PRIVATE KEY-----\n';
    const http = new ScriptedHttp(CREATED);
    // The signature covers the host, not the scheme: the capture was made over http, sent here over https.
    const ctx = huaweiContext(http, { endpoint: 'https://apig.cn-north-4.myhuaweicloud.com' });
    const { createCertificate } = await import('../../../main/clouds/huawei/client');
    await createCertificate(ctx, { name: 'test-cert', cert_content: CERT, private_key: KEY, type: 'global', instance_id: 'common' });
    expect(http.requests[0]!.headers.Authorization).toContain('Signature=82fe936e603cb53768e0157c52b6e9bcbf23652b262bfa5bc9e2c373f47920fe');
  });

  it('uses a dedicated instance, and signs X-Security-Token for a temporary AK/SK', async () => {
    const http = new ScriptedHttp(CREATED);
    await huawei.upload(huaweiContext(http, {}, { securityToken: 'sts-token-value-0123456789' }), material(), options({ type: 'instance', instanceId: 'f0fa1789-3b76-433b-a787-9892951c620e' }));
    const sent = http.requests[0]!;
    expect(JSON.parse(sent.body!)).toMatchObject({ type: 'instance', instance_id: 'f0fa1789-3b76-433b-a787-9892951c620e' });
    expect(sent.headers['X-Security-Token']).toBe('sts-token-value-0123456789');
    expect(sent.headers.Authorization).toContain('SignedHeaders=content-type;host;x-project-id;x-sdk-date;x-security-token,');
    expectSignedAsSent(sent);
  });

  it('sends an IAM token as X-Auth-Token, unsigned, when the account has no secret key', async () => {
    const http = new ScriptedHttp(CREATED);
    await huawei.upload(huaweiContext(http, {}, { accessKeyId: '', accessKeySecret: '', securityToken: 'MIIiam-token' }), material(), options());
    const sent = http.requests[0]!;
    expect(sent.headers['X-Auth-Token']).toBe('MIIiam-token');
    expect(sent.headers.Authorization).toBeUndefined();
    expect(sent.headers['X-Sdk-Date']).toBeUndefined();
  });

  it('refuses an account with neither AK/SK nor token before sending anything', async () => {
    const http = new ScriptedHttp();
    const error = await rejection(huawei.upload(huaweiContext(http, {}, { accessKeySecret: '' }), material(), options()));
    expect(error.info).toMatchObject({ code: 'credentials.missing', kind: 'auth', retryable: false, mayHaveReachedServer: false });
    expect(http.requests).toHaveLength(0);
  });

  it('sends the SM2 signing pair with algorithm_type SM2', async () => {
    const http = new ScriptedHttp(CREATED);
    const sm2 = material({ leaf: leafInfo({ keyAlgorithm: 'SM2' }), sm2Sign: { certificatePem: pem('CERTIFICATE', 'MIIBsign'), privateKeyPem: pem('PRIVATE KEY', 'MIIEsign') } });
    await huawei.upload(huaweiContext(http), sm2, options({ algorithmType: 'SM2' }));
    expect(JSON.parse(http.requests[0]!.body!)).toMatchObject({
      algorithm_type: 'SM2',
      cert_content_sign: pem('CERTIFICATE', 'MIIBsign'),
      private_key_sign: pem('PRIVATE KEY', 'MIIEsign'),
    });
  });

  it('goes to the endpoint override with its port and path prefix, and signs that host', async () => {
    const http = new ScriptedHttp(CREATED);
    await huawei.upload(huaweiContext(http, { region: null, endpoint: 'http://127.0.0.1:8443/gw/' }), material(), options());
    const sent = http.requests[0]!;
    expect(sent.url.href).toBe(`http://127.0.0.1:8443/gw/v2/${PROJECT}/apigw/certificates`);
    expect(sent.headers.Host).toBe('127.0.0.1:8443');
    expectSignedAsSent(sent);
  });

  it('refuses invalid options at upload time too (a caller that skipped validate)', async () => {
    const http = new ScriptedHttp();
    const error = await rejection(huawei.upload(huaweiContext(http), material(), options({ name: 'test-cert' })));
    expect(error.info).toMatchObject({ code: 'preflight', kind: 'invalid', mayHaveReachedServer: false });
    expect(error.info.message).toContain('"-"');
    expect(http.requests).toHaveLength(0);
  });
});

describe('Huawei endpoints and project lookup', () => {
  it('knows the public endpoints, Europe under .eu', () => {
    expect(apigPublicEndpoint('cn-north-4')).toBe('https://apig.cn-north-4.myhuaweicloud.com');
    expect(apigPublicEndpoint('eu-west-101')).toBe('https://apig.eu-west-101.myhuaweicloud.eu');
    expect(iamPublicEndpoint('ap-southeast-1')).toBe('https://iam.ap-southeast-1.myhuaweicloud.com');
    expect(iamPublicEndpoint('eu-west-101')).toBe('https://iam.eu-west-101.myhuaweicloud.eu');
  });

  it('looks the project id up with IAM GET /v3/projects?name={region}, once per key and region', async () => {
    const projects = json(200, { projects: [{ id: 'fedcba9876543210fedcba9876543210', name: 'ap-southeast-3' }] });
    const http = new ScriptedHttp(projects, CREATED, CREATED);
    const ctx = huaweiContext(http, { region: 'ap-southeast-3', fields: {} }, { accessKeyId: 'HWAKLOOKUP0000000001' });
    await huawei.upload(ctx, material(), options());
    await huawei.upload(ctx, material(), options());
    const [lookup, first, second] = http.requests;
    expect(lookup!.method).toBe('GET');
    expect(lookup!.url.href).toBe('https://iam.ap-southeast-3.myhuaweicloud.com/v3/projects?name=ap-southeast-3');
    expect(lookup!.headers.Authorization).toContain('SignedHeaders=content-type;host;x-sdk-date,');
    expect(lookup!.body).toBeUndefined();
    expect(first!.url.pathname).toBe('/v2/fedcba9876543210fedcba9876543210/apigw/certificates');
    expect(second!.url.pathname).toBe(first!.url.pathname);
    expect(http.requests).toHaveLength(3);
  });

  it('says what to do when IAM knows no project for the region', async () => {
    const http = new ScriptedHttp(json(200, { projects: [] }));
    const error = await rejection(huawei.upload(huaweiContext(http, { region: 'cn-east-3', fields: {} }, { accessKeyId: 'HWAKLOOKUP0000000002' }), material(), options()));
    expect(error.info).toMatchObject({ code: 'project.not_found', kind: 'invalid' });
    expect(error.info.hint['zh-CN']).toContain('项目 ID');
  });
});

describe('Huawei error answers', () => {
  it('maps APIG.0301 to a non-retryable auth error with the X-Request-Id, scrubbing echoed secrets', async () => {
    const http = new ScriptedHttp(json(401, { error_code: 'APIG.0301', error_msg: `Incorrect IAM authentication information: verify aksk signature fail, ak ${AK}` }, { 'x-request-id': 'req-auth' }));
    const error = await rejection(huawei.upload(huaweiContext(http), material(), options()));
    expect(error.info).toMatchObject({ cloud: 'huawei', code: 'APIG.0301', kind: 'auth', retryable: false, requestId: 'req-auth', httpStatus: 401, mayHaveReachedServer: true });
    expect(error.info.message).not.toContain(AK);
    expect(error.info.hint.en).toContain('5 minutes');
  });

  it('maps APIGW.0308 / HTTP 429 to throttled, keeping Retry-After', async () => {
    const http = new ScriptedHttp(json(429, { error_code: 'APIGW.0308', error_msg: 'The throttling threshold has been reached: policy user over ratelimit,limit:5,time:1 second', request_id: 'req-body' }, { 'retry-after': '2' }));
    const error = await rejection(huawei.upload(huaweiContext(http), material(), options()));
    expect(error.info).toMatchObject({ code: 'APIGW.0308', kind: 'throttled', retryable: true, requestId: 'req-body', retryAfterMs: 2000 });
  });

  it('maps the seed page examples: 3030 invalid, 1002/1005 auth, 9999 server, 3325 conflict', () => {
    expect(classifyHuaweiError('APIG.3030', 404).kind).toBe('invalid');
    expect(classifyHuaweiError('APIG.1002', 401)).toMatchObject({ kind: 'auth', retryable: false });
    expect(classifyHuaweiError('APIG.1005', 403)).toMatchObject({ kind: 'auth', retryable: false });
    expect(classifyHuaweiError('APIG.9999', 500)).toMatchObject({ kind: 'server', retryable: true });
    expect(classifyHuaweiError('APIG.3325', 400).kind).toBe('conflict');
    expect(classifyHuaweiError('APIG.0303', 401).kind).toBe('auth');
  });

  it('classifies undocumented codes by HTTP status', () => {
    expect(classifyHuaweiError('APIG.7777', 429).kind).toBe('throttled');
    expect(classifyHuaweiError('APIG.7777', 401).kind).toBe('auth');
    expect(classifyHuaweiError('APIG.7777', 403).kind).toBe('auth');
    expect(classifyHuaweiError('APIG.7777', 404).kind).toBe('invalid');
    expect(classifyHuaweiError('APIG.7777', 503)).toMatchObject({ kind: 'server', retryable: true });
    expect(classifyHuaweiError('APIG.7777', 400)).toMatchObject({ kind: 'invalid', retryable: false });
  });

  it('gives every documented code an English and a Chinese hint, and never retries auth', () => {
    for (const code of Object.keys(huaweiErrors)) {
      const known = classifyHuaweiError(code, null);
      expect(known.hint.en.length).toBeGreaterThan(20);
      expect(known.hint['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      if (known.kind === 'auth') expect(known.retryable).toBe(false);
    }
  });

  it('reads IAM-style nested errors and non-JSON gateway pages', async () => {
    const nested = new ScriptedHttp(json(403, { error: { code: 'IAM.0003', message: 'Policy doesn\'t allow iam:projects:list' } }));
    const iamError = await rejection(huawei.upload(huaweiContext(nested, { fields: {} }, { accessKeyId: 'HWAKLOOKUP0000000003' }), material(), options()));
    expect(iamError.info).toMatchObject({ code: 'IAM.0003', kind: 'auth' });
    const html = new ScriptedHttp(() => ({ status: 502, headers: {}, body: '<html>Bad Gateway</html>' }));
    const gateway = await rejection(huawei.upload(huaweiContext(html), material(), options()));
    expect(gateway.info).toMatchObject({ code: 'HTTP.502', kind: 'server', retryable: true });
  });

  it('treats a 200 without an id as malformed, never as success', async () => {
    const http = new ScriptedHttp(json(200, { name: 'x' }, { 'x-request-id': 'req-odd' }));
    const error = await rejection(huawei.upload(huaweiContext(http), material(), options()));
    expect(error.info).toMatchObject({ code: 'response.malformed', kind: 'server', retryable: false, requestId: 'req-odd' });
  });

  it('turns a transport failure into a network CloudError', async () => {
    const http = { send: () => Promise.reject(new TransportError('ECONNREFUSED', 'cannot connect', false, true)) };
    const error = await rejection(huawei.upload(context(http, { cloud: 'huawei', region: 'cn-north-4', fields: { projectId: PROJECT } }, { accessKeyId: AK, accessKeySecret: SK }), material(), options()));
    expect(error.info).toMatchObject({ cloud: 'huawei', kind: 'network', mayHaveReachedServer: false });
  });
});

describe('Huawei ListCertificatesV2', () => {
  it('lists the account instance (common by default) page by page and maps the fields', async () => {
    const cert = (i: number) => ({ id: `id${i}`, name: `cert_${i}`, common_name: 'example.com', san: ['example.com', 'www.example.com'], not_after: '2026-01-31T23:59:59Z' });
    const http = new ScriptedHttp(
      json(200, { total: 501, size: 500, certs: Array.from({ length: 500 }, (_, i) => cert(i)) }),
      json(200, { total: 501, size: 1, certs: [cert(500)] }),
    );
    const listed = await huawei.list(huaweiContext(http), { search: 'example.com' });
    expect(listed).toHaveLength(501);
    expect(listed[500]).toEqual({ remoteId: 'id500', name: 'cert_500', commonName: 'example.com', domains: ['example.com', 'www.example.com'], notAfter: '2026-01-31T23:59:59Z', fingerprintSha1: null, fingerprintSha256: null });
    const [first, second] = http.requests;
    expect(first!.method).toBe('GET');
    expect(first!.url.search).toBe('?common_name=example.com&instance_id=common&limit=500&offset=0');
    expect(second!.url.searchParams.get('offset')).toBe('500');
    expectSignedAsSent(first!);
  });

  it('lists a dedicated gateway when the account names one', async () => {
    const http = new ScriptedHttp(json(200, { total: 0, size: 0, certs: [] }));
    await huawei.list(huaweiContext(http, { fields: { projectId: PROJECT, instanceId: 'f0fa1789-3b76-433b-a787-9892951c620e' } }));
    expect(http.requests[0]!.url.searchParams.get('instance_id')).toBe('f0fa1789-3b76-433b-a787-9892951c620e');
  });
});

describe('Huawei pre-flight validation', () => {
  const account: AccountConfig = { cloud: 'huawei', region: 'cn-north-4', endpoint: null, fields: { projectId: PROJECT } };
  const fields = (issues: readonly { field: string }[]) => issues.map((issue) => issue.field);

  it('applies the name rule: 4-50 characters, letters/digits/_/CJK, first a letter or CJK, no hyphen', () => {
    expect(nameIssues('cert_demo')).toEqual([]);
    expect(nameIssues('证书_生产环境')).toEqual([]);
    expect(nameIssues('abc')[0]!.message.en).toContain('4-50');
    expect(nameIssues('a'.repeat(51))[0]!.message.en).toContain('51');
    expect(nameIssues('a'.repeat(50))).toEqual([]);
    expect(nameIssues('1cert')[0]!.message.en).toContain('start with a letter');
    expect(nameIssues('_cert')[0]!.message['zh-CN']).toContain('开头');
    expect(nameIssues('test-cert')[0]!.message.en).toContain('"-"');
    expect(nameIssues('www.example.com')[0]!.message.en).toContain('"."');
  });

  it('derives a default name that always satisfies the rule (CN and expiry, hyphens and dots as _)', () => {
    expect(defaultHuaweiName(material())).toBe('example_com_20260131_1a2b3c4d');
    expect(defaultHuaweiName(material({ leaf: leafInfo({ commonName: '*.例子.com' }) }))).toBe('例子_com_20260131_1a2b3c4d');
    expect(defaultHuaweiName(material({ leaf: leafInfo({ commonName: '1.2.3.4', dnsNames: [] }) }))).toBe('cert_20260131_1a2b3c4d');
    fc.assert(
      fc.property(arbitraryMaterial, (m) => {
        expect(nameIssues(defaultHuaweiName(m))).toEqual([]);
      }),
      { numRuns: 300 },
    );
  });

  it('defaults to a global certificate, or to the account instance, with the key algorithm', () => {
    expect(huawei.defaultOptions(material(), account)).toMatchObject({ type: 'global', instanceId: 'common', algorithmType: 'RSA' });
    const dedicated = { ...account, fields: { instanceId: 'f0fa1789-3b76-433b-a787-9892951c620e' } };
    expect(huawei.defaultOptions(material({ leaf: leafInfo({ keyAlgorithm: 'EC' }) }), dedicated)).toMatchObject({ type: 'instance', instanceId: 'f0fa1789-3b76-433b-a787-9892951c620e', algorithmType: 'ECC' });
    expect(huawei.validate(material(), huawei.defaultOptions(material(), account), account)).toEqual([]);
  });

  it('requires the key, a matching algorithm, and an instance id consistent with the type', () => {
    expect(fields(huawei.validate(material({ privateKeyPem: null }), options(), account))).toEqual(['privateKey']);
    expect(fields(huawei.validate(material({ leaf: leafInfo({ keyAlgorithm: 'EC' }) }), options(), account))).toEqual(['algorithmType']);
    expect(fields(huawei.validate(material({ leaf: leafInfo({ keyAlgorithm: 'Ed25519' }) }), options(), account))).toEqual(['algorithm']);
    expect(fields(huawei.validate(material(), options({ type: 'instance' }), account))).toEqual(['instanceId']);
    expect(fields(huawei.validate(material(), options({ type: 'global', instanceId: 'abc' }), account))).toEqual(['instanceId']);
    expect(fields(huawei.validate(material(), options({ type: 'instance', instanceId: 'bad id!' }), account))).toEqual(['instanceId']);
  });

  it('requires the SM2 signing pair, each at most 8092 characters', () => {
    const sm2Leaf = leafInfo({ keyAlgorithm: 'SM2' });
    expect(fields(huawei.validate(material({ leaf: sm2Leaf }), options({ algorithmType: 'SM2' }), account))).toEqual(['sm2Sign']);
    const huge = material({ leaf: sm2Leaf, sm2Sign: { certificatePem: 'x'.repeat(8093), privateKeyPem: 'y'.repeat(8092) } });
    const issues = huawei.validate(huge, options({ algorithmType: 'SM2' }), account);
    expect(fields(issues)).toEqual(['sm2Sign']);
    expect(issues[0]!.message.en).toContain('8093');
  });

  it('checks the trusted root CA is a PEM certificate', () => {
    expect(fields(huawei.validate(material(), options({ trustedRootCa: 'not a pem' }), account))).toEqual(['trustedRootCa']);
  });

  it('needs a region, or an endpoint override and a project id', () => {
    expect(fields(huawei.validate(material(), options(), { ...account, region: null }))).toEqual(['region']);
    expect(fields(huawei.validate(material(), options(), { ...account, region: null, endpoint: 'http://127.0.0.1:1' }))).toEqual([]);
    expect(fields(huawei.validate(material(), options(), { ...account, region: null, endpoint: 'http://127.0.0.1:1', fields: {} }))).toEqual(['projectId']);
    expect(fields(huawei.validate(material(), options(), { ...account, region: 'North China' }))).toEqual(['region']);
    expect(fields(huawei.validate(material(), options(), { ...account, fields: { projectId: '../x' } }))).toEqual(['projectId']);
  });

  it('puts only the certificate and intermediates in cert_content, and common for global', () => {
    const form = certificateForm(material(), options({ type: 'global', instanceId: 'common' }));
    expect(form.cert_content.match(/BEGIN CERTIFICATE/g)).toHaveLength(2);
    expect(form.instance_id).toBe('common');
    expect(form).not.toHaveProperty('cert_content_sign');
  });
});
