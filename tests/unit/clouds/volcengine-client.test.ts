import { describe, expect, it } from 'vitest';
import { volcengine, volcengineOptionsSchema, createCertBody, type VolcengineOptions } from '../../../main/clouds/volcengine';
import { classifyVolcengineError, volcengineErrors } from '../../../main/clouds/volcengine/errors';
import { signVolc } from '../../../main/clouds/volcengine/sign';
import { sha256Hex } from '../../../main/clouds/hash';
import { CloudError, type AccountConfig, type CloudCredentials } from '../../../main/clouds/provider';
import { TransportError, type HttpRequest } from '../../../main/clouds/http';
import { context, json, leafInfo, material, pem, ScriptedHttp } from './http-fake';

const AK = 'AKLTEXAMPLEACCESSKEYID000000000000';
const SK = 'ExampleSecretKey0000000000000000==';
const CREATED = json(200, {
  ResponseMetadata: { RequestId: 'req-volc-1', Action: 'CreateCert', Version: '2023-01-01', Service: 'live', Region: 'cn-north-1' },
  Result: { ChainID: '9a47c0151394d93a982edf6e84bba1f', Domain: 'live.example.net', UseWay: 'https' },
});

function volcContext(http: ScriptedHttp, account: Partial<AccountConfig> = {}, credentials: Partial<CloudCredentials> = {}) {
  return context(http, { cloud: 'volcengine', ...account }, { accessKeyId: AK, accessKeySecret: SK, ...credentials });
}

function options(overrides: Partial<VolcengineOptions> = {}): VolcengineOptions {
  return volcengineOptionsSchema.parse({ certName: 'example-cert', ...overrides });
}

function errorAnswer(status: number, code: string, message = 'something went wrong') {
  return json(status, { ResponseMetadata: { RequestId: `req-${code}`, Action: 'CreateCert', Version: '2023-01-01', Service: 'live', Region: 'cn-north-1', Error: { CodeN: 100010, Code: code, Message: message } } });
}

/** Re-derives the signature from what was sent: the wire request must be the signed one. */
function expectSignedAsSent(request: HttpRequest, securityToken?: string): void {
  const signed = signVolc({
    method: 'POST',
    host: request.url.host,
    path: request.url.pathname,
    query: Object.fromEntries(request.url.searchParams),
    xDate: request.headers['X-Date']!,
    headers: { 'X-Content-Sha256': sha256Hex(request.body!), ...(securityToken ? { 'X-Security-Token': securityToken } : {}) },
    payload: request.body!,
    region: 'cn-north-1',
    service: 'live',
    accessKeyId: AK,
    accessKeySecret: SK,
  });
  expect(request.headers.Authorization).toBe(signed.authorization);
}

async function rejection(promise: Promise<unknown>): Promise<CloudError> {
  const error = await promise.then(() => null, (caught: unknown) => caught);
  expect(error).toBeInstanceOf(CloudError);
  return error as CloudError;
}

describe('Volcengine CreateCert request', () => {
  it('POSTs every parameter as JSON to live.volcengineapi.com, signed for cn-north-1/live', async () => {
    const http = new ScriptedHttp(CREATED);
    const result = await volcengine.upload(volcContext(http), material(), options({ projectName: 'prod' }));
    expect(result).toEqual({ remoteId: '9a47c0151394d93a982edf6e84bba1f', requestId: 'req-volc-1', duplicateOf: null });
    const sent = http.requests[0]!;
    expect(sent.method).toBe('POST');
    expect(sent.url.href).toBe('https://live.volcengineapi.com/?Action=CreateCert&Version=2023-01-01');
    expect(sent.headers).toMatchObject({ Host: 'live.volcengineapi.com', 'Content-Type': 'application/json', 'X-Date': '20231114T221320Z', 'X-Content-Sha256': sha256Hex(sent.body!) });
    expect(sent.headers.Authorization).toMatch(
      /^HMAC-SHA256 Credential=AKLTEXAMPLEACCESSKEYID000000000000\/20231114\/cn-north-1\/live\/request, SignedHeaders=host;x-content-sha256;x-date, Signature=[0-9a-f]{64}$/,
    );
    expect(JSON.parse(sent.body!)).toEqual({
      CertName: 'example-cert',
      ProjectName: 'prod',
      UseWay: 'https',
      Rsa: { Pubkey: `${pem('CERTIFICATE', 'MIIBleaf')}${pem('CERTIFICATE', 'MIIBintermediate')}`, Prikey: pem('PRIVATE KEY', 'MIIEkey') },
    });
    expectSignedAsSent(sent);
  });

  it('produces the captured SDK body byte for byte, and the SDK-with-Host signature 4659c215…', async () => {
    const CERT = '-----BEGIN CERTIFICATE-----\nMIIBtest\n-----END CERTIFICATE-----\n';
    const KEY = '-----BEGIN PRIVATE KEY-----\nMIIEtest\n-----END PRIVATE KEY-----\n';
    const http = new ScriptedHttp(CREATED);
    const captured = material({ certificatePem: CERT, chainPem: '', privateKeyPem: KEY });
    await volcengine.upload(volcContext(http), captured, options({ certName: 'test-cert', projectName: 'default' }));
    const sent = http.requests[0]!;
    expect(sent.body).toBe(
      '{"CertName":"test-cert","ProjectName":"default","UseWay":"https","Rsa":{"Pubkey":"-----BEGIN CERTIFICATE-----\\nMIIBtest\\n-----END CERTIFICATE-----\\n","Prikey":"-----BEGIN PRIVATE KEY-----\\nMIIEtest\\n-----END PRIVATE KEY-----\\n"}}',
    );
    expect(sent.headers['X-Content-Sha256']).toBe('e76726f916f7163817d49a79c7a59b2aa195fa2fcd5e6373d87976e03f261a47');
    expect(sent.headers.Authorization).toContain('Signature=4659c215252c989db474038357f5706024b2be4f807eec9ab810b1cd1ec4222c');
  });

  it('replaces an existing chain through ChainID and signs the STS token', async () => {
    const http = new ScriptedHttp(CREATED);
    await volcengine.upload(volcContext(http, {}, { securityToken: 'STS2eyJ0b2tlbiI6InRlc3QifQ==' }), material(), options({ chainId: '9a47c0151394d93a982edf6e84bba1f' }));
    const sent = http.requests[0]!;
    expect(JSON.parse(sent.body!)).toMatchObject({ ChainID: '9a47c0151394d93a982edf6e84bba1f' });
    expect(sent.headers['X-Security-Token']).toBe('STS2eyJ0b2tlbiI6InRlc3QifQ==');
    expect(sent.headers.Authorization).toContain('SignedHeaders=host;x-content-sha256;x-date;x-security-token,');
    expectSignedAsSent(sent, 'STS2eyJ0b2tlbiI6InRlc3QifQ==');
  });

  it('goes to the endpoint override with its port, still scoped cn-north-1/live', async () => {
    const http = new ScriptedHttp(CREATED);
    await volcengine.upload(volcContext(http, { endpoint: 'http://127.0.0.1:9443' }), material(), options());
    const sent = http.requests[0]!;
    expect(sent.url.href).toBe('http://127.0.0.1:9443/?Action=CreateCert&Version=2023-01-01');
    expect(sent.headers.Host).toBe('127.0.0.1:9443');
    expect(sent.headers.Authorization).toContain('/cn-north-1/live/request');
    expectSignedAsSent(sent);
  });

  it('reads the RequestID spelling of the CreateCert example', async () => {
    const http = new ScriptedHttp(json(200, { ResponseMetadata: { RequestID: '2020091618492801022706705734830' }, Result: { ChainID: 'abc' } }));
    expect(await volcengine.upload(volcContext(http), material(), options())).toMatchObject({ remoteId: 'abc', requestId: '2020091618492801022706705734830' });
  });

  it('refuses missing credentials and invalid material before sending anything', async () => {
    const http = new ScriptedHttp();
    const noKeys = await rejection(volcengine.upload(volcContext(http, {}, { accessKeySecret: '' }), material(), options()));
    expect(noKeys.info).toMatchObject({ code: 'credentials.missing', kind: 'auth', mayHaveReachedServer: false });
    const sm2 = await rejection(volcengine.upload(volcContext(http), material({ leaf: leafInfo({ keyAlgorithm: 'SM2' }) }), options()));
    expect(sm2.info).toMatchObject({ code: 'preflight', kind: 'invalid' });
    expect(sm2.info.hint.en).toContain('SM2');
    expect(http.requests).toHaveLength(0);
  });
});

describe('Volcengine error answers', () => {
  it('checks ResponseMetadata.Error even with HTTP 200 (CommonErr, flow limits)', async () => {
    const common = await rejection(volcengine.upload(volcContext(new ScriptedHttp(errorAnswer(200, 'CommonErr'))), material(), options()));
    expect(common.info).toMatchObject({ code: 'CommonErr', kind: 'server', retryable: true, httpStatus: 200, requestId: 'req-CommonErr' });
    const flow = await rejection(volcengine.upload(volcContext(new ScriptedHttp(errorAnswer(200, 'AccountFlowLimitExceeded'))), material(), options()));
    expect(flow.info).toMatchObject({ kind: 'throttled', retryable: true });
  });

  it('maps SignatureDoesNotMatch to auth, scrubbing an echoed key and signature', async () => {
    const echoed = `The request signature we calculated does not match. AccessKeyId=${AK} Signature=${'ab'.repeat(32)}`;
    const error = await rejection(volcengine.upload(volcContext(new ScriptedHttp(errorAnswer(401, 'SignatureDoesNotMatch', echoed))), material(), options()));
    expect(error.info).toMatchObject({ code: 'SignatureDoesNotMatch', kind: 'auth', retryable: false, httpStatus: 401 });
    expect(error.info.message).not.toContain(AK);
    expect(error.info.message).not.toContain('ab'.repeat(32));
  });

  it('treats any HTTP 429 as throttled, and reads Retry-After', async () => {
    const http = new ScriptedHttp(json(429, { ResponseMetadata: { RequestId: 'r', Error: { Code: 'RequestThrottled', Message: 'slow down' } } }, { 'retry-after': '1' }));
    const error = await rejection(volcengine.upload(volcContext(http), material(), options()));
    expect(error.info).toMatchObject({ kind: 'throttled', retryable: true, retryAfterMs: 1000 });
    expect(classifyVolcengineError('SomethingNew', 429).kind).toBe('throttled');
    expect(classifyVolcengineError('FlowLimitExceeded', 200).kind).toBe('throttled');
  });

  it('maps the CreateCert table and the gateway codes', () => {
    expect(classifyVolcengineError('InvalidParam.OutOfRange', 400)).toMatchObject({ kind: 'invalid', retryable: false });
    expect(classifyVolcengineError('InvalidParam.SomethingUndocumented', 400).kind).toBe('invalid');
    expect(classifyVolcengineError('RequestForbidden.BillingStatus', 403).kind).toBe('auth');
    expect(classifyVolcengineError('ResourceNotFound', 404).kind).toBe('invalid');
    expect(classifyVolcengineError('InternalServiceTimeout', 504)).toMatchObject({ kind: 'server', retryable: true });
    expect(classifyVolcengineError('InvalidTimestamp', 400)).toMatchObject({ kind: 'auth', retryable: false });
    expect(classifyVolcengineError('InvalidActionOrVersion', 404).kind).toBe('invalid');
    expect(classifyVolcengineError('Unheard', 503).kind).toBe('server');
  });

  it('gives every documented code an English and a Chinese hint, and never retries auth', () => {
    expect(Object.keys(volcengineErrors)).toEqual(expect.arrayContaining(['CommonErr', 'InvalidParam', 'InvalidParam.BindError', 'InvalidParam.OutOfRange', 'RequestForbidden', 'RequestForbidden.AccountIDNotAllow', 'RequestForbidden.BillingStatus', 'ResourceNotFound', 'InternalError', 'InternalError.DB', 'InternalServiceError', 'InternalServiceError.BadResponse', 'InternalServiceTimeout', 'SignatureDoesNotMatch', 'AccessDenied']));
    for (const code of Object.keys(volcengineErrors)) {
      const known = classifyVolcengineError(code, null);
      expect(known.hint.en.length).toBeGreaterThan(20);
      expect(known.hint['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      if (known.kind === 'auth') expect(known.retryable).toBe(false);
    }
  });

  it('handles non-JSON gateway pages and 200 answers without a Result', async () => {
    const html = await rejection(volcengine.upload(volcContext(new ScriptedHttp(() => ({ status: 502, headers: {}, body: '<html>502</html>' }))), material(), options()));
    expect(html.info).toMatchObject({ code: 'HTTP.502', kind: 'server' });
    const empty = await rejection(volcengine.upload(volcContext(new ScriptedHttp(json(200, { ResponseMetadata: { RequestId: 'r-empty' } }))), material(), options()));
    expect(empty.info).toMatchObject({ code: 'response.malformed', kind: 'server', retryable: false, requestId: 'r-empty' });
  });

  it('turns a transport failure into a network CloudError', async () => {
    const http = { send: () => Promise.reject(new TransportError('timeout', 'no answer within 30 s', true, true)) };
    const error = await rejection(volcengine.upload(context(http, { cloud: 'volcengine' }, { accessKeyId: AK, accessKeySecret: SK }), material(), options()));
    expect(error.info).toMatchObject({ cloud: 'volcengine', kind: 'network', mayHaveReachedServer: true });
  });
});

describe('Volcengine ListCertV2', () => {
  it('pages through the account project and maps CertDomainList', async () => {
    const item = (i: number) => ({ ChainID: `chain${i}`, CertID: `cert${i}`, CertName: `name${i}`, CertDomainList: ['live.example.com'], NotBefore: '2025-01-01T00:00:00Z', NotAfter: '2026-01-31T23:59:59Z', Status: 'running', ProjectName: 'prod' });
    const http = new ScriptedHttp(
      json(200, { ResponseMetadata: { RequestId: 'l1' }, Result: { CertList: Array.from({ length: 100 }, (_, i) => item(i)), Total: 101 } }),
      json(200, { ResponseMetadata: { RequestId: 'l2' }, Result: { CertList: [item(100)], Total: 101 } }),
    );
    const listed = await volcengine.list(volcContext(http, { fields: { projectName: 'prod' } }), { search: 'live.example.com' });
    expect(listed).toHaveLength(101);
    expect(listed[100]).toEqual({ remoteId: 'chain100', name: 'name100', commonName: null, domains: ['live.example.com'], notAfter: '2026-01-31T23:59:59Z', fingerprintSha1: null, fingerprintSha256: null });
    const [first, second] = http.requests;
    expect(first!.url.search).toBe('?Action=ListCertV2&Version=2023-01-01');
    expect(JSON.parse(first!.body!)).toEqual({ PageNum: 1, PageSize: 100, ProjectName: 'prod', Domain: 'live.example.com' });
    expect(JSON.parse(second!.body!)).toMatchObject({ PageNum: 2 });
    expectSignedAsSent(first!);
  });
});

describe('Volcengine pre-flight validation', () => {
  const account: AccountConfig = { cloud: 'volcengine', region: null, endpoint: null, fields: {} };
  const fields = (issues: readonly { field: string }[]) => issues.map((issue) => issue.field);

  it('accepts the defaults: a CN-and-expiry name, the account project, https', () => {
    const defaults = volcengine.defaultOptions(material(), { ...account, fields: { projectName: 'prod' } });
    expect(defaults).toEqual({ certName: 'example.com-20260131-1a2b3c4d', projectName: 'prod', useWay: 'https' });
    expect(volcengine.validate(material(), defaults, account)).toEqual([]);
    expect(volcengine.defaultOptions(material(), account).projectName).toBe('default');
  });

  it('requires an unencrypted private key', () => {
    expect(fields(volcengine.validate(material({ privateKeyPem: null }), options(), account))).toEqual(['privateKey']);
    const pkcs8 = volcengine.validate(material({ privateKeyPem: pem('ENCRYPTED PRIVATE KEY', 'MIIEenc') }), options(), account);
    expect(pkcs8[0]!.message.en).toContain('password');
    const traditional = '-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-256-CBC,00\n\nabc\n-----END RSA PRIVATE KEY-----\n';
    expect(fields(volcengine.validate(material({ privateKeyPem: traditional }), options(), account))).toEqual(['privateKey']);
  });

  it('rejects SM2 (leaf or dual certificate) with a message that says so', () => {
    const issues = volcengine.validate(material({ sm2Sign: { certificatePem: pem('CERTIFICATE', 'x'), privateKeyPem: pem('PRIVATE KEY', 'y') } }), options(), account);
    expect(fields(issues)).toEqual(['algorithm']);
    expect(issues[0]!.message['zh-CN']).toContain('SM2');
  });

  it('checks the chain id and project name, and allows only https', () => {
    expect(fields(volcengine.validate(material(), options({ chainId: 'abc def' }), account))).toEqual(['chainId']);
    expect(fields(volcengine.validate(material(), options({ projectName: '' }), account))).toEqual(['projectName']);
    expect(volcengineOptionsSchema.safeParse({ useWay: 'sign' }).success).toBe(false);
  });

  it('builds the body with the documented Rsa.Pubkey / Rsa.Prikey spelling', () => {
    const body = createCertBody(material(), options());
    expect(Object.keys(body.Rsa)).toEqual(['Pubkey', 'Prikey']);
    expect(body).not.toHaveProperty('ChainID');
  });
});
