import { describe, expect, it } from 'vitest';
import { volcengine } from '../../../main/clouds/volcengine';
import type { RemoteCopy } from '../../../main/clouds/provider';
import type { HttpRequest } from '../../../main/clouds/http';
import { context as baseContext, json, ScriptedHttp } from './http-fake';
import { expectNoKeyIn, fullchainPem, leafFacts, leafPem, privateKeyPem } from './inventory-fixtures';

const context = (http: ScriptedHttp) =>
  baseContext(http, { cloud: 'volcengine', fields: { projectName: 'uploads' } }, { accessKeyId: 'AKLTEXAMPLEACCESSKEYID000000000000', accessKeySecret: 'ExampleSecretKey0000000000000000==' });
const ok = (result: Record<string, unknown>) => json(200, { ResponseMetadata: { RequestId: 'r', Action: 'x' }, Result: result });
const call = (request: HttpRequest) => ({ action: request.url.searchParams.get('Action'), body: JSON.parse(request.body!) as unknown });

function cert(id: string): Record<string, unknown> {
  return { ChainID: id, CertID: `${id}-1`, CertName: `n-${id}`, CertDomainList: [`${id}.example.com`], NotBefore: '2025-01-01T00:00:00Z', NotAfter: '2026-01-01T00:00:00Z', Status: 'OK' };
}

describe('Volcengine listRemote (ListCertV2)', () => {
  it('lists enabled and other certificates, every page, in every project', async () => {
    const http = new ScriptedHttp(
      ok({ CertList: [cert('a'), cert('b')], Total: 3 }),
      ok({ CertList: [cert('c')], Total: 3 }),
      ok({ CertList: [cert('d')], Total: 1 }),
    );
    const copies = await volcengine.listRemote!(context(http), { pageSize: 2 });
    expect(http.requests.map(call)).toEqual([
      { action: 'ListCertV2', body: { Available: true, PageNum: 1, PageSize: 2 } },
      { action: 'ListCertV2', body: { Available: true, PageNum: 2, PageSize: 2 } },
      { action: 'ListCertV2', body: { Available: false, PageNum: 1, PageSize: 2 } },
    ]);
    expect(copies.map((copy) => copy.remoteId)).toEqual(['a', 'b', 'c', 'd']);
    expect(copies[0]).toMatchObject({ cloud: 'volcengine', name: 'n-a', commonName: null, dnsNames: ['a.example.com'], notAfter: '2026-01-01T00:00:00.000Z' });
  });

  it('retries a throttled page (FlowLimitExceeded)', async () => {
    const http = new ScriptedHttp(
      json(429, { ResponseMetadata: { RequestId: 'r', Error: { Code: 'FlowLimitExceeded', Message: 'limit' } } }),
      ok({ CertList: [cert('a')], Total: 1 }),
      ok({ CertList: [], Total: 0 }),
    );
    expect(await volcengine.listRemote!(context(http))).toHaveLength(1);
  });
});

describe('Volcengine remoteDetail (DescribeCertDetailSecretV2)', () => {
  it('reads the chain for fingerprint, serial, issuer and names, and drops a key if one comes back', async () => {
    const listed = { cloud: 'volcengine', remoteId: 'a', dnsNames: ['a.example.com'], name: null } as unknown as RemoteCopy;
    const blocks = fullchainPem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)!;
    const http = new ScriptedHttp(ok({ ChainID: 'a', CertName: 'live', SSL: { Chain: blocks, KeyType: 'rsa', PrivateKey: privateKeyPem, Prikey: privateKeyPem }, PrivateKey: privateKeyPem }));
    const copy = await volcengine.remoteDetail!(context(http), listed);
    expect(call(http.requests[0]!)).toEqual({ action: 'DescribeCertDetailSecretV2', body: { ChainID: 'a' } });
    expect(copy).toMatchObject({
      name: 'live',
      commonName: 'rsa2048.example.test',
      dnsNames: ['rsa2048.example.test', '*.rsa2048.example.test'],
      fingerprintSha256: leafFacts.fingerprintSha256,
      serial: leafFacts.serial,
      notAfter: leafFacts.notAfter,
    });
    expect(copy.certificatePem?.startsWith(leafPem.trim())).toBe(true);
    expectNoKeyIn(copy);
  });
});

describe('Volcengine bindings (ListDomainDetail)', () => {
  it('pages the domains and groups those with a ChainID; empty and absent ChainIDs are unbound', async () => {
    const http = new ScriptedHttp(
      ok({ Total: 3, DomainList: [{ Domain: 'pull.example.com', Type: 'pull-flv', ChainID: 'a' }, { Domain: 'idle.example.com', Type: 'pull-flv', ChainID: '' }] }),
      ok({ Total: 3, DomainList: [{ Domain: 'push.example.com', Type: 'push' }] }),
    );
    const bindings = await volcengine.bindings!(context(http), [{ remoteId: 'a' } as RemoteCopy], { pageSize: 2 });
    expect(http.requests.map(call)).toEqual([
      { action: 'ListDomainDetail', body: { PageNum: 1, PageSize: 2 } },
      { action: 'ListDomainDetail', body: { PageNum: 2, PageSize: 2 } },
    ]);
    expect(Object.fromEntries(bindings)).toEqual({ a: [{ type: 'live-pull-flv', id: 'pull.example.com', name: 'pull.example.com' }] });
  });
});
