import { refusedBeforeSending } from '../cloud-error';
import type { CloudDeployer, DeployHandle, DeployResource, DeployStep, ResourceOutcome, RetireMode, TaskState } from '../deploy';
import { bindHandle, failedOutcome, failureOf, finished, notAppliedError, readBindHandle, statesOf, type BindHandleData } from '../deploy-outcomes';
import { isJsonObject, stringsOf, textOf, type JsonObject } from '../json';
import { fullChainPem } from '../material';
import type { CallContext, UploadMaterial } from '../provider';
import { isLastPage, pemFacts, readCall, certificateBlocks } from '../remote-copy';
import { abortableSleep, withRetry } from '../retry';
import { callVolcengine, type CreateCertBody } from './client';
import { DEPLOY_REFUSED_HINT, isKnownVolcengineCode } from './errors';

// Volcengine Live after the upload (DEPLOY.md §4.3-4.7, recipe §4.9). Domains are what serve a
// certificate (by ChainID); there is no job, so each call's outcome is kept in the handle and
// `poll` settles it with DescribeDomain.
// - rebind: BindCert{Domain, ChainID: NEW, HTTPS: true, HTTP2: <current>} per domain. HTTPS
//   defaults to false, which would turn the domain's HTTPS off, so it is always sent (whether it
//   is on cannot be read back: ListDomainDetail has no such field, unconfirmed).
// - in-place: CreateCert with OLD's ChainID and NEW's material.

const TYPE = 'live-domain';
/** ListDomainDetail: PageNum and PageSize in [1, 1000]. */
const DOMAIN_PAGE = 1000;
/**
 * Whether BindCert and an in-place CreateCert take effect at once is unconfirmed: a domain not yet
 * showing the expected chain is watched this long before it counts as failed.
 */
const PROPAGATION_MS = 5 * 60_000;
/** BindCert: the only documented rate is BytePlus's 1 QPS, stricter than the account's 10/s lane. */
const BIND_INTERVAL_MS = 1000;

const DOMAIN_FIELDS = ['HTTP2', 'Type', 'Vhost'] as const;

/** Writes: throttling (FlowLimitExceeded, also with HTTP 200) and retryable 5xx are retried; an unknown fate never is. */
function write(ctx: CallContext, action: 'BindCert' | 'CreateCert' | 'DeleteCert', body: object): Promise<JsonObject> {
  return withRetry(async () => (await callVolcengine(ctx, action, body, action === 'CreateCert')).result, ctx.signal ? { signal: ctx.signal } : {});
}

async function read(ctx: CallContext, action: string, body: object): Promise<JsonObject> {
  return (await readCall(ctx, () => callVolcengine(ctx, action, body))).result;
}

function resourceOf(item: JsonObject): DeployResource | null {
  const domain = textOf(item.Domain);
  if (!domain) return null;
  const detail: Record<string, string | boolean | null> = {};
  for (const field of DOMAIN_FIELDS) {
    const value = item[field];
    detail[field] = typeof value === 'string' || typeof value === 'boolean' ? value : null;
  }
  detail.HTTP2 = item.HTTP2 === true;
  return { type: TYPE, id: domain, name: domain, domains: [domain], region: null, port: null, detail };
}

/** ListDomainDetail, every page of 1000 until a short one: the domains whose ChainID is `remoteId`. */
async function discover(ctx: CallContext, remoteId: string): Promise<DeployResource[]> {
  const found: DeployResource[] = [];
  for (let page = 1; ; page += 1) {
    const result = await read(ctx, 'ListDomainDetail', { PageNum: page, PageSize: DOMAIN_PAGE });
    const domains = Array.isArray(result.DomainList) ? result.DomainList.filter(isJsonObject) : [];
    for (const item of domains) {
      const resource = textOf(item.ChainID) === remoteId ? resourceOf(item) : null;
      if (resource) found.push(resource);
    }
    if (isLastPage(domains.length, (page - 1) * DOMAIN_PAGE + domains.length, result.Total, DOMAIN_PAGE)) return found;
  }
}

export interface VolcengineDeployerOptions {
  /** Wait between two BindCert calls (default 1 s, the documented rate). */
  readonly bindIntervalMs?: number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export function createVolcengineDeployer(options: VolcengineDeployerOptions = {}): CloudDeployer {
  const interval = options.bindIntervalMs ?? BIND_INTERVAL_MS;
  const sleep = options.sleep ?? abortableSleep;

  /**
   * BindCert on each resource in turn, paced; a failure is that domain's outcome alone. That it
   * replaces the domain's current binding is inferred (certimate relies on it; unconfirmed), so
   * `poll` proves it by reading the ChainID back. MinTLSVersion/MaxTLSVersion are left to their
   * defaults: ListDomainDetail does not show them, so there is no current value to send back.
   */
  async function bindEach(ctx: CallContext, resources: readonly DeployResource[], chainId: string, phase: BindHandleData['phase']): Promise<ResourceOutcome[]> {
    const outcomes: ResourceOutcome[] = [];
    for (const [index, resource] of resources.entries()) {
      if (index > 0 && interval > 0) await sleep(interval, ctx.signal);
      try {
        await write(ctx, 'BindCert', { Domain: resource.id, ChainID: chainId, HTTPS: true, HTTP2: resource.detail.HTTP2 === true });
        outcomes.push({ resourceId: resource.id, state: 'running', error: null });
      } catch (error) {
        outcomes.push(failedOutcome(resource, failureOf(error, DEPLOY_REFUSED_HINT, isKnownVolcengineCode), statesOf(phase).failed));
      }
    }
    return outcomes;
  }

  async function start(ctx: CallContext, step: DeployStep): Promise<DeployHandle> {
    const startedAt = ctx.now();
    if (step.mode === 'in-place') return bindHandle('start', startedAt, await replaceContent(ctx, step, step.resources, 'start'));
    return bindHandle('start', startedAt, await bindEach(ctx, step.resources, step.newRemoteId, 'start'));
  }

  async function rollback(ctx: CallContext, step: DeployStep, _handle: DeployHandle, outcomes: readonly ResourceOutcome[]): Promise<DeployHandle> {
    const startedAt = ctx.now();
    const moved = step.resources.filter((resource) => outcomes.some((outcome) => outcome.resourceId === resource.id && outcome.state === 'deployed'));
    if (moved.length === 0) return bindHandle('rollback', startedAt, []);
    if (step.mode === 'in-place') return bindHandle('rollback', startedAt, await replaceContent(ctx, step, moved, 'rollback'));
    return bindHandle('rollback', startedAt, await bindEach(ctx, moved, step.oldRemoteId, 'rollback'));
  }

  return { action: 'bind', modes: ['rebind', 'in-place'], retireModes: ['delete'], discover, start, poll, rollback, retire };
}

function createCertBody(chainId: string, material: UploadMaterial | null): CreateCertBody {
  if (!material?.privateKeyPem) {
    throw refusedBeforeSending('volcengine', {
      code: 'deploy.in_place_impossible',
      kind: 'invalid',
      message: 'No certificate material with a private key to write in place',
      hint: { en: 'Replacing in place needs the certificate and its private key.', 'zh-CN': '原地替换需要证书及其私钥。' },
    });
  }
  return { ChainID: chainId, UseWay: 'https', Rsa: { Pubkey: fullChainPem(material.certificatePem, material.chainPem), Prikey: material.privateKeyPem } };
}

/**
 * CreateCert with OLD's ChainID: the domains keep the chain and get its new content. Whether that
 * content reaches them at once is unconfirmed, so the outcome stays running until `poll` reads it.
 */
async function replaceContent(ctx: CallContext, step: DeployStep, resources: readonly DeployResource[], phase: BindHandleData['phase']): Promise<ResourceOutcome[]> {
  try {
    await write(ctx, 'CreateCert', createCertBody(step.oldRemoteId, step.material));
    return resources.map((resource) => ({ resourceId: resource.id, state: 'running', error: null }));
  } catch (error) {
    const info = failureOf(error, DEPLOY_REFUSED_HINT, isKnownVolcengineCode);
    return resources.map((resource) => failedOutcome(resource, info, statesOf(phase).failed));
  }
}

/** DescribeDomain for the domains still open: their ChainID now. */
async function chainsOf(ctx: CallContext, domains: readonly string[]): Promise<Map<string, string | null>> {
  const result = await read(ctx, 'DescribeDomain', { DomainList: domains });
  const items = Array.isArray(result.DomainList) ? result.DomainList.filter(isJsonObject) : [];
  // An unbound domain's ChainID may be empty or absent (unconfirmed): both read as none.
  return new Map(items.flatMap((item) => (textOf(item.Domain) ? [[textOf(item.Domain)!, textOf(item.ChainID)] as const] : [])));
}

/** In place: the chain's content is the expected material (DescribeCertDetailSecretV2, by fingerprint). */
async function chainHolds(ctx: CallContext, chainId: string, material: UploadMaterial | null): Promise<boolean> {
  if (material === null) return false;
  const result = await read(ctx, 'DescribeCertDetailSecretV2', { ChainID: chainId });
  const ssl = isJsonObject(result.SSL) ? result.SSL : {};
  const served = pemFacts(certificateBlocks(stringsOf(ssl.Chain).join('\n'))).fingerprintSha256;
  return served !== null && served === material.leaf.fingerprintSha256.toLowerCase();
}

const NOT_SERVED_HINT = {
  en: 'Volcengine accepted the call, but the domain still does not use the expected certificate. Check the domain in the Live console, then deploy or roll back again.',
  'zh-CN': '火山引擎接受了请求，但该域名仍未使用预期的证书。请在视频直播控制台检查该域名，然后重新部署或回滚。',
};

async function poll(ctx: CallContext, step: DeployStep, handle: DeployHandle): Promise<TaskState> {
  const data = readBindHandle('volcengine', handle);
  const states = statesOf(data.phase);
  const open = data.outcomes.filter((outcome) => outcome.state === 'running');
  if (open.length === 0) return { finished: true, resources: data.outcomes };
  // The domains must point at this chain: NEW after a rebind, OLD after its rollback and in place.
  const target = step.mode === 'in-place' || data.phase === 'rollback' ? step.oldRemoteId : step.newRemoteId;
  const chains = await chainsOf(ctx, open.map((outcome) => outcome.resourceId));
  const content = step.mode === 'in-place' ? await chainHolds(ctx, step.oldRemoteId, step.material) : true;
  const expired = ctx.now().getTime() - Date.parse(data.startedAt) > PROPAGATION_MS;
  const resources = data.outcomes.map((outcome): ResourceOutcome => {
    if (outcome.state !== 'running') return outcome;
    if (content && chains.get(outcome.resourceId) === target) return { resourceId: outcome.resourceId, state: states.done, error: null };
    if (!expired) return outcome;
    return { resourceId: outcome.resourceId, state: states.failed, error: outcome.error ?? notAppliedError('volcengine', `Domain ${outcome.resourceId} does not use chain ${target}`, NOT_SERVED_HINT) };
  });
  return { finished: finished(resources), resources };
}

/**
 * DeleteCert, only once no domain uses the chain: what the cloud does with a bound chain is
 * unconfirmed (DEPLOY.md §4.6), so it is never asked. Live cannot mute one certificate.
 */
async function retire(ctx: CallContext, remoteId: string, mode: RetireMode): Promise<void> {
  if (mode === 'mute') {
    throw refusedBeforeSending('volcengine', {
      code: 'deploy.mute_unsupported',
      kind: 'invalid',
      message: 'Volcengine Live has no expiry notices to mute',
      hint: { en: 'Volcengine Live cannot mute one certificate: keep it or delete it.', 'zh-CN': '火山引擎视频直播无法单独关闭某个证书的到期提醒：请保留或删除该证书。' },
    });
  }
  const users = await discover(ctx, remoteId);
  if (users.length > 0) {
    throw refusedBeforeSending('volcengine', {
      code: 'deploy.still_bound',
      kind: 'conflict',
      message: `Chain ${remoteId} still serves ${users.map((user) => user.id).join(', ')}`,
      hint: {
        en: 'The certificate still serves a domain. Deploy the new certificate to it first; it is deleted only once nothing uses it.',
        'zh-CN': '该证书仍在为域名提供服务。请先将新证书部署到该域名；只有在没有任何资源使用时才会删除。',
      },
    });
  }
  await write(ctx, 'DeleteCert', { ChainID: remoteId });
}

export const volcengineDeployer: CloudDeployer = createVolcengineDeployer();
