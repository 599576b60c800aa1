import { describe, expect, it } from 'vitest';
import { aliyun } from '../../../main/clouds/aliyun';
import { CloudError, type RemoteCopy } from '../../../main/clouds/provider';
import type { HttpRequest } from '../../../main/clouds/http';
import { context as baseContext, json, ScriptedHttp } from './http-fake';
import { expectNoKeyIn, fullchainPem, leafFacts, privateKeyPem } from './inventory-fixtures';

const context = (http: ScriptedHttp) =>
  baseContext(http, { cloud: 'aliyun', fields: { resourceGroupId: 'rg-uploads' } }, { accessKeyId: 'LTAIEXAMPLEACCESSKEY', accessKeySecret: 'ExampleAccessKeySecret0000000000' });
const paramsOf = (request: HttpRequest) => Object.fromEntries(new URLSearchParams(request.body ?? request.url.search.slice(1)));
const page = (items: Record<string, unknown>[], total: number) => json(200, { CertificateOrderList: items, TotalCount: total, RequestId: 'r' });

function upload(id: number): Record<string, unknown> {
  return {
    CertificateId: id,
    Name: `cert-${id}`,
    CommonName: `c${id}.example.com`,
    Sans: `c${id}.example.com,www.c${id}.example.com`,
    StartDate: '2025-01-01',
    EndDate: '2026-01-01',
    Sha2: 'AB'.repeat(32),
    SerialNo: '00c0ffee',
    Issuer: 'Example CA',
  };
}

describe('Alibaba listRemote (ListUserCertificateOrder)', () => {
  it('lists valid and expired uploads, then bought certificates, every page, without narrowing to a resource group', async () => {
    const http = new ScriptedHttp(
      page([upload(1), upload(2)], 3),
      page([upload(3)], 3),
      page([upload(4)], 1),
      page([{ CertificateId: 5, Name: 'bought', Domain: 'buy.example.com', Sans: 'buy.example.com', CertStartTime: 1735689600000, CertEndTime: 1767225600000, OrderId: 9 }, { OrderId: 10, Status: 'PAYED' }], 2),
      page([], 0),
    );
    const copies = await aliyun.listRemote!(context(http), { pageSize: 2 });
    expect(http.requests.map(paramsOf)).toEqual([
      { OrderType: 'UPLOAD', CurrentPage: '1', ShowSize: '2' },
      { OrderType: 'UPLOAD', CurrentPage: '2', ShowSize: '2' },
      { OrderType: 'UPLOAD', Status: 'EXPIRED', CurrentPage: '1', ShowSize: '2' },
      { OrderType: 'BUY', CurrentPage: '1', ShowSize: '2' },
      { OrderType: 'CPACK', CurrentPage: '1', ShowSize: '2' },
    ]);
    expect(http.requests.every((request) => request.headers['x-acs-action'] === 'ListUserCertificateOrder')).toBe(true);
    expect(copies.map((copy) => copy.remoteId)).toEqual(['1', '2', '3', '4', '5']);
    expect(copies[0]).toEqual({
      cloud: 'aliyun',
      remoteId: '1',
      name: 'cert-1',
      commonName: 'c1.example.com',
      dnsNames: ['c1.example.com', 'www.c1.example.com'],
      notBefore: '2025-01-01T00:00:00.000Z',
      notAfter: '2026-01-01T00:00:00.000Z',
      fingerprintSha256: 'ab'.repeat(32),
      serial: 'c0ffee',
      issuer: 'Example CA',
      certificatePem: null,
      bindings: [],
    });
    expect(copies[4]).toMatchObject({ commonName: 'buy.example.com', notBefore: '2025-01-01T00:00:00.000Z', notAfter: '2026-01-01T00:00:00.000Z' });
  });

  it('skips the bought certificates when the key may not list orders, but not the uploads', async () => {
    const denied = json(403, { Code: 'Forbidden.RAM', Message: 'User not authorized', RequestId: 'r' });
    const http = new ScriptedHttp(page([upload(1)], 1), page([], 0), denied, denied);
    const copies = await aliyun.listRemote!(context(http));
    expect(copies.map((copy) => copy.remoteId)).toEqual(['1']);

    const uploadsDenied = new ScriptedHttp(denied);
    const error = await aliyun.listRemote!(context(uploadsDenied)).catch((caught: unknown) => caught);
    expect((error as CloudError).info).toMatchObject({ code: 'Forbidden.RAM', kind: 'auth' });
  });

  it('retries a throttled page with a fresh nonce', async () => {
    const http = new ScriptedHttp(
      json(400, { Code: 'Throttling.User', Message: 'flow control', RequestId: 'r' }),
      page([upload(1)], 1),
      page([], 0),
      page([], 0),
      page([], 0),
    );
    const copies = await aliyun.listRemote!(context(http));
    expect(copies).toHaveLength(1);
    expect(http.requests[0]!.headers['x-acs-signature-nonce']).not.toBe(http.requests[1]!.headers['x-acs-signature-nonce']);
  });
});

const listed: RemoteCopy = {
  cloud: 'aliyun', remoteId: '1', name: 'cert-1', commonName: 'c1.example.com', dnsNames: ['c1.example.com'], notBefore: '2025-01-01T00:00:00.000Z',
  notAfter: '2026-01-01T00:00:00.000Z', fingerprintSha256: null, serial: null, issuer: null, certificatePem: null, bindings: [],
};

describe('Alibaba remoteDetail (GetUserCertificateDetail)', () => {
  it('asks with CertFilter=true and reads the exact times and fingerprints', async () => {
    const http = new ScriptedHttp(
      json(200, { Id: 1, Name: 'cert-1', Common: 'c1.example.com', Sans: 'c1.example.com', NotBefore: 1735689600000, NotAfter: 1767225599000, Sha2: 'CD'.repeat(32), SerialNo: '0abc', Issuer: 'Example CA', RequestId: 'r' }),
    );
    const copy = await aliyun.remoteDetail!(context(http), listed);
    expect(paramsOf(http.requests[0]!)).toEqual({ CertId: '1', CertFilter: 'true' });
    expect(copy).toMatchObject({ notAfter: '2025-12-31T23:59:59.000Z', fingerprintSha256: 'cd'.repeat(32), serial: 'abc', certificatePem: null });
  });

  it('keeps only the certificate when a server ignores the filter and returns the keys', async () => {
    const http = new ScriptedHttp(
      json(200, { Id: 1, Cert: fullchainPem, Key: privateKeyPem, SignPrivateKey: privateKeyPem, EncryptPrivateKey: privateKeyPem, RequestId: 'r' }),
    );
    const copy = await aliyun.remoteDetail!(context(http), listed);
    expect(copy).toMatchObject({ fingerprintSha256: leafFacts.fingerprintSha256, serial: leafFacts.serial });
    expect(copy.certificatePem).toContain('-----BEGIN CERTIFICATE-----');
    expectNoKeyIn(copy);
  });
});

describe('Alibaba bindings (ListCloudResources)', () => {
  it('walks every resource page once and groups them by the certificate they serve', async () => {
    const resource = (id: number, certId: number, product: string, domain: string) => ({ Id: id, CertId: certId, CloudProduct: product, Domain: domain, CloudName: 'aliyun' });
    const http = new ScriptedHttp(
      json(200, { Data: [resource(1, 1, 'CDN', 'a.example.com'), resource(2, 99, 'CDN', 'other.example.com')], Total: 3, RequestId: 'r' }),
      json(200, { Data: [resource(3, 1, 'SLB', 'lb.example.com')], Total: 3, RequestId: 'r' }),
    );
    const bindings = await aliyun.bindings!(context(http), [listed], { pageSize: 2 });
    expect(http.requests.map(paramsOf)).toEqual([
      { CloudName: 'aliyun', CurrentPage: '1', ShowSize: '2' },
      { CloudName: 'aliyun', CurrentPage: '2', ShowSize: '2' },
    ]);
    expect(http.requests[0]!.headers['x-acs-action']).toBe('ListCloudResources');
    expect(Object.fromEntries(bindings)).toEqual({
      1: [
        { type: 'CDN', id: '1', name: 'a.example.com' },
        { type: 'SLB', id: '3', name: 'lb.example.com' },
      ],
    });
  });
});
