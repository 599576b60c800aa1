import type { CloudId } from '../../../shared/model';
import type { HttpRequest, HttpResponse } from '../http';
import type { CallContext, RemoteCertificate, UploadResult } from '../provider';
import { resolveEndpoint, hostHeader } from '../endpoint';
import { sendToCloud } from '../transport';
import { malformedAnswer, toCloudError, unrecognisedAnswer } from '../cloud-error';
import { isJsonObject, parseJsonOrNull, stringsOf, textOf, type JsonObject } from '../json';
import { credentialSecrets } from '../scrub';
import { signTc3 } from './sign';
import { classifyTencentError, MALFORMED_HINT, SERVER, UNREADABLE } from './errors';

// Tencent Cloud SSL API 3.0 calls (2019-12-05): request building, sending, answer parsing.

export const SSL_VERSION = '2019-12-05';
/** The scope's service name: the first label of the public host, also for ssl.intl. */
export const SSL_SERVICE = 'ssl';
export const publicEndpoints = {
  tencent: 'https://ssl.tencentcloudapi.com/',
  'tencent-intl': 'https://ssl.intl.tencentcloudapi.com/',
} as const satisfies Partial<Record<CloudId, string>>;
export type TencentCloudId = keyof typeof publicEndpoints;

/** The JSON sent and signed. The SDK sends and signs exactly this content type, no charset. */
const CONTENT_TYPE = 'application/json';

export interface TencentTag {
  readonly TagKey: string;
  readonly TagValue: string;
}

/** UploadCertificate parameters, spelled as the API spells them. */
export interface UploadCertificateParams {
  readonly CertificatePublicKey: string;
  readonly CertificatePrivateKey?: string;
  readonly CertificateType?: 'CA' | 'SVR';
  readonly Alias?: string;
  readonly ProjectId?: number;
  readonly CertificateUse?: string;
  readonly Tags?: readonly TencentTag[];
  readonly Repeatable?: boolean;
  readonly KeyPassword?: string;
}

export interface DescribeCertificatesParams {
  readonly Offset: number;
  readonly Limit: number;
  readonly SearchKey?: string;
}

/** A signed API call, ready to send. `timestamp` is Unix seconds. */
export function buildTencentRequest(
  cloud: TencentCloudId,
  ctx: Pick<CallContext, 'account' | 'credentials' | 'signal'>,
  action: string,
  params: object,
  timestamp: number,
  region?: string,
): HttpRequest {
  const url = resolveEndpoint(cloud, ctx.account.endpoint, publicEndpoints[cloud]);
  const body = JSON.stringify(params);
  const signed = signTc3({
    method: 'POST',
    host: hostHeader(url),
    path: url.pathname,
    query: '',
    contentType: CONTENT_TYPE,
    payload: body,
    timestamp,
    service: SSL_SERVICE,
    secretId: ctx.credentials.accessKeyId,
    secretKey: ctx.credentials.accessKeySecret,
  });
  const token = ctx.credentials.securityToken;
  return {
    method: 'POST',
    url,
    headers: {
      authorization: signed.authorization,
      'content-type': CONTENT_TYPE,
      host: hostHeader(url),
      'x-tc-action': action,
      'x-tc-version': SSL_VERSION,
      'x-tc-timestamp': String(timestamp),
      ...(token ? { 'x-tc-token': token } : {}),
      // Not a signed header (the SDK leaves it out too), so it does not change the signature.
      ...(region ? { 'x-tc-region': region } : {}),
    },
    body,
    signal: ctx.signal,
  };
}

/**
 * The `Response` object of a success answer; throws the CloudError of an error answer. Tencent
 * reports errors with HTTP 200 and `Response.Error`; a non-200 without that shape is a gateway's.
 */
export function parseTencentResponse(cloud: TencentCloudId, response: HttpResponse, secrets: readonly (string | undefined)[]): JsonObject {
  const parsed = parseJsonOrNull(response.body);
  const body = isJsonObject(parsed) && isJsonObject(parsed.Response) ? parsed.Response : null;
  const requestId = textOf(body?.RequestId) ?? response.headers['x-tc-requestid'] ?? null;
  if (body && isJsonObject(body.Error)) {
    const code = textOf(body.Error.Code) ?? 'UnknownError';
    const message = textOf(body.Error.Message) ?? '';
    throw toCloudError(cloud, { code, message, requestId, httpStatus: response.status }, classifyTencentError, secrets);
  }
  if (body && response.status === 200) return body;
  throw unrecognisedAnswer(cloud, response, requestId, { server: SERVER, unreadable: UNREADABLE }, secrets);
}

/** `region` becomes X-TC-Region, which only DeployCertificateInstance reads (regional resource types). */
export async function callTencent(cloud: TencentCloudId, ctx: CallContext, action: string, params: object, region?: string): Promise<JsonObject> {
  const timestamp = Math.floor(ctx.now().getTime() / 1000);
  const response = await sendToCloud(cloud, ctx.http, buildTencentRequest(cloud, ctx, action, params, timestamp, region));
  return parseTencentResponse(cloud, response, credentialSecrets(ctx.credentials));
}

export async function uploadCertificate(cloud: TencentCloudId, ctx: CallContext, params: UploadCertificateParams): Promise<UploadResult> {
  const answer = await callTencent(cloud, ctx, 'UploadCertificate', params);
  const requestId = textOf(answer.RequestId);
  // With Repeatable=false an identical certificate comes back as RepeatCertId (CertificateId may then
  // be empty or the same id); either way the existing copy is the result.
  const duplicateOf = textOf(answer.RepeatCertId);
  const remoteId = duplicateOf ?? textOf(answer.CertificateId);
  if (!remoteId) {
    throw malformedAnswer(cloud, 'CertificateId', requestId, MALFORMED_HINT);
  }
  return { remoteId, requestId, duplicateOf };
}

/** "yyyy-MM-dd HH:mm:ss" in Beijing time (UTC+8, no DST) as ISO 8601 UTC. */
export function beijingTimeToIso(value: unknown): string | null {
  const match = typeof value === 'string' ? /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/.exec(value) : null;
  if (!match) return null;
  const time = Date.parse(`${match[1]}T${match[2]}+08:00`);
  return Number.isNaN(time) ? null : new Date(time).toISOString();
}

function toRemoteCertificate(item: JsonObject): RemoteCertificate | null {
  const remoteId = textOf(item.CertificateId);
  if (!remoteId) return null;
  return {
    remoteId,
    name: textOf(item.Alias),
    commonName: textOf(item.Domain),
    domains: stringsOf(item.SubjectAltName),
    notAfter: beijingTimeToIso(item.CertEndTime),
    // DescribeCertificates carries no fingerprint; matching uses domains and expiry.
    fingerprintSha1: null,
    fingerprintSha256: null,
  };
}

const PAGE_SIZE = 1000;
/** A listing is for "test connection" and dedupe; beyond this many certificates, narrow with a search. */
export const MAX_LISTED = 5000;

export async function describeCertificates(cloud: TencentCloudId, ctx: CallContext, search: string | undefined): Promise<RemoteCertificate[]> {
  const found: RemoteCertificate[] = [];
  for (let offset = 0; offset < MAX_LISTED; offset += PAGE_SIZE) {
    const params: DescribeCertificatesParams = { Offset: offset, Limit: PAGE_SIZE, ...(search ? { SearchKey: search } : {}) };
    const answer = await callTencent(cloud, ctx, 'DescribeCertificates', params);
    const items = Array.isArray(answer.Certificates) ? answer.Certificates.filter(isJsonObject) : [];
    for (const item of items) {
      const remote = toRemoteCertificate(item);
      if (remote) found.push(remote);
    }
    const total = typeof answer.TotalCount === 'number' ? answer.TotalCount : 0;
    if (items.length < PAGE_SIZE || offset + PAGE_SIZE >= total) break;
  }
  return found;
}
