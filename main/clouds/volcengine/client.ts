import type { CallContext, RemoteCertificate, UploadResult } from '../provider';
import { CloudError } from '../provider';
import { parseRetryAfter, toCloudError } from '../cloud-error';
import { hostHeader, resolveEndpoint } from '../endpoint';
import { sha256Hex } from '../hash';
import { sendToCloud } from '../transport';
import type { HttpRequest, HttpResponse } from '../http';
import { classifyVolcengineError } from './errors';
import { canonicalQuery, signVolc, xDate } from './sign';

// Volcengine Live OpenAPI 2023-01-01: CreateCert (add, or replace through ChainID) and ListCertV2.
// Both are POST https://live.volcengineapi.com/?Action=...&Version=2023-01-01 with a JSON body.

export const LIVE_ENDPOINT = 'https://live.volcengineapi.com';
export const LIVE_VERSION = '2023-01-01';
/** Live is a global service signed for cn-north-1 (the SDK's LiveCasterService and the docs agree). */
export const LIVE_SCOPE = { region: 'cn-north-1', service: 'live' } as const;

/** The CreateCert body. The key pair sits under `Rsa` whatever the algorithm, spelled as the parameter table has it. */
export interface CreateCertBody {
  readonly CertName?: string;
  readonly ProjectName?: string;
  readonly ChainID?: string;
  readonly UseWay: 'https';
  readonly Rsa: { readonly Pubkey: string; readonly Prikey: string };
}

interface ResponseMetadata {
  readonly RequestId?: unknown;
  /** The CreateCert example spells it this way; the gateway's own answers use RequestId. */
  readonly RequestID?: unknown;
  readonly Error?: { readonly Code?: unknown; readonly CodeN?: unknown; readonly Message?: unknown };
}

interface Envelope {
  readonly ResponseMetadata?: ResponseMetadata;
  readonly Result?: unknown;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}

function requestIdOf(metadata: ResponseMetadata | undefined): string | null {
  return text(metadata?.RequestId) ?? text(metadata?.RequestID);
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}

/**
 * The `Result` of a success, or a CloudError. `ResponseMetadata.Error` is checked whatever the
 * status: Volcengine reports some errors (CommonErr, flow limits) with HTTP 200.
 */
export function parseAnswer(response: HttpResponse, now: Date, secrets: readonly (string | undefined)[]): { result: Record<string, unknown>; requestId: string | null } {
  const json = parseJson(response.body);
  const envelope = (json !== null && typeof json === 'object' ? json : {}) as Envelope;
  const metadata = envelope.ResponseMetadata;
  const error = metadata?.Error;
  const ok = response.status >= 200 && response.status < 300;
  const result = envelope.Result;
  if (ok && !error) {
    if (result !== null && typeof result === 'object') return { result: result as Record<string, unknown>, requestId: requestIdOf(metadata) };
    throw malformed('Result', requestIdOf(metadata));
  }
  // CodeN (the numeric twin, e.g. 100010) stands in only when a gateway omits the name.
  const code = text(error?.Code) ?? text(error?.CodeN) ?? `HTTP.${response.status}`;
  const message = text(error?.Message) ?? (response.body.slice(0, 200) || `HTTP ${response.status}`);
  throw toCloudError(
    'volcengine',
    { code, message, requestId: requestIdOf(metadata), httpStatus: response.status, retryAfterMs: parseRetryAfter(response.headers['retry-after'], now) },
    classifyVolcengineError,
    secrets,
  );
}

/** A 2xx answer without the fields a success has: the request may well have worked, so nothing is retried blindly. */
function malformed(what: string, requestId: string | null): CloudError {
  return new CloudError({
    cloud: 'volcengine',
    code: 'response.malformed',
    message: `The answer has no ${what}`,
    kind: 'server',
    retryable: false,
    requestId,
    httpStatus: null,
    mayHaveReachedServer: true,
    hint: {
      en: 'Volcengine answered without the expected fields. Check the certificate list before trying again, and that the endpoint really is Volcengine Live.',
      'zh-CN': '火山引擎的响应缺少预期字段。重试前请先查看证书列表,并确认接入地址确实是火山引擎视频直播。',
    },
  });
}

function credentialsOf(ctx: Pick<CallContext, 'credentials'>): { accessKeyId: string; accessKeySecret: string; securityToken: string | null } {
  const { accessKeyId, accessKeySecret } = ctx.credentials;
  if (accessKeyId === '' || accessKeySecret === '') {
    throw new CloudError({
      cloud: 'volcengine',
      code: 'credentials.missing',
      message: 'The account has no complete Access Key ID / Secret Access Key',
      kind: 'auth',
      retryable: false,
      requestId: null,
      httpStatus: null,
      mayHaveReachedServer: false,
      hint: {
        en: 'Enter the Access Key ID and Secret Access Key of the account (IAM > Access keys).',
        'zh-CN': '请填写该账号的 Access Key ID 和 Secret Access Key(访问控制 > 密钥管理)。',
      },
    });
  }
  return { accessKeyId, accessKeySecret, securityToken: ctx.credentials.securityToken?.trim() || null };
}

/** A signed Live OpenAPI request, ready to send. */
export function buildVolcengineRequest(
  ctx: Pick<CallContext, 'account' | 'credentials' | 'signal'>,
  action: string,
  body: object,
  now: Date,
): HttpRequest {
  const credentials = credentialsOf(ctx);
  const base = resolveEndpoint('volcengine', ctx.account.endpoint, LIVE_ENDPOINT);
  const path = base.pathname === '' ? '/' : base.pathname;
  const query = { Action: action, Version: LIVE_VERSION };
  const url = new URL(`${base.origin}${path}?${canonicalQuery(query)}`);
  const payload = JSON.stringify(body);
  const date = xDate(now);
  // Signed: host, x-date, x-content-sha256 (the hash of exactly `payload`) and the STS token.
  // Content-Type is sent unsigned, as the official SDK does.
  const signed: Record<string, string> = { 'X-Content-Sha256': sha256Hex(payload) };
  if (credentials.securityToken) signed['X-Security-Token'] = credentials.securityToken;
  const signature = signVolc({
    method: 'POST',
    host: hostHeader(url),
    path,
    query,
    xDate: date,
    headers: signed,
    payload,
    ...LIVE_SCOPE,
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
  });
  return {
    method: 'POST',
    url,
    headers: { Host: hostHeader(url), 'Content-Type': 'application/json', ...signed, 'X-Date': date, Authorization: signature.authorization },
    body: payload,
    ...(ctx.signal ? { signal: ctx.signal } : {}),
  };
}

async function call(ctx: CallContext, action: string, body: object): Promise<{ result: Record<string, unknown>; requestId: string | null }> {
  const response = await sendToCloud('volcengine', ctx.http, buildVolcengineRequest(ctx, action, body, ctx.now()));
  const { accessKeyId, accessKeySecret, securityToken } = ctx.credentials;
  return parseAnswer(response, ctx.now(), [accessKeyId, accessKeySecret, securityToken]);
}

export async function createCert(ctx: CallContext, body: CreateCertBody): Promise<UploadResult> {
  const { result, requestId } = await call(ctx, 'CreateCert', body);
  const chainId = text(result.ChainID);
  if (!chainId) throw malformed('ChainID', requestId);
  return { remoteId: chainId, requestId, duplicateOf: null };
}

interface CertListItem {
  readonly ChainID?: unknown;
  readonly CertName?: unknown;
  readonly CertDomainList?: unknown;
  readonly NotAfter?: unknown;
}

const PAGE_SIZE = 100;
/** Bounds a runaway loop should the cloud keep answering full pages. */
const MAX_PAGES = 50;

/** ListCertV2; `domain` narrows to certificates for that domain. No CN or SAN field: domains come from CertDomainList. */
export async function listCerts(ctx: CallContext, projectName: string | null, domain?: string): Promise<RemoteCertificate[]> {
  const found: RemoteCertificate[] = [];
  for (let page = 1; page <= MAX_PAGES; page += 1) {
    // Paging applies only when both PageNum and PageSize are sent.
    const body: Record<string, unknown> = { PageNum: page, PageSize: PAGE_SIZE };
    if (projectName) body.ProjectName = projectName;
    if (domain) body.Domain = domain;
    const { result } = await call(ctx, 'ListCertV2', body);
    const items = Array.isArray(result.CertList) ? (result.CertList as CertListItem[]) : [];
    for (const item of items) {
      const chainId = text(item.ChainID);
      if (!chainId) continue;
      const domains = Array.isArray(item.CertDomainList) ? item.CertDomainList.filter((d): d is string => typeof d === 'string') : [];
      found.push({
        remoteId: chainId,
        name: text(item.CertName),
        commonName: null,
        domains,
        notAfter: text(item.NotAfter),
        fingerprintSha1: null,
        fingerprintSha256: null,
      });
    }
    const total = typeof result.Total === 'number' ? result.Total : found.length;
    if (items.length < PAGE_SIZE || found.length >= total) break;
  }
  return found;
}
