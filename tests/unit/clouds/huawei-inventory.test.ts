import { describe, expect, it } from 'vitest';
import { huawei } from '../../../main/clouds/huawei';
import { huaweiSerial, huaweiTimeToIso } from '../../../main/clouds/huawei/inventory';
import type { RemoteCopy } from '../../../main/clouds/provider';
import type { HttpRequest } from '../../../main/clouds/http';
import { context as baseContext, json, ScriptedHttp } from './http-fake';

const PROJECT = '0123456789abcdef0123456789abcdef';
const context = (http: ScriptedHttp, instanceId?: string) =>
  baseContext(
    http,
    { cloud: 'huawei', region: 'cn-north-4', fields: { projectId: PROJECT, ...(instanceId ? { instanceId } : {}) } },
    { accessKeyId: 'HWAKEXAMPLE0000000000', accessKeySecret: 'HwSecretKeyExample00000000000000000000000' },
  );
const target = (request: HttpRequest) => `${request.method} ${request.url.pathname}?${request.url.searchParams.toString()}`;

function cert(id: string): Record<string, unknown> {
  return { id, name: `n_${id}`, common_name: `${id}.example.com`, san: [`${id}.example.com`], not_after: '2026-01-01T00:00:00Z', type: 'global', instance_id: 'common' };
}

describe('Huawei listRemote (ListInstancesV2, then ListCertificatesV2 per gateway)', () => {
  it('lists the global certificates, the configured and every listed gateway, all pages, each id once', async () => {
    const http = new ScriptedHttp(
      json(200, { total: 2, size: 2, instances: [{ id: 'gw-1' }, { id: 'gw-2' }] }),
      json(200, { total: 3, size: 2, certs: [cert('a'), cert('b')] }),
      json(200, { total: 3, size: 1, certs: [cert('c')] }),
      json(200, { total: 1, size: 1, certs: [cert('d')] }),
      json(200, { total: 1, size: 1, certs: [cert('a')] }),
    );
    const copies = await huawei.listRemote!(context(http, 'gw-1'), { pageSize: 2 });
    const base = `/v2/${PROJECT}/apigw`;
    expect(http.requests.map(target)).toEqual([
      `GET ${base}/instances?limit=2&offset=0`,
      `GET ${base}/certificates?instance_id=common&limit=2&offset=0`,
      `GET ${base}/certificates?instance_id=common&limit=2&offset=2`,
      `GET ${base}/certificates?instance_id=gw-1&limit=2&offset=0`,
      `GET ${base}/certificates?instance_id=gw-2&limit=2&offset=0`,
    ]);
    expect(copies.map((copy) => copy.remoteId)).toEqual(['a', 'b', 'c', 'd']);
    expect(copies[0]).toMatchObject({ cloud: 'huawei', name: 'n_a', commonName: 'a.example.com', dnsNames: ['a.example.com'], notAfter: '2026-01-01T00:00:00.000Z', fingerprintSha256: null });
  });

  it('still lists the global certificates when the key may not list gateways', async () => {
    const http = new ScriptedHttp(json(403, { error_code: 'APIG.1005', error_msg: 'No permissions' }), json(200, { total: 1, size: 1, certs: [cert('a')] }));
    const copies = await huawei.listRemote!(context(http));
    expect(copies.map((copy) => copy.remoteId)).toEqual(['a']);
  });

  it('retries a throttled page (APIG.0308, 429)', async () => {
    const http = new ScriptedHttp(
      json(200, { total: 0, size: 0, instances: [] }),
      json(429, { error_code: 'APIG.0308', error_msg: 'throttled' }),
      json(200, { total: 1, size: 1, certs: [cert('a')] }),
    );
    expect(await huawei.listRemote!(context(http))).toHaveLength(1);
  });
});

describe('Huawei remoteDetail (ShowDetailsOfCertificateV2) and time and serial spellings', () => {
  it('reads not_before, serial and issuer; APIG returns no PEM, so no fingerprint', async () => {
    const listed: RemoteCopy = { cloud: 'huawei', remoteId: 'a', name: null, commonName: null, dnsNames: [], notBefore: null, notAfter: null, fingerprintSha256: null, serial: null, issuer: null, certificatePem: null, bindings: [] };
    const http = new ScriptedHttp(
      json(200, { ...cert('a'), not_before: '2025-01-01 08:00:00+08:00', serial_number: '13907095862997510025', issuer: ['Example Org', 'Example CA'] }),
    );
    const copy = await huawei.remoteDetail!(context(http), listed);
    expect(target(http.requests[0]!)).toBe(`GET /v2/${PROJECT}/apigw/certificates/a?`);
    expect(copy).toMatchObject({ notBefore: '2025-01-01T00:00:00.000Z', serial: 'c0ffee0123456789', issuer: 'Example Org, Example CA', fingerprintSha256: null, certificatePem: null });
  });

  it('accepts every time spelling the SDK accepts', () => {
    expect(huaweiTimeToIso('2026-01-01T00:00:00Z')).toBe('2026-01-01T00:00:00.000Z');
    expect(huaweiTimeToIso('2026-01-01T00:00:00')).toBe('2026-01-01T00:00:00.000Z');
    expect(huaweiTimeToIso('2026-01-01 00:00:00')).toBe('2026-01-01T00:00:00.000Z');
    expect(huaweiTimeToIso('2026-01-01T08:00:00+08:00')).toBe('2026-01-01T00:00:00.000Z');
    expect(huaweiTimeToIso('2026-01-01T00:00:00.5Z')).toBe('2026-01-01T00:00:00.500Z');
    expect(huaweiTimeToIso('yesterday')).toBeNull();
  });

  it('reads a digits-only serial as decimal and anything else as hex', () => {
    expect(huaweiSerial('255')).toBe('ff');
    expect(huaweiSerial('00:C0:FF:EE')).toBe('c0ffee');
    expect(huaweiSerial(null)).toBeNull();
  });
});

describe('Huawei bindings (ListAttachedDomainsV2)', () => {
  it('pages each certificate\'s attached domains, one binding per domain even with several ingress ports', async () => {
    const domain = (name: string, id: string, port: number) => ({ url_domain: name, id, instance_id: 'gw-1', api_group_id: 'grp-1', status: 3, ingress_https_port: port });
    const http = new ScriptedHttp(
      json(200, { total: 3, size: 2, bound_domains: [domain('api.example.com', 'd1', 443), domain('api.example.com', 'd1', 8443)] }),
      json(200, { total: 3, size: 1, bound_domains: [domain('v2.example.com', 'd2', 443)] }),
      json(200, { total: 0, size: 0, bound_domains: [] }),
    );
    const copies = ['a', 'b'].map((remoteId) => ({ cloud: 'huawei', remoteId }) as RemoteCopy);
    const bindings = await huawei.bindings!(context(http), copies, { pageSize: 2 });
    expect(http.requests.map(target)).toEqual([
      `GET /v2/${PROJECT}/apigw/certificates/a/attached-domains?limit=2&offset=0`,
      `GET /v2/${PROJECT}/apigw/certificates/a/attached-domains?limit=2&offset=2`,
      `GET /v2/${PROJECT}/apigw/certificates/b/attached-domains?limit=2&offset=0`,
    ]);
    expect(Object.fromEntries(bindings)).toEqual({
      a: [
        { type: 'apig-domain', id: 'gw-1|grp-1|d1', name: 'api.example.com' },
        { type: 'apig-domain', id: 'gw-1|grp-1|d2', name: 'v2.example.com' },
      ],
    });
  });
});
