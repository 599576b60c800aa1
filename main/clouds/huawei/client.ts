import type { CloudCredentials, CallContext, RemoteCertificate, UploadResult } from '../provider';
import { malformedAnswer, parseRetryAfter, refusedBeforeSending, toCloudError } from '../cloud-error';
import { isJsonObject, parseJsonOrNull, stringsOf, textOf, type JsonObject } from '../json';
import { canonicalQuery } from '../query-string';
import { credentialSecrets } from '../scrub';
import { hostHeader, resolveEndpoint } from '../endpoint';
import { sendToCloud } from '../transport';
import type { HttpRequest, HttpResponse } from '../http';
import { classifyHuaweiError, MALFORMED_HINT } from './errors';
import { sdkDate, signSdkHmac } from './sign';

// Huawei Cloud API Gateway (APIG) v2 certificates, and the IAM project lookup they may need.
// CreateCertificateV2: POST /v2/{project_id}/apigw/certificates; ListCertificatesV2: GET, same path.

/** `common` is the shared gateway that holds global certificates. */
export const GLOBAL_INSTANCE = 'common';

/** APIG endpoints follow one pattern except Europe's, which lives under .eu (ApigRegion.ts). */
function huaweiDomain(region: string): string {
  return region === 'eu-west-101' ? 'myhuaweicloud.eu' : 'myhuaweicloud.com';
}

export function apigPublicEndpoint(region: string): string {
  return `https://apig.${region}.${huaweiDomain(region)}`;
}

export function iamPublicEndpoint(region: string): string {
  return `https://iam.${region}.${huaweiDomain(region)}`;
}

/**
 * How a Huawei account authenticates. An IAM token is itself a temporary credential, so it travels
 * in `securityToken`: with an AK/SK beside it, it is the X-Security-Token of a temporary AK/SK; with
 * no secret key, it is the IAM token itself, sent as X-Auth-Token and not signed.
 */
export type HuaweiAuth =
  | { readonly kind: 'aksk'; readonly accessKeyId: string; readonly accessKeySecret: string; readonly securityToken: string | null }
  | { readonly kind: 'token'; readonly token: string };

export function huaweiAuth(credentials: CloudCredentials): HuaweiAuth {
  const token = credentials.securityToken?.trim() || null;
  if (credentials.accessKeySecret === '' && token) return { kind: 'token', token };
  if (credentials.accessKeyId === '' || credentials.accessKeySecret === '') {
    throw refusedBeforeSending('huawei', {
      code: 'credentials.missing',
      kind: 'auth',
      message: 'The account has neither a complete AK/SK nor an IAM token',
      hint: {
        en: 'Enter the access key and secret key, or leave both empty and enter an IAM token as the security token.',
        'zh-CN': '请填写访问密钥 AK 和 SK；或将二者留空，在安全令牌处填写 IAM Token。',
      },
    });
  }
  return { kind: 'aksk', accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret, securityToken: token };
}

/** The CreateCertificateV2 body (CertificateForm in the official SDK); omitted fields are left out. */
export interface CertificateForm {
  readonly name: string;
  /** Leaf then intermediates, PEM. */
  readonly cert_content: string;
  readonly private_key: string;
  readonly type: 'global' | 'instance';
  readonly instance_id: string;
  readonly trusted_root_ca?: string;
  readonly algorithm_type?: 'RSA' | 'ECC' | 'SM2';
  readonly cert_content_sign?: string;
  readonly private_key_sign?: string;
}

export interface HuaweiCall {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly service: 'apig' | 'iam';
  readonly path: string;
  readonly query?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Sent (and signed) as X-Project-Id, as the official SDK does for project-scoped calls. */
  readonly projectId?: string;
}

function requireRegion(ctx: Pick<CallContext, 'account'>): string {
  const region = ctx.account.region?.trim();
  if (!region) {
    throw refusedBeforeSending('huawei', {
      code: 'region.missing',
      kind: 'invalid',
      message: 'The account has no region',
      hint: { en: 'Choose the region (e.g. cn-north-4) in the account settings.', 'zh-CN': '请在账号设置中选择区域（例如 cn-north-4）。' },
    });
  }
  return region;
}

/** The override (one URL serving both APIG and IAM, as private gateways and emulators do), or the public endpoint. */
function baseUrl(ctx: Pick<CallContext, 'account'>, service: HuaweiCall['service']): URL {
  const override = ctx.account.endpoint;
  const hasOverride = override !== null && override.trim() !== '';
  // Without an override the region picks the public endpoint; with one, the region may be absent.
  const publicUrl = hasOverride ? '' : service === 'apig' ? apigPublicEndpoint(requireRegion(ctx)) : iamPublicEndpoint(requireRegion(ctx));
  return resolveEndpoint('huawei', override, publicUrl);
}

export interface Answer {
  readonly body: JsonObject;
  readonly requestId: string | null;
}

/** A signed (or token-carrying) APIG/IAM request, ready to send. */
export function buildHuaweiRequest(ctx: Pick<CallContext, 'account' | 'credentials' | 'signal'>, call: HuaweiCall, now: Date): HttpRequest {
  const auth = huaweiAuth(ctx.credentials);
  const base = baseUrl(ctx, call.service);
  const path = `${base.pathname.replace(/\/+$/, '')}${call.path}`;
  const query = call.query ?? {};
  // The query is sent in its canonical form, so what the gateway decodes is exactly what was signed.
  const url = new URL(`${base.origin}${path}${Object.keys(query).length > 0 ? `?${canonicalQuery(query)}` : ''}`);
  const body = call.body ?? '';
  // The SDK sends 'application/json' (it strips the ';charset=UTF-8' of the API definition) and signs it.
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  if (call.projectId) headers['X-Project-Id'] = call.projectId;
  if (auth.kind === 'token') {
    headers['X-Auth-Token'] = auth.token;
  } else {
    if (auth.securityToken) headers['X-Security-Token'] = auth.securityToken;
    const date = sdkDate(now);
    const signature = signSdkHmac({
      method: call.method,
      host: hostHeader(url),
      path,
      query,
      sdkDate: date,
      headers,
      payload: body,
      accessKeyId: auth.accessKeyId,
      accessKeySecret: auth.accessKeySecret,
    });
    headers['X-Sdk-Date'] = date;
    headers.Authorization = signature.authorization;
  }
  return {
    method: call.method,
    url,
    headers: { ...headers, Host: hostHeader(url) },
    ...(call.method === 'POST' || call.method === 'PUT' ? { body } : {}),
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

export async function sendHuawei(ctx: CallContext, call: HuaweiCall): Promise<Answer> {
  const response = await sendToCloud('huawei', ctx.http, buildHuaweiRequest(ctx, call, ctx.now()));
  return parseHuaweiResponse(response, ctx.now(), credentialSecrets(ctx.credentials));
}

interface HuaweiErrorBody {
  readonly error_code?: unknown;
  readonly error_msg?: unknown;
  readonly request_id?: unknown;
  /** IAM and some newer services nest it: {"error":{"code","message"}}. */
  readonly error?: { readonly code?: unknown; readonly message?: unknown; readonly request_id?: unknown };
}

/** The success body, or a CloudError carrying Huawei's own code, message and request id. */
export function parseHuaweiResponse(response: HttpResponse, now: Date, secrets: readonly (string | undefined)[]): Answer {
  const json = parseJsonOrNull(response.body);
  const ok = response.status >= 200 && response.status < 300;
  const parsed = (isJsonObject(json) ? json : {}) as HuaweiErrorBody;
  const requestId = response.headers['x-request-id'] ?? textOf(parsed.request_id) ?? textOf(parsed.error?.request_id);
  if (ok) {
    if (isJsonObject(json)) return { body: json, requestId };
    // Attach, detach and delete answer 204 with no body (terraform's OkCodes).
    if (response.status === 204) return { body: {}, requestId };
    throw malformedAnswer('huawei', 'JSON body', requestId, MALFORMED_HINT);
  }
  throw toCloudError(
    'huawei',
    {
      code: textOf(parsed.error_code) ?? textOf(parsed.error?.code) ?? `HTTP.${response.status}`,
      message: textOf(parsed.error_msg) ?? textOf(parsed.error?.message) ?? (response.body.slice(0, 200) || `HTTP ${response.status}`),
      requestId,
      httpStatus: response.status,
      retryAfterMs: parseRetryAfter(response.headers['retry-after'], now),
    },
    classifyHuaweiError,
    secrets,
  );
}

/** Project ids found by region, per IAM endpoint and key: the lookup is one extra call per account, not per upload. */
const projectCache = new Map<string, string>();

/** Huawei project ids are 32 hex digits; anything path-safe is let through for private clouds. */
export const PROJECT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;

function checkedProjectId(id: string, source: string): string {
  if (PROJECT_ID_PATTERN.test(id)) return id;
  throw refusedBeforeSending('huawei', {
    code: 'project.invalid',
    kind: 'invalid',
    message: `The project id ${source} is not a project id`,
    hint: {
      en: 'A Huawei project id is 32 letters and digits (My Credentials > API Credentials > Projects). Correct it in the account settings.',
      'zh-CN': '华为云项目 ID 由 32 位字母和数字组成（我的凭证 > API 凭证 > 项目列表）。请在账号设置中更正。',
    },
  });
}

/** The account's project id, or IAM's answer to GET /v3/projects?name={region}. */
export async function resolveProjectId(ctx: CallContext): Promise<string> {
  const given = ctx.account.fields.projectId?.trim();
  if (given) return checkedProjectId(given, 'in the account settings');
  const region = requireRegion(ctx);
  const auth = huaweiAuth(ctx.credentials);
  const cacheKey = `${baseUrl(ctx, 'iam').href}|${auth.kind === 'aksk' ? auth.accessKeyId : 'token'}|${region}`;
  const cached = auth.kind === 'aksk' ? projectCache.get(cacheKey) : undefined;
  if (cached) return cached;
  const { body } = await sendHuawei(ctx, { method: 'GET', service: 'iam', path: '/v3/projects', query: { name: region } });
  const projects = Array.isArray(body.projects) ? (body.projects as readonly { id?: unknown; name?: unknown }[]) : [];
  const project = projects.find((p) => p.name === region) ?? projects[0];
  const id = textOf(project?.id);
  if (!id) {
    throw refusedBeforeSending('huawei', {
      code: 'project.not_found',
      kind: 'invalid',
      message: `IAM lists no project named ${region}`,
      hint: {
        en: `This account has no project for region ${region}. Check the region, or enter the project id (My Credentials > API Credentials) in the account settings.`,
        'zh-CN': `该账号在区域 ${region} 下没有项目。请检查区域，或在账号设置中填写项目 ID（我的凭证 > API 凭证）。`,
      },
    });
  }
  checkedProjectId(id, 'returned by IAM');
  if (auth.kind === 'aksk') projectCache.set(cacheKey, id);
  return id;
}

export async function createCertificate(ctx: CallContext, form: CertificateForm): Promise<UploadResult> {
  const projectId = await resolveProjectId(ctx);
  const answer = await sendHuawei(ctx, {
    method: 'POST',
    service: 'apig',
    path: `/v2/${projectId}/apigw/certificates`,
    body: JSON.stringify(form),
    projectId,
  });
  const id = textOf(answer.body.id);
  if (!id) throw malformedAnswer('huawei', 'certificate id', answer.requestId, MALFORMED_HINT);
  return { remoteId: id, requestId: answer.requestId, duplicateOf: null };
}

interface CertBase {
  readonly id?: unknown;
  readonly name?: unknown;
  readonly common_name?: unknown;
  readonly san?: unknown;
  readonly not_after?: unknown;
}

/** Huawei allows up to 500 per page; ten pages is far beyond any real gateway and bounds a runaway loop. */
const PAGE_SIZE = 500;
const MAX_PAGES = 10;

/** ListCertificatesV2 for one gateway instance ('common' holds the global certificates). */
export async function listCertificates(ctx: CallContext, instanceId: string, commonName?: string): Promise<RemoteCertificate[]> {
  const projectId = await resolveProjectId(ctx);
  const found: RemoteCertificate[] = [];
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const query: Record<string, string> = { instance_id: instanceId, limit: String(PAGE_SIZE), offset: String(page * PAGE_SIZE) };
    if (commonName) query.common_name = commonName;
    const { body } = await sendHuawei(ctx, {
      method: 'GET',
      service: 'apig',
      path: `/v2/${projectId}/apigw/certificates`,
      query,
      projectId,
    });
    const certs = Array.isArray(body.certs) ? (body.certs as readonly CertBase[]) : [];
    for (const cert of certs) {
      const id = textOf(cert.id);
      if (!id) continue;
      found.push({
        remoteId: id,
        name: textOf(cert.name),
        commonName: textOf(cert.common_name),
        domains: stringsOf(cert.san),
        notAfter: textOf(cert.not_after),
        fingerprintSha1: null,
        fingerprintSha256: null,
      });
    }
    const total = typeof body.total === 'number' ? body.total : found.length;
    if (certs.length < PAGE_SIZE || found.length >= total) break;
  }
  return found;
}
