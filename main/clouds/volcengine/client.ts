import type { CallContext, RemoteCertificate, UploadResult } from '../provider';
import { malformedAnswer, parseRetryAfter, refusedBeforeSending, toCloudError } from '../cloud-error';
import { parseJsonOrNull, stringsOf, textOf, type JsonObject } from '../json';
import { canonicalQuery } from '../query-string';
import { credentialSecrets } from '../scrub';
import { hostHeader, resolveEndpoint } from '../endpoint';
import { sha256Hex } from '../hash';
import { sendToCloud } from '../transport';
import type { HttpRequest, HttpResponse } from '../http';
import { classifyVolcengineError, MALFORMED_HINT } from './errors';
import { signVolc, xDate } from './sign';

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

interface Answer {
  readonly result: JsonObject;
  readonly requestId: string | null;
}

interface Envelope {
  readonly ResponseMetadata?: ResponseMetadata;
  readonly Result?: unknown;
}

function requestIdOf(metadata: ResponseMetadata | undefined): string | null {
  return textOf(metadata?.RequestId) ?? textOf(metadata?.RequestID);
}

/**
 * The `Result` of a success, or a CloudError. `ResponseMetadata.Error` is checked whatever the
 * status: Volcengine reports some errors (CommonErr, flow limits) with HTTP 200.
 */
export function parseVolcengineResponse(response: HttpResponse, now: Date, secrets: readonly (string | undefined)[], resultRequired = true): Answer {
  const json = parseJsonOrNull(response.body);
  const envelope = (json !== null && typeof json === 'object' ? json : {}) as Envelope;
  const metadata = envelope.ResponseMetadata;
  const error = metadata?.Error;
  const ok = response.status >= 200 && response.status < 300;
  const result = envelope.Result;
  if (ok && !error) {
    if (result !== null && typeof result === 'object') return { result: result as JsonObject, requestId: requestIdOf(metadata) };
    if (!resultRequired) return { result: {}, requestId: requestIdOf(metadata) };
    throw malformedAnswer('volcengine', 'Result', requestIdOf(metadata), MALFORMED_HINT);
  }
  // CodeN (the numeric twin, e.g. 100010) stands in only when a gateway omits the name.
  const code = textOf(error?.Code) ?? textOf(error?.CodeN) ?? `HTTP.${response.status}`;
  const message = textOf(error?.Message) ?? (response.body.slice(0, 200) || `HTTP ${response.status}`);
  throw toCloudError(
    'volcengine',
    { code, message, requestId: requestIdOf(metadata), httpStatus: response.status, retryAfterMs: parseRetryAfter(response.headers['retry-after'], now) },
    classifyVolcengineError,
    secrets,
  );
}

function credentialsOf(ctx: Pick<CallContext, 'credentials'>): { accessKeyId: string; accessKeySecret: string; securityToken: string | null } {
  const { accessKeyId, accessKeySecret } = ctx.credentials;
  if (accessKeyId === '' || accessKeySecret === '') {
    throw refusedBeforeSending('volcengine', {
      code: 'credentials.missing',
      kind: 'auth',
      message: 'The account has no complete Access Key ID / Secret Access Key',
      hint: {
        en: 'Enter the Access Key ID and Secret Access Key of the account (IAM > Access keys).',
        'zh-CN': '请填写该账号的 Access Key ID 和 Secret Access Key（访问控制 > 密钥管理）。',
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

/**
 * `resultRequired: false` for actions with "no specific return parameters" (BindCert, DeleteCert):
 * their success carries only ResponseMetadata, or a Result of any type (DEPLOY.md §4.0).
 */
export async function callVolcengine(ctx: CallContext, action: string, body: object, resultRequired = true): Promise<Answer> {
  const response = await sendToCloud('volcengine', ctx.http, buildVolcengineRequest(ctx, action, body, ctx.now()));
  return parseVolcengineResponse(response, ctx.now(), credentialSecrets(ctx.credentials), resultRequired);
}

export async function createCert(ctx: CallContext, body: CreateCertBody): Promise<UploadResult> {
  const { result, requestId } = await callVolcengine(ctx, 'CreateCert', body);
  const chainId = textOf(result.ChainID);
  if (!chainId) throw malformedAnswer('volcengine', 'ChainID', requestId, MALFORMED_HINT);
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
    const { result } = await callVolcengine(ctx, 'ListCertV2', body);
    const items = Array.isArray(result.CertList) ? (result.CertList as CertListItem[]) : [];
    for (const item of items) {
      const chainId = textOf(item.ChainID);
      if (!chainId) continue;
      found.push({
        remoteId: chainId,
        name: textOf(item.CertName),
        commonName: null,
        domains: stringsOf(item.CertDomainList),
        notAfter: textOf(item.NotAfter),
        fingerprintSha1: null,
        fingerprintSha256: null,
      });
    }
    const total = typeof result.Total === 'number' ? result.Total : found.length;
    if (items.length < PAGE_SIZE || found.length >= total) break;
  }
  return found;
}
