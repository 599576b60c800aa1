import { describe, expect, it } from 'vitest';
import { huawei } from '../../../main/clouds/huawei';
import type { DeployResource, DeployStep } from '../../../main/clouds/deploy';
import { TransportError, type HttpRequest } from '../../../main/clouds/http';
import { CloudError } from '../../../main/clouds/provider';
import { context as baseContext, json, material, pem, ScriptedHttp } from './http-fake';

const PROJECT = '0123456789abcdef0123456789abcdef';
const BASE = `/v2/${PROJECT}/apigw`;
const deployer = huawei.deployer!;
const context = (http: ScriptedHttp) =>
  baseContext(http, { cloud: 'huawei', region: 'cn-north-4', fields: { projectId: PROJECT } }, { accessKeyId: 'HWAKEXAMPLE0000000000', accessKeySecret: 'HwSecretKeyExample00000000000000000000000' });
const target = (request: HttpRequest) => `${request.method} ${request.url.pathname}${request.url.search}`;
const bodyOf = (request: HttpRequest | undefined) => JSON.parse(request?.body ?? 'null') as unknown;
const noContent = () => ({ status: 204, headers: {}, body: '' });

const domainA: DeployResource = {
  type: 'apig-domain', id: 'dom-a', name: 'a.example.com', domains: ['a.example.com'], region: 'cn-north-4', port: null,
  detail: { instance_id: 'gw-1', api_group_id: 'grp-1', verified_client_certificate_enabled: true },
};
const rebind = (resources: readonly DeployResource[] = [domainA]): DeployStep => ({ mode: 'rebind', oldRemoteId: 'OLD', newRemoteId: 'NEW', resources, material: null, muteOld: false });
const group = (sslInfos: { ssl_id: string; algorithm_type: string }[]) => json(200, { id: 'grp-1', url_domains: [{ id: 'dom-a', domain: 'a.example.com', ssl_id: sslInfos[0]?.ssl_id ?? '', ssl_infos: sslInfos }] });

describe('Huawei discover (ListAttachedDomainsV2)', () => {
  it('reads every page at limit 500 and lists each domain once, keeping a custom HTTPS port', async () => {
    const item = (id: string, domain: string, port?: number) => ({ id, url_domain: domain, instance_id: 'gw-1', api_group_id: 'grp-1', status: 3, min_ssl_version: 'TLSv1.2', ...(port ? { ingress_https_port: port } : {}) });
    const http = new ScriptedHttp(
      json(200, { total: 3, size: 2, bound_domains: [item('dom-a', 'a.example.com'), item('dom-b', 'b.example.com')] }),
      json(200, { total: 3, size: 1, bound_domains: [item('dom-b', 'b.example.com', 8443)] }),
    );
    const found = await deployer.discover(context(http), 'OLD');
    expect(http.requests.map(target)).toEqual([`GET ${BASE}/certificates/OLD/attached-domains?limit=500&offset=0`, `GET ${BASE}/certificates/OLD/attached-domains?limit=500&offset=2`]);
    expect(found.map((resource) => [resource.id, resource.name, resource.port])).toEqual([['dom-a', 'a.example.com', null], ['dom-b', 'b.example.com', 8443]]);
    expect(found[0]?.detail).toEqual({ instance_id: 'gw-1', api_group_id: 'grp-1', verified_client_certificate_enabled: false });
  });
});

describe('Huawei start (rebind)', () => {
  it('attaches NEW with the domain and its own verification flag, confirms, and detaches OLD still bound beside it', async () => {
    const http = new ScriptedHttp(noContent, group([{ ssl_id: 'OLD', algorithm_type: 'RSA' }, { ssl_id: 'NEW', algorithm_type: 'RSA' }]), noContent);
    const handle = await deployer.start(context(http), rebind());
    expect(http.requests.map(target)).toEqual([`POST ${BASE}/certificates/NEW/domains/attach`, `GET ${BASE}/instances/gw-1/api-groups/grp-1`, `POST ${BASE}/certificates/OLD/domains/detach`]);
    expect(bodyOf(http.requests[0])).toEqual({ domains: [{ domain: 'a.example.com', instance_ids: ['gw-1'], verified_client_certificate_enabled: true }] });
    expect(bodyOf(http.requests[2])).toEqual({ domains: [{ domain: 'a.example.com', instance_ids: ['gw-1'] }] });
    expect(http.requests[0]?.headers['X-Project-Id']).toBe(PROJECT);
    expect(handle).toEqual({ ref: null, data: { phase: 'start', startedAt: '2023-11-14T22:13:20.000Z', outcomes: [{ resourceId: 'dom-a', state: 'deployed', error: null }] } });
  });

  it('detaches nothing when the attach replaced OLD, or when OLD is of another algorithm', async () => {
    const http = new ScriptedHttp(noContent, group([{ ssl_id: 'NEW', algorithm_type: 'RSA' }]), noContent, group([{ ssl_id: 'NEW', algorithm_type: 'RSA' }, { ssl_id: 'OLD', algorithm_type: 'SM2' }]));
    const domainB = { ...domainA, id: 'dom-b' };
    await deployer.start(context(http), rebind([domainA, domainB]));
    expect(http.requests.filter((request) => request.url.pathname.endsWith('/detach'))).toEqual([]);
  });

  it('never detaches OLD where NEW is not bound: a refused attach fails that domain with a deploy hint', async () => {
    const http = new ScriptedHttp(json(400, { error_code: 'APIG.3999', error_msg: 'the certificate does not match the domain' }));
    const handle = await deployer.start(context(http), rebind());
    expect(http.requests).toHaveLength(1);
    const [outcome] = handle.data.outcomes as { state: string; error: { code: string; hint: { en: string } } }[];
    expect(outcome).toMatchObject({ state: 'failed', error: { code: 'APIG.3999' } });
    expect(outcome?.error.hint.en).toContain('covers the domain');
  });

  it('fails a domain the attach answered 204 for but that does not list NEW, without detaching', async () => {
    const http = new ScriptedHttp(noContent, group([{ ssl_id: 'OLD', algorithm_type: 'RSA' }]));
    const handle = await deployer.start(context(http), rebind());
    expect(http.requests).toHaveLength(2);
    expect(handle.data.outcomes).toEqual([{ resourceId: 'dom-a', state: 'failed', error: expect.objectContaining({ code: 'deploy.not_applied' }) }]);
  });

  it('leaves an attach of unknown fate running, and poll settles it from what the domains carry', async () => {
    const lost = () => {
      throw new TransportError('ECONNRESET', 'socket hang up', true, true);
    };
    const http = new ScriptedHttp(lost);
    const step = rebind();
    const handle = await deployer.start(context(http), step);
    expect(handle.data.outcomes).toEqual([{ resourceId: 'dom-a', state: 'running', error: expect.objectContaining({ code: 'ECONNRESET', mayHaveReachedServer: true }) }]);

    const reads = new ScriptedHttp(json(200, { total: 1, size: 1, bound_domains: [{ id: 'dom-a', url_domain: 'a.example.com' }] }), json(200, { total: 0, size: 0, bound_domains: [] }));
    const state = await deployer.poll(context(reads), step, handle);
    expect(reads.requests.map(target)).toEqual([`GET ${BASE}/certificates/NEW/attached-domains?limit=500&offset=0`, `GET ${BASE}/certificates/OLD/attached-domains?limit=500&offset=0`]);
    expect(state).toEqual({ finished: true, resources: [{ resourceId: 'dom-a', state: 'deployed', error: null }] });
  });
});

describe('Huawei in place (UpdateCertificateV2)', () => {
  const sm2 = material({ sm2Sign: { certificatePem: pem('CERTIFICATE', 'MIIBsign'), privateKeyPem: pem('PRIVATE KEY', 'MIIEsignkey') } });
  const step: DeployStep = { mode: 'in-place', oldRemoteId: 'OLD', newRemoteId: 'OLD', resources: [domainA], material: sm2, muteOld: false };

  it("PUTs NEW's material under OLD's name, type, instance and algorithm, with the SM2 signing pair", async () => {
    const http = new ScriptedHttp(json(200, { id: 'OLD', name: 'old_cert', type: 'instance', instance_id: 'gw-1', algorithm_type: 'SM2', is_has_trusted_root_ca: false }), json(200, { id: 'OLD' }));
    const handle = await deployer.start(context(http), step);
    expect(http.requests.map(target)).toEqual([`GET ${BASE}/certificates/OLD`, `PUT ${BASE}/certificates/OLD`]);
    expect(bodyOf(http.requests[1])).toEqual({
      name: 'old_cert',
      cert_content: `${sm2.certificatePem}${sm2.chainPem}`,
      private_key: sm2.privateKeyPem,
      type: 'instance',
      instance_id: 'gw-1',
      algorithm_type: 'SM2',
      cert_content_sign: sm2.sm2Sign!.certificatePem,
      private_key_sign: sm2.sm2Sign!.privateKeyPem,
    });
    expect(handle.data.outcomes).toEqual([{ resourceId: 'dom-a', state: 'running', error: null }]);

    const reads = new ScriptedHttp(json(200, { id: 'OLD', serial_number: '1', not_after: '2026-01-31 23:59:59' }));
    expect(await deployer.poll(context(reads), step, handle)).toEqual({ finished: true, resources: [{ resourceId: 'dom-a', state: 'deployed', error: null }] });
    const stale = new ScriptedHttp(json(200, { id: 'OLD', serial_number: '1', not_after: '2025-01-31T23:59:59Z' }));
    expect((await deployer.poll(context(stale), step, handle)).resources).toEqual([{ resourceId: 'dom-a', state: 'failed', error: expect.objectContaining({ code: 'deploy.not_applied' }) }]);
  });

  it('refuses to write in place over a trusted root CA it cannot send back', async () => {
    const http = new ScriptedHttp(json(200, { id: 'OLD', name: 'old_cert', type: 'global', instance_id: 'common', algorithm_type: 'RSA', is_has_trusted_root_ca: true }));
    const handle = await deployer.start(context(http), { ...step, material: material() });
    expect(http.requests).toHaveLength(1);
    expect(handle.data.outcomes).toEqual([{ resourceId: 'dom-a', state: 'failed', error: expect.objectContaining({ code: 'deploy.in_place_impossible' }) }]);
  });
});

describe('Huawei retire', () => {
  it('deletes an unbound certificate (DELETE → 204)', async () => {
    const http = new ScriptedHttp(json(200, { total: 0, size: 0, bound_domains: [] }), noContent);
    await deployer.retire(context(http), 'OLD', 'delete');
    expect(http.requests.map(target)).toEqual([`GET ${BASE}/certificates/OLD/attached-domains?limit=500&offset=0`, `DELETE ${BASE}/certificates/OLD`]);
    expect(http.requests[1]?.body).toBeUndefined();
  });

  it('detaches OLD where another certificate of its algorithm is bound beside it (APIG.2000 = already done), then deletes', async () => {
    const http = new ScriptedHttp(
      json(200, { total: 1, size: 1, bound_domains: [{ id: 'dom-a', url_domain: 'a.example.com', instance_id: 'gw-1', api_group_id: 'grp-1' }] }),
      group([{ ssl_id: 'NEW', algorithm_type: 'RSA' }, { ssl_id: 'OLD', algorithm_type: 'RSA' }]),
      json(400, { error_code: 'APIG.2000', error_msg: 'no valid domain name' }),
      noContent,
    );
    await deployer.retire(context(http), 'OLD', 'delete');
    expect(http.requests.map((request) => request.method)).toEqual(['GET', 'GET', 'POST', 'DELETE']);
  });

  it('refuses while OLD alone serves a domain, and cannot mute', async () => {
    const http = new ScriptedHttp(
      json(200, { total: 1, size: 1, bound_domains: [{ id: 'dom-a', url_domain: 'a.example.com', instance_id: 'gw-1', api_group_id: 'grp-1' }] }),
      group([{ ssl_id: 'OLD', algorithm_type: 'RSA' }]),
    );
    const error = await deployer.retire(context(http), 'OLD', 'delete').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CloudError);
    expect((error as CloudError).info).toMatchObject({ code: 'deploy.still_bound', kind: 'conflict', mayHaveReachedServer: false });
    expect(http.requests).toHaveLength(2);
    await expect(deployer.retire(context(new ScriptedHttp()), 'OLD', 'mute')).rejects.toMatchObject({ info: { code: 'deploy.mute_unsupported' } });
  });

  it('declares bind with both modes and delete only', () => {
    expect([deployer.action, deployer.modes, deployer.retireModes]).toEqual(['bind', ['rebind', 'in-place'], ['delete']]);
  });
});
