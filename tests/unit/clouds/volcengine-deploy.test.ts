import { describe, expect, it } from 'vitest';
import type { DeployResource, DeployStep } from '../../../main/clouds/deploy';
import type { HttpRequest } from '../../../main/clouds/http';
import type { CallContext } from '../../../main/clouds/provider';
import { volcengine } from '../../../main/clouds/volcengine';
import { createVolcengineDeployer } from '../../../main/clouds/volcengine/deploy';
import { context as baseContext, FIXED_NOW, json, material, ScriptedHttp } from './http-fake';

const deployer = createVolcengineDeployer({ bindIntervalMs: 0 });
const context = (http: ScriptedHttp, now: Date = FIXED_NOW): CallContext => ({
  ...baseContext(http, { cloud: 'volcengine' }, { accessKeyId: 'AKLTEXAMPLEACCESSKEYID000000000000', accessKeySecret: 'ExampleSecretKey0000000000000000==' }),
  now: () => now,
});
const actionOf = (request: HttpRequest | undefined) => request?.url.searchParams.get('Action');
const bodyOf = (request: HttpRequest | undefined) => JSON.parse(request?.body ?? 'null') as unknown;
const ok = (result?: unknown) => json(200, { ResponseMetadata: { RequestId: 'r-1', Action: 'x', Version: '2023-01-01' }, ...(result === undefined ? {} : { Result: result }) });

const domain = (name: string, http2: boolean): DeployResource => ({ type: 'live-domain', id: name, name, domains: [name], region: null, port: null, detail: { HTTP2: http2, Type: 'pull-flv', Vhost: name } });
const rebind: DeployStep = { mode: 'rebind', oldRemoteId: 'OLD', newRemoteId: 'NEW', resources: [domain('a.example.com', true), domain('b.example.com', false)], material: null, muteOld: false };

describe('Volcengine discover (ListDomainDetail)', () => {
  it('pages at PageSize 1000 until a short page and keeps the domains on the chain', async () => {
    const full = Array.from({ length: 1000 }, (_, i) => ({ Domain: `d${i}.example.com`, ChainID: i === 7 ? 'OLD' : 'OTHER', HTTP2: false, Type: 'pull-flv', Vhost: `d${i}.example.com` }));
    const http = new ScriptedHttp(ok({ DomainList: full }), ok({ DomainList: [{ Domain: 'push.example.com', ChainID: 'OLD', HTTP2: true, Type: 'push', Vhost: 'v' }] }));
    const found = await deployer.discover(context(http), 'OLD');
    expect(http.requests.map((request) => [actionOf(request), bodyOf(request)])).toEqual([
      ['ListDomainDetail', { PageNum: 1, PageSize: 1000 }],
      ['ListDomainDetail', { PageNum: 2, PageSize: 1000 }],
    ]);
    expect(found).toEqual([
      { type: 'live-domain', id: 'd7.example.com', name: 'd7.example.com', domains: ['d7.example.com'], region: null, port: null, detail: { HTTP2: false, Type: 'pull-flv', Vhost: 'd7.example.com' } },
      { type: 'live-domain', id: 'push.example.com', name: 'push.example.com', domains: ['push.example.com'], region: null, port: null, detail: { HTTP2: true, Type: 'push', Vhost: 'v' } },
    ]);
  });
});

describe('Volcengine start and poll', () => {
  it('sends BindCert per domain with HTTPS true and its HTTP2, accepting an answer without Result', async () => {
    const http = new ScriptedHttp(ok(), ok({}));
    const handle = await deployer.start(context(http), rebind);
    expect(http.requests.map((request) => [actionOf(request), bodyOf(request)])).toEqual([
      ['BindCert', { Domain: 'a.example.com', ChainID: 'NEW', HTTPS: true, HTTP2: true }],
      ['BindCert', { Domain: 'b.example.com', ChainID: 'NEW', HTTPS: true, HTTP2: false }],
    ]);
    expect(handle.data.outcomes).toEqual([
      { resourceId: 'a.example.com', state: 'running', error: null },
      { resourceId: 'b.example.com', state: 'running', error: null },
    ]);
  });

  it('fails one refused domain alone, retrying none of it', async () => {
    const http = new ScriptedHttp(json(400, { ResponseMetadata: { RequestId: 'r', Error: { Code: 'InvalidParam', Message: 'The certificate does not match the domain.' } } }), ok());
    const handle = await deployer.start(context(http), rebind);
    expect(http.requests).toHaveLength(2);
    const [first] = handle.data.outcomes as { state: string; error: { code: string; hint: { en: string } } }[];
    expect(first).toMatchObject({ state: 'failed', error: { code: 'InvalidParam' } });
    expect(first?.error.hint.en).toContain('covers the domain');
  });

  it('polls DescribeDomain: NEW is deployed, still OLD keeps running, and after five minutes it failed', async () => {
    const handle = await deployer.start(context(new ScriptedHttp(ok(), ok())), rebind);
    const answer = ok({ DomainList: [{ Domain: 'a.example.com', ChainID: 'NEW' }, { Domain: 'b.example.com', ChainID: 'OLD' }] });
    const http = new ScriptedHttp(answer);
    const state = await deployer.poll(context(http), rebind, handle);
    expect([actionOf(http.requests[0]), bodyOf(http.requests[0])]).toEqual(['DescribeDomain', { DomainList: ['a.example.com', 'b.example.com'] }]);
    expect(state).toEqual({ finished: false, resources: [{ resourceId: 'a.example.com', state: 'deployed', error: null }, { resourceId: 'b.example.com', state: 'running', error: null }] });

    const later = await deployer.poll(context(new ScriptedHttp(answer), new Date(FIXED_NOW.getTime() + 6 * 60_000)), rebind, handle);
    expect(later.finished).toBe(true);
    expect(later.resources[1]).toMatchObject({ state: 'failed', error: { code: 'deploy.not_applied' } });
  });

  it('in place: CreateCert with OLD ChainID and the full chain; rollback binds OLD with HTTPS true', async () => {
    const mat = material();
    const http = new ScriptedHttp(ok({ ChainID: 'OLD', Domain: 'example.com', UseWay: 'https' }));
    await deployer.start(context(http), { ...rebind, mode: 'in-place', newRemoteId: 'OLD', material: mat });
    expect(bodyOf(http.requests[0])).toEqual({ ChainID: 'OLD', UseWay: 'https', Rsa: { Pubkey: `${mat.certificatePem}${mat.chainPem}`, Prikey: mat.privateKeyPem } });

    const back = new ScriptedHttp(ok());
    const outcomes = [{ resourceId: 'a.example.com', state: 'deployed' as const, error: null }, { resourceId: 'b.example.com', state: 'failed' as const, error: null }];
    const handle = await deployer.rollback(context(back), rebind, { ref: null, data: {} }, outcomes);
    expect(back.requests.map((request) => [actionOf(request), bodyOf(request)])).toEqual([['BindCert', { Domain: 'a.example.com', ChainID: 'OLD', HTTPS: true, HTTP2: true }]]);
    expect(handle.data).toMatchObject({ phase: 'rollback', outcomes: [{ resourceId: 'a.example.com', state: 'running' }] });
  });

  it('refuses a handle it did not write', async () => {
    await expect(deployer.poll(context(new ScriptedHttp()), rebind, { ref: null, data: { outcomes: 'x' } })).rejects.toMatchObject({ info: { code: 'deploy.handle_invalid' } });
  });
});

describe('Volcengine retire', () => {
  it('deletes an unused chain with DeleteCert and refuses one a domain uses', async () => {
    const http = new ScriptedHttp(ok({ DomainList: [] }), ok());
    await deployer.retire(context(http), 'OLD', 'delete');
    expect(http.requests.map((request) => [actionOf(request), bodyOf(request)])).toEqual([['ListDomainDetail', { PageNum: 1, PageSize: 1000 }], ['DeleteCert', { ChainID: 'OLD' }]]);

    const bound = new ScriptedHttp(ok({ DomainList: [{ Domain: 'a.example.com', ChainID: 'OLD' }] }));
    await expect(deployer.retire(context(bound), 'OLD', 'delete')).rejects.toMatchObject({ info: { code: 'deploy.still_bound', kind: 'conflict' } });
    expect(bound.requests).toHaveLength(1);
  });

  it('is wired as the provider deployer: bind, both modes, delete only', () => {
    const wired = volcengine.deployer!;
    expect([wired.action, wired.modes, wired.retireModes]).toEqual(['bind', ['rebind', 'in-place'], ['delete']]);
  });
});
