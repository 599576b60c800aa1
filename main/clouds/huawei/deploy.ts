import { refusedBeforeSending } from '../cloud-error';
import type { CloudDeployer, DeployHandle, DeployResource, DeployStep, ResourceOutcome, RetireMode, TaskState } from '../deploy';
import {
  bindHandle,
  failedOutcome,
  failureOf,
  finished,
  notAppliedError,
  readBindHandle,
  statesOf,
  type BindHandleData,
} from '../deploy-outcomes';
import { isJsonObject, textOf, type JsonObject } from '../json';
import { fullChainPem } from '../material';
import type { CallContext, CloudErrorInfo, UploadMaterial } from '../provider';
import { CloudError } from '../provider';
import { normalSerial, readCall } from '../remote-copy';
import { withRetry } from '../retry';
import { resolveProjectId, sendHuawei, type Answer, type CertificateForm, type HuaweiCall } from './client';
import { DEPLOY_REFUSED_HINT, isKnownHuaweiCode } from './errors';
import { huaweiSerial, huaweiTimeToIso, pages } from './inventory';

// Huawei APIG after the upload (DEPLOY.md §3.3-3.7, recipe §3.10). Domains are what serve a
// certificate; there is no asynchronous job, so every call's outcome is kept in the handle and
// `poll` settles it by reading which certificate each domain carries now.
// - rebind: BatchAssociateDomainsV2(NEW) per domain, then OLD is detached only where it is still
//   bound beside NEW (whether attach replaces a same-algorithm binding is unconfirmed).
// - in-place: UpdateCertificateV2(OLD) with NEW's material; domains keep referencing OLD's id.

const TYPE = 'apig-domain';
/** limit > 500 is cut to 500. */
const PAGE_MAX = 500;
const HTTPS_DEFAULT_PORT = 443;

const apig = (projectId: string, path: string) => `/v2/${projectId}/apigw${path}`;
const certificatePath = (id: string) => `/certificates/${encodeURIComponent(id)}`;

function detailText(resource: DeployResource, field: string): string {
  const value = resource.detail[field];
  if (typeof value === 'string' && value !== '') return value;
  throw refusedBeforeSending('huawei', {
    code: 'deploy.resource_incomplete',
    kind: 'invalid',
    message: `The domain ${resource.name ?? resource.id} has no ${field} in its discovered details`,
    hint: {
      en: 'Discover the resources again (refresh the inventory) so every domain carries its gateway and API group, then deploy.',
      'zh-CN': '请重新发现资源（刷新资源清单），使每个域名带有其网关和 API 分组信息后再部署。',
    },
  });
}

/**
 * A write: throttling and retryable 5xx are retried; an unknown fate never is (whether a repeated
 * attach is harmless is unconfirmed): `poll` reads the state back instead.
 */
async function write(ctx: CallContext, method: 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<Answer> {
  const projectId = await resolveProjectId(ctx);
  const call: HuaweiCall = { method, service: 'apig', path: apig(projectId, path), projectId, ...(body === undefined ? {} : { body: JSON.stringify(body) }) };
  return withRetry(() => sendHuawei(ctx, call), ctx.signal ? { signal: ctx.signal } : {});
}

async function read(ctx: CallContext, path: string): Promise<JsonObject> {
  const projectId = await resolveProjectId(ctx);
  const call: HuaweiCall = { method: 'GET', service: 'apig', path: apig(projectId, path), projectId };
  return (await readCall(ctx, () => sendHuawei(ctx, call))).body;
}

function attachedDomains(ctx: CallContext, certificateId: string): Promise<Record<string, unknown>[]> {
  return pages(ctx, `${certificatePath(certificateId)}/attached-domains`, {}, 'bound_domains', PAGE_MAX);
}

function customPort(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 && value !== HTTPS_DEFAULT_PORT ? value : null;
}

/**
 * ListAttachedDomainsV2, every page. A gateway with custom ingress ports lists a domain once per
 * port: one resource per domain, carrying the custom HTTPS port where one is listed.
 */
async function discover(ctx: CallContext, remoteId: string): Promise<DeployResource[]> {
  const byDomain = new Map<string, DeployResource>();
  for (const item of await attachedDomains(ctx, remoteId)) {
    const name = textOf(item.url_domain);
    const id = textOf(item.id);
    const instanceId = textOf(item.instance_id);
    const groupId = textOf(item.api_group_id);
    if (!name || !id || !instanceId || !groupId) continue;
    const port = customPort(item.ingress_https_port);
    const known = byDomain.get(name);
    if (known && (known.port !== null || port === null)) continue;
    byDomain.set(name, {
      type: TYPE,
      id: known?.id ?? id,
      name,
      domains: [name],
      region: ctx.account.region?.trim() || null,
      port,
      detail: known?.detail ?? {
        instance_id: instanceId,
        api_group_id: groupId,
        verified_client_certificate_enabled: item.verified_client_certificate_enabled === true,
      },
    });
  }
  return [...byDomain.values()];
}

function domainEntry(resource: DeployResource, withVerification: boolean): Record<string, unknown> {
  return {
    domain: resource.name ?? resource.id,
    instance_ids: [detailText(resource, 'instance_id')],
    // Left out, it defaults to "true iff the certificate has a trusted root CA": the domain's own setting is sent back.
    ...(withVerification ? { verified_client_certificate_enabled: resource.detail.verified_client_certificate_enabled === true } : {}),
  };
}

/**
 * BatchAssociateDomainsV2 for one domain. The batch call's behaviour on a list that is partly
 * refused is undocumented (all or nothing, or per item): one domain per call gives each its own outcome.
 */
async function attach(ctx: CallContext, certificateId: string, resource: DeployResource): Promise<void> {
  await write(ctx, 'POST', `${certificatePath(certificateId)}/domains/attach`, { domains: [domainEntry(resource, true)] });
}

/** BatchDisassociateDomainsV2 for one domain; APIG.2000 (the domain no longer carries it) is already done. */
async function detach(ctx: CallContext, certificateId: string, resource: DeployResource): Promise<void> {
  try {
    await write(ctx, 'POST', `${certificatePath(certificateId)}/domains/detach`, { domains: [domainEntry(resource, false)] });
  } catch (error) {
    if (!(error instanceof CloudError && error.info.code.replace(/^APIGW\./, 'APIG.') === 'APIG.2000')) throw error;
  }
}

interface DomainCertificate {
  readonly id: string;
  /** RSA | ECC | SM2; null where the gateway did not say. */
  readonly algorithm: string | null;
}

/**
 * The certificates a domain carries, from its API group (ShowDetailsOfApiGroupV2
 * url_domains[].ssl_infos, as terraform confirms bindings); `ssl_id` alone where ssl_infos is absent.
 */
async function certificatesOf(ctx: CallContext, resource: DeployResource): Promise<DomainCertificate[]> {
  const group = await read(ctx, `/instances/${encodeURIComponent(detailText(resource, 'instance_id'))}/api-groups/${encodeURIComponent(detailText(resource, 'api_group_id'))}`);
  const domains = Array.isArray(group.url_domains) ? group.url_domains.filter(isJsonObject) : [];
  const domain = domains.find((item) => textOf(item.id) === resource.id) ?? domains.find((item) => textOf(item.domain) === resource.name);
  if (!domain) return [];
  if (Array.isArray(domain.ssl_infos)) {
    return domain.ssl_infos.filter(isJsonObject).flatMap((info) => {
      const id = textOf(info.ssl_id);
      return id ? [{ id, algorithm: textOf(info.algorithm_type) }] : [];
    });
  }
  const sslId = textOf(domain.ssl_id);
  return sslId ? [{ id: sslId, algorithm: null }] : [];
}

const NOT_BOUND_HINT = {
  en: 'Huawei Cloud accepted the binding, but the domain does not list the certificate. Check the domain in the API group before trying again.',
  'zh-CN': '华为云接受了绑定请求，但该域名的证书列表中没有此证书。请先在 API 分组中检查该域名，再重试。',
};

/**
 * After attaching `keep`: confirms the domain carries it, and detaches `drop` only where it is
 * still bound beside it with the same algorithm (so the domain is never left without a
 * certificate). Null when settled, else why not.
 */
async function settle(ctx: CallContext, resource: DeployResource, keep: string, drop: string): Promise<CloudErrorInfo | null> {
  const carried = await certificatesOf(ctx, resource);
  const kept = carried.find((item) => item.id === keep);
  if (!kept) return notAppliedError('huawei', `The domain ${resource.name ?? resource.id} does not carry certificate ${keep} after the binding`, NOT_BOUND_HINT);
  const dropped = carried.find((item) => item.id === drop);
  if (dropped && (dropped.algorithm === null || kept.algorithm === null || dropped.algorithm === kept.algorithm)) await detach(ctx, drop, resource);
  return null;
}

/** Binds `keep` in place of `drop` on one domain. A failure after the attach leaves it running: `poll` reads what it serves. */
async function move(ctx: CallContext, resource: DeployResource, keep: string, drop: string, phase: BindHandleData['phase']): Promise<ResourceOutcome> {
  const states = statesOf(phase);
  let attached = false;
  try {
    await attach(ctx, keep, resource);
    attached = true;
    const problem = await settle(ctx, resource, keep, drop);
    return { resourceId: resource.id, state: problem ? states.failed : states.done, error: problem };
  } catch (error) {
    const info = failureOf(error, DEPLOY_REFUSED_HINT, isKnownHuaweiCode);
    return attached ? { resourceId: resource.id, state: 'running', error: info } : failedOutcome(resource, info, states.failed);
  }
}

function refuseInPlace(message: string, en: string, zh: string): CloudError {
  return refusedBeforeSending('huawei', { code: 'deploy.in_place_impossible', kind: 'invalid', message, hint: { en, 'zh-CN': zh } });
}

/**
 * UpdateCertificateV2(OLD) with `material`, sending back OLD's type, instance and algorithm
 * (whether they may change on update is unconfirmed) under OLD's name. That the domains keep the
 * certificate (they reference its id) is inferred, not documented: `poll` reads it back.
 */
async function replaceContent(ctx: CallContext, remoteId: string, material: UploadMaterial | null): Promise<void> {
  if (!material?.privateKeyPem) {
    throw refuseInPlace('No certificate material with a private key to write in place', 'Replacing in place needs the certificate and its private key.', '原地替换需要证书及其私钥。');
  }
  const current = await read(ctx, certificatePath(remoteId));
  // ShowDetails never returns the trusted root CA, and an update without it may drop client verification.
  if (current.is_has_trusted_root_ca === true) {
    throw refuseInPlace(
      `Certificate ${remoteId} carries a trusted root CA that cannot be read back`,
      'This certificate verifies client certificates with a trusted root CA that Huawei never returns, so it cannot be replaced in place without losing it. Deploy by rebinding instead.',
      '该证书配置了信任的根 CA（用于校验客户端证书），华为云不返回其内容，原地替换会丢失该配置。请改用重新绑定的方式部署。',
    );
  }
  const name = textOf(current.name);
  const type = current.type === 'instance' ? 'instance' : 'global';
  const algorithm = current.algorithm_type === 'ECC' || current.algorithm_type === 'SM2' ? current.algorithm_type : 'RSA';
  if (!name) throw refuseInPlace(`Certificate ${remoteId} has no name`, 'Huawei returned the certificate without its name; refresh the inventory and try again.', '华为云返回的证书缺少名称；请刷新资源清单后重试。');
  const sign = algorithm === 'SM2' ? material.sm2Sign : null;
  if (algorithm === 'SM2' && !sign?.privateKeyPem) {
    throw refuseInPlace('An SM2 certificate needs its signing pair', 'The certificate being replaced is SM2: the new one needs its signing certificate and key too.', '被替换的证书为 SM2 证书：新证书也需要提供签名证书和签名私钥。');
  }
  const form: CertificateForm = {
    name,
    cert_content: fullChainPem(material.certificatePem, material.chainPem),
    private_key: material.privateKeyPem,
    type,
    instance_id: textOf(current.instance_id) ?? 'common',
    algorithm_type: algorithm,
    ...(sign ? { cert_content_sign: sign.certificatePem, private_key_sign: sign.privateKeyPem ?? '' } : {}),
  };
  await write(ctx, 'PUT', certificatePath(remoteId), form);
}

async function contentCall(ctx: CallContext, step: DeployStep, resources: readonly DeployResource[], phase: BindHandleData['phase']): Promise<ResourceOutcome[]> {
  const states = statesOf(phase);
  try {
    await replaceContent(ctx, step.oldRemoteId, step.material);
    return resources.map((resource) => ({ resourceId: resource.id, state: 'running', error: null }));
  } catch (error) {
    const info = failureOf(error, DEPLOY_REFUSED_HINT, isKnownHuaweiCode);
    return resources.map((resource) => failedOutcome(resource, info, states.failed));
  }
}

async function start(ctx: CallContext, step: DeployStep): Promise<DeployHandle> {
  const startedAt = ctx.now();
  if (step.mode === 'in-place') return bindHandle('start', startedAt, await contentCall(ctx, step, step.resources, 'start'));
  const outcomes: ResourceOutcome[] = [];
  for (const resource of step.resources) outcomes.push(await move(ctx, resource, step.newRemoteId, step.oldRemoteId, 'start'));
  return bindHandle('start', startedAt, outcomes);
}

/** Domain ids whose certificate is `id`, from ListAttachedDomainsV2 (every page). */
async function domainIdsOf(ctx: CallContext, id: string): Promise<Set<string>> {
  return new Set((await attachedDomains(ctx, id)).flatMap((item) => textOf(item.id) ?? []));
}

const NOT_SERVED_HINT = {
  en: 'The domain does not serve the expected certificate after the call. Check the domain in the API group, then deploy or roll back again.',
  'zh-CN': '调用完成后该域名并未使用预期的证书。请在 API 分组中检查该域名，然后重新部署或回滚。',
};

async function poll(ctx: CallContext, step: DeployStep, handle: DeployHandle): Promise<TaskState> {
  const data = readBindHandle('huawei', handle);
  const states = statesOf(data.phase);
  const open = data.outcomes.filter((outcome) => outcome.state !== states.failed);
  if (open.length === 0) return { finished: true, resources: data.outcomes };
  let serves: (resourceId: string) => boolean;
  if (step.mode === 'in-place') {
    // APIG returns no PEM: serial and expiry together tell the content apart.
    const leaf = step.material?.leaf ?? null;
    const current = await read(ctx, certificatePath(step.oldRemoteId));
    const holds = leaf !== null && huaweiSerial(current.serial_number) === normalSerial(leaf.serialNumber) && huaweiTimeToIso(current.not_after) === new Date(leaf.notAfter).toISOString();
    serves = () => holds;
  } else {
    const target = data.phase === 'start' ? step.newRemoteId : step.oldRemoteId;
    const other = data.phase === 'start' ? step.oldRemoteId : step.newRemoteId;
    const onTarget = await domainIdsOf(ctx, target);
    const onOther = await domainIdsOf(ctx, other);
    serves = (resourceId) => onTarget.has(resourceId) && !onOther.has(resourceId);
  }
  // Huawei's calls are synchronous: what the state shows now is the outcome. How long gateway
  // nodes take to serve it is unconfirmed; the engine's TLS verification waits for that.
  const resources = data.outcomes.map((outcome): ResourceOutcome => {
    if (outcome.state === states.failed) return outcome;
    if (serves(outcome.resourceId)) return { resourceId: outcome.resourceId, state: states.done, error: null };
    return { resourceId: outcome.resourceId, state: states.failed, error: outcome.error ?? notAppliedError('huawei', `Resource ${outcome.resourceId} does not serve the expected certificate`, NOT_SERVED_HINT) };
  });
  return { finished: finished(resources), resources };
}

async function rollback(ctx: CallContext, step: DeployStep, _handle: DeployHandle, outcomes: readonly ResourceOutcome[]): Promise<DeployHandle> {
  const startedAt = ctx.now();
  const moved = step.resources.filter((resource) => outcomes.some((outcome) => outcome.resourceId === resource.id && outcome.state === 'deployed'));
  if (step.mode === 'in-place') return bindHandle('rollback', startedAt, moved.length === 0 ? [] : await contentCall(ctx, step, moved, 'rollback'));
  const results: ResourceOutcome[] = [];
  for (const resource of moved) results.push(await move(ctx, resource, step.oldRemoteId, step.newRemoteId, 'rollback'));
  return bindHandle('rollback', startedAt, results);
}

/**
 * DeleteCertificateV2 (what it does to a bound certificate is unconfirmed, so it never sees one),
 * after detaching OLD from any domain still listing it beside another certificate of its algorithm; a domain that OLD alone serves is never detached (it would be left
 * without a certificate): the retirement is refused instead. APIG cannot mute one certificate.
 */
async function retire(ctx: CallContext, remoteId: string, mode: RetireMode): Promise<void> {
  if (mode === 'mute') {
    throw refusedBeforeSending('huawei', {
      code: 'deploy.mute_unsupported',
      kind: 'invalid',
      message: 'Huawei APIG has no expiry notices to mute',
      hint: { en: 'Huawei API Gateway cannot mute one certificate: keep it or delete it.', 'zh-CN': '华为云 API 网关无法单独关闭某个证书的到期提醒：请保留或删除该证书。' },
    });
  }
  for (const resource of await discover(ctx, remoteId)) {
    const carried = await certificatesOf(ctx, resource);
    const own = carried.find((item) => item.id === remoteId);
    const ownAlgorithm = own?.algorithm ?? null;
    const replacement = carried.find((item) => item.id !== remoteId && (ownAlgorithm === null || item.algorithm === null || item.algorithm === ownAlgorithm));
    if (own && !replacement) {
      throw refusedBeforeSending('huawei', {
        code: 'deploy.still_bound',
        kind: 'conflict',
        message: `Certificate ${remoteId} still serves ${resource.name ?? resource.id}`,
        hint: {
          en: 'The certificate still serves a domain. Deploy the new certificate to it first; it is deleted only once nothing uses it.',
          'zh-CN': '该证书仍在为域名提供服务。请先将新证书部署到该域名；只有在没有任何资源使用时才会删除。',
        },
      });
    }
    await detach(ctx, remoteId, resource);
  }
  await write(ctx, 'DELETE', certificatePath(remoteId));
}

export const huaweiDeployer: CloudDeployer = {
  action: 'bind',
  modes: ['rebind', 'in-place'],
  retireModes: ['delete'],
  discover,
  start,
  poll,
  rollback,
  retire,
};
