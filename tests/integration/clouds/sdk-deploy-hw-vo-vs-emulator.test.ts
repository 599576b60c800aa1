// The emulators' deploy actions checked by the official SDKs: the Huawei core SDK signs
// UpdateCertificateV2 (PUT), BatchAssociate/DisassociateDomainsV2 (POST → 204),
// ShowDetailsOfApiGroupV2 and DeleteCertificateV2 (DELETE → 204); the Volcengine SDK signs
// BindCert, DescribeDomain and DeleteCert. The emulator accepts every signature and answers in the
// shape each SDK parses, and state read-back shows the effect.

import { afterEach, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { defaultCredentials, defaultHuaweiInstance, defaultHuaweiProjects } from '../../emulators/credentials';
import { resetDeployState } from '../../emulators/deploy-state';
import { seedHuaweiCertificate, startHuaweiEmulator } from '../../emulators/huawei';
import { seedResource } from '../../emulators/seed';
import { seedVolcengineCertificate, startVolcengineEmulator, volcengineDomainHttps } from '../../emulators/volcengine';
import { makeDeployLeaves, type DeployLeaves } from './deploy-leaves';
import { HUAWEI_APIG_HOST, huaweiSdk, proxyVolcengine, redirectHosts, volcengineSdk, type HuaweiSdkError } from './sdk-clients';
import { useEmulator } from './use-emulator';

const ZONE = 'sdk.certvault.test';
let leaves: DeployLeaves;
beforeAll(() => {
  leaves = makeDeployLeaves(ZONE);
});

describe('Huawei SDK: the APIG deploy actions', () => {
  const emulator = useEmulator(startHuaweiEmulator, { isolate: true });
  afterEach(() => resetDeployState(emulator().state));
  const { accessKeyId, accessKeySecret } = defaultCredentials.huawei;
  const projectId = defaultHuaweiProjects['cn-north-4']!;
  const CERT = '/v2/{project_id}/apigw/certificates/{certificate_id}';

  it('signs update, attach, detach, group detail and delete; the emulator applies each', async () => {
    onTestFinished(redirectHosts([HUAWEI_APIG_HOST], emulator().port));
    const sdk = huaweiSdk(HUAWEI_APIG_HOST, accessKeyId, accessKeySecret, projectId);
    const state = emulator().state;
    const params = { type: 'instance', instance_id: defaultHuaweiInstance };
    const old = seedHuaweiCertificate(state, { account: accessKeyId, certificatePem: leaves.old.fullchain, privateKeyPem: leaves.old.key, name: 'old_cert', params });
    const fresh = seedHuaweiCertificate(state, { account: accessKeyId, certificatePem: leaves.new.fullchain, privateKeyPem: leaves.new.key, name: 'new_cert', params });
    seedResource(state, { account: accessKeyId, certificateId: old.id, type: 'apig-domain', region: '', instance: { url_domain: `api.${ZONE}`, id: 'dom-1', instance_id: defaultHuaweiInstance, api_group_id: 'grp-1', api_group_name: 'shop' } });
    const ids = (certificate: string) => ({ project_id: projectId, certificate_id: certificate });
    const domains = { domains: [{ domain: `api.${ZONE}`, instance_ids: [defaultHuaweiInstance], verified_client_certificate_enabled: false }] };

    const updated = await sdk.send('PUT', CERT, ids(old.id), { name: 'old_cert', cert_content: leaves.newEc.fullchain, private_key: leaves.newEc.key, type: 'instance', instance_id: defaultHuaweiInstance, algorithm_type: 'ECC' });
    expect(updated).toMatchObject({ id: old.id, algorithm_type: 'ECC', httpStatusCode: 200 });

    expect(await sdk.send('POST', `${CERT}/domains/attach`, ids(fresh.id), domains)).toMatchObject({ httpStatusCode: 204 });
    const group = await sdk.get('/v2/{project_id}/apigw/instances/{instance_id}/api-groups/{group_id}', { project_id: projectId, instance_id: defaultHuaweiInstance, group_id: 'grp-1' });
    // OLD (now ECC) and NEW (RSA) are of different algorithms: both stay bound, the RSA one served.
    expect(group.url_domains).toEqual([expect.objectContaining({ id: 'dom-1', ssl_infos: [expect.objectContaining({ ssl_id: old.id, algorithm_type: 'ECC' }), expect.objectContaining({ ssl_id: fresh.id, algorithm_type: 'RSA' })] })]);

    expect(await sdk.send('POST', `${CERT}/domains/detach`, ids(old.id), domains)).toMatchObject({ httpStatusCode: 204 });
    expect(state.resources[0]?.certificateId).toBe(fresh.id);
    const again = await sdk.send('POST', `${CERT}/domains/detach`, ids(old.id), domains).then(() => null, (error: HuaweiSdkError) => error);
    expect(again).toMatchObject({ httpStatusCode: 400, errorCode: 'APIG.2000' });

    const refused = await sdk.send('DELETE', CERT, ids(fresh.id)).then(() => null, (error: HuaweiSdkError) => error);
    expect(refused).toMatchObject({ httpStatusCode: 400, errorCode: 'APIG.3474' });
    expect(await sdk.send('DELETE', CERT, ids(old.id))).toMatchObject({ httpStatusCode: 204 });
    expect(state.store.list(accessKeyId).map((entry) => entry.id)).toEqual([fresh.id]);
    expect(state.calls.map((call) => call.outcome)).toEqual(['ok', 'ok', 'ok', 'ok', 'APIG.2000', 'APIG.3474', 'ok']);
  });
});

describe('Volcengine SDK: BindCert, DescribeDomain, DeleteCert', () => {
  const emulator = useEmulator(startVolcengineEmulator, { isolate: true });
  afterEach(() => resetDeployState(emulator().state));
  const { accessKeyId, accessKeySecret } = defaultCredentials.volcengine;

  it('signs the three actions; the emulator binds, reads back and deletes only an unbound chain', async () => {
    onTestFinished(proxyVolcengine(emulator().port));
    const call = volcengineSdk(accessKeyId, accessKeySecret);
    const state = emulator().state;
    const old = seedVolcengineCertificate(state, { account: accessKeyId, certificatePem: leaves.old.fullchain, privateKeyPem: leaves.old.key, name: 'old' });
    const fresh = seedVolcengineCertificate(state, { account: accessKeyId, certificatePem: leaves.new.fullchain, privateKeyPem: leaves.new.key, name: 'new' });
    seedResource(state, { account: accessKeyId, certificateId: old.id, type: 'live-domain', region: '', instance: { Domain: `pull.${ZONE}`, HTTP2: true } });

    const bound = await call('BindCert', { Domain: `pull.${ZONE}`, ChainID: fresh.id, HTTPS: true, HTTP2: true });
    expect(bound.ResponseMetadata.Error).toBeUndefined();
    expect(volcengineDomainHttps(state, accessKeyId, `pull.${ZONE}`)).toBe(true);
    const described = await call('DescribeDomain', { DomainList: [`pull.${ZONE}`, `missing.${ZONE}`] });
    expect(described.Result).toEqual({ DomainList: [expect.objectContaining({ Domain: `pull.${ZONE}`, ChainID: fresh.id, HTTP2: true })] });
    expect(described.Result?.DomainList).toEqual([expect.not.objectContaining({ ProjectName: expect.anything() })]);

    const inUse = await call('DeleteCert', { ChainID: fresh.id });
    expect(inUse.ResponseMetadata.Error).toMatchObject({ Code: 'InvalidParam' });
    const deleted = await call('DeleteCert', { ChainID: old.id });
    expect(deleted.ResponseMetadata.Error).toBeUndefined();
    expect(state.store.list(accessKeyId).map((entry) => entry.id)).toEqual([fresh.id]);
    const unknown = await call('BindCert', { Domain: `pull.${ZONE}`, ChainID: old.id, HTTPS: true });
    expect(unknown.ResponseMetadata.Error).toMatchObject({ Code: 'RequestForbidden' });
  });
});
