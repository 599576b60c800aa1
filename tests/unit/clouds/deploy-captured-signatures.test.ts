import { describe, expect, it } from 'vitest';
import { sha256Hex } from '../../../main/clouds/hash';
import { buildHuaweiRequest } from '../../../main/clouds/huawei/client';
import { buildVolcengineRequest } from '../../../main/clouds/volcengine/client';
import { signCanonical, xDate } from '../../../main/clouds/volcengine/sign';

// DEPLOY.md §5.1: signatures the official SDKs produced at 1700000000 (2023-11-14T22:13:20Z) for
// the deploy calls, reproduced by our signers. Volcengine's SDK signs Host only when it is given:
// the variants without it are rebuilt from our own canonical request minus the host line.

const NOW = new Date(1_700_000_000_000);
const signatureOf = (authorization: string | undefined) => /Signature=([0-9a-f]{64})$/.exec(authorization ?? '')?.[1];
const signedHeadersOf = (authorization: string | undefined) => /SignedHeaders=([^,]+),/.exec(authorization ?? '')?.[1];

describe('Huawei (HW oracle, @huaweicloud/huaweicloud-sdk-core 3.1.211)', () => {
  const ctx = {
    account: { cloud: 'huawei' as const, region: 'cn-north-4', endpoint: null, fields: {} },
    credentials: { accessKeyId: 'HWAKEXAMPLE0000000000', accessKeySecret: 'HwSecretKeyExample00000000000000000000000' },
  };
  const project = '0123456789abcdef0123456789abcdef';
  const certificate = `/v2/${project}/apigw/certificates/c0ffee00c0ffee00c0ffee00c0ffee00`;

  it('ListAttachedDomainsV2 with offset 0, limit 100', () => {
    const request = buildHuaweiRequest(ctx, { method: 'GET', service: 'apig', path: `${certificate}/attached-domains`, query: { offset: '0', limit: '100' }, projectId: project }, NOW);
    expect(request.url.href).toBe(`https://apig.cn-north-4.myhuaweicloud.com${certificate}/attached-domains?limit=100&offset=0`);
    expect(signedHeadersOf(request.headers.Authorization)).toBe('content-type;host;x-project-id;x-sdk-date');
    expect(signatureOf(request.headers.Authorization)).toBe('1a28d3eeafab41523aebef76cb5819dfc4b55043955d870eac15032887e6aa26');
  });

  it('BatchAssociateDomainsV2 with one domain', () => {
    const body = '{"domains":[{"domain":"api.example.com","instance_ids":["inst0001"],"verified_client_certificate_enabled":false}]}';
    expect(sha256Hex(body)).toBe('b5b430d3e903f413305c39bb8357d7b5aeaa9113756cafa809f778205bc75388');
    const request = buildHuaweiRequest(ctx, { method: 'POST', service: 'apig', path: `${certificate}/domains/attach`, body, projectId: project }, NOW);
    expect(signatureOf(request.headers.Authorization)).toBe('2e20c75f2becb4feea7259f55b47d487eab6ec6a60671d37c2ab3a843fe8d5fd');
  });
});

describe('Volcengine (VO oracle, @volcengine/openapi 1.36.2)', () => {
  const ctx = {
    account: { cloud: 'volcengine' as const, region: null, endpoint: null, fields: {} },
    credentials: { accessKeyId: 'AKLTEXAMPLEACCESSKEYID000000000000', accessKeySecret: 'ExampleSecretKey0000000000000000==' },
  };
  const secret = ctx.credentials.accessKeySecret;

  /** The SDK's variant without Host: our canonical request with the host header taken out. */
  function withoutHost(action: string, body: object): string {
    const request = buildVolcengineRequest(ctx, action, body, NOW);
    const payload = request.body ?? '';
    const canonical = ['POST', '/', `Action=${action}&Version=2023-01-01`, `x-content-sha256:${sha256Hex(payload)}\nx-date:${xDate(NOW)}\n`, 'x-content-sha256;x-date', sha256Hex(payload)].join('\n');
    return signCanonical(canonical, xDate(NOW), { region: 'cn-north-1', service: 'live', accessKeySecret: secret }).signature;
  }

  it('BindCert, with Host signed (as the client sends it) and without', () => {
    const body = { Domain: 'pull.example.com', ChainID: 'chain0000000000000000000000000001', HTTPS: true };
    const request = buildVolcengineRequest(ctx, 'BindCert', body, NOW);
    expect(sha256Hex(request.body ?? '')).toBe('5d3700f19e14f87b6000403037631940243fe7b9e92d7097d3090d825c3f9cc6');
    expect(signedHeadersOf(request.headers.Authorization)).toBe('host;x-content-sha256;x-date');
    expect(signatureOf(request.headers.Authorization)).toBe('5e2b30857b9bb8344b0257468ed58fff3a0a940bc313e1e939c5cb330e91ce00');
    expect(withoutHost('BindCert', body)).toBe('8407b91e66d76f1d4a0bf655313d3ecc3d667c297d4c0d4b76eec805d401b22d');
  });

  it('ListCertV2 with an empty body', () => {
    expect(sha256Hex(buildVolcengineRequest(ctx, 'ListCertV2', {}, NOW).body ?? '')).toBe('44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a');
    expect(withoutHost('ListCertV2', {})).toBe('25a574637eb79957e5a8829ec7ea5bb66b1e4f6004f4b22dc83847744e6d26a5');
  });
});
