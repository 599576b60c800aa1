import type { HttpRequest, HttpResponse } from '../http';
import type { AccountConfig, CallContext, RemoteCertificate, UploadResult } from '../provider';
import { resolveEndpoint, hostHeader } from '../endpoint';
import { sendToCloud } from '../transport';
import { malformedAnswer, parseRetryAfter, toCloudError, unrecognisedAnswer } from '../cloud-error';
import { isJsonObject, parseJsonOrNull, textOf, type JsonObject } from '../json';
import { credentialSecrets } from '../scrub';
import { sha256Hex } from '../hash';
import { normalHex } from '../remote-copy';
import { acsDate, canonicalQuery, signAcs3 } from './sign';
import { classifyAliyunError, MALFORMED_HINT, SERVER, UNREADABLE } from './errors';

// Alibaba Cloud CAS (2020-04-07) RPC calls signed with ACS3-HMAC-SHA256.
//
// Where the parameters go. The API metadata declares them `in: query` and the official SDK sends
// even Cert and Key in the URL of a POST. A leaf + intermediates + key is 6-20 KB once
// percent-encoded: over Node's 16 KiB header limit (431) and over the 8 KiB request-line limit of
// common proxies (nginx large_client_header_buffers, 414). The RPC gateway also reads parameters
// from an application/x-www-form-urlencoded body (the legacy official client, pop-core, sends
// every parameter of this very API that way, and openapi-core sends RPC body parameters as a form).
// So: a short parameter set (list calls, tests) goes in the query, byte-identical to the SDK's
// request; anything whose encoded query would pass QUERY_LIMIT, and anything carrying a private
// key (URLs end up in server and proxy access logs), goes in a form body, whose exact bytes are
// hashed into x-acs-content-sha256 and so covered by the signature.

export const CAS_VERSION = '2020-04-07';
export const QUERY_LIMIT = 2048;
const FORM = 'application/x-www-form-urlencoded';
const SECRET_PARAMS = ['Key', 'EncryptPrivateKey', 'SignPrivateKey'];

/** Regions the SDK's endpoint map sends to the central endpoint; others use cas.{region}. */
const CENTRAL_REGIONS = new Set([
  'cn-hangzhou', 'cn-beijing', 'cn-shanghai', 'cn-shenzhen', 'cn-qingdao', 'cn-zhangjiakou', 'cn-huhehaote',
  'cn-wulanchabu', 'cn-chengdu', 'cn-hongkong', 'cn-wuhan', 'cn-fujian', 'cn-zhangbei', 'cn-edge-1',
  'cn-beijing-finance-1', 'cn-beijing-gov-1', 'cn-hangzhou-finance', 'cn-shanghai-finance-1',
  'cn-shenzhen-finance-1', 'cn-north-2-gov-1', 'ap-southeast-3', 'ap-southeast-5', 'ap-northeast-2-pop',
  'eu-west-1', 'us-east-1', 'us-west-1', 'rus-west-1-pop',
]);

export function publicEndpoint(region: string | null): string {
  return !region || CENTRAL_REGIONS.has(region) ? 'https://cas.aliyuncs.com/' : `https://cas.${region}.aliyuncs.com/`;
}

export interface RpcCall {
  readonly action: string;
  /** Unencoded parameter values; absent parameters are left out by the caller. */
  readonly params: Readonly<Record<string, string>>;
}

/** A signed RPC request. `nonce` must be fresh for every request sent, retries included. */
export function buildAliyunRequest(
  ctx: Pick<CallContext, 'account' | 'credentials' | 'signal'>,
  call: RpcCall,
  now: Date,
  nonce: string,
): HttpRequest {
  const url = resolveEndpoint('aliyun', ctx.account.endpoint, publicEndpoint(ctx.account.region));
  const encoded = canonicalQuery(call.params);
  const inBody = encoded.length > QUERY_LIMIT || SECRET_PARAMS.some((name) => Object.hasOwn(call.params, name));
  const body = inBody ? encoded : '';
  const payloadHash = sha256Hex(body);
  const token = ctx.credentials.securityToken;
  const signedHeaders: Record<string, string> = {
    host: hostHeader(url),
    'x-acs-action': call.action,
    'x-acs-version': CAS_VERSION,
    'x-acs-date': acsDate(now),
    'x-acs-signature-nonce': nonce,
    'x-acs-content-sha256': payloadHash,
    ...(inBody ? { 'content-type': FORM } : {}),
    ...(token ? { 'x-acs-security-token': token } : {}),
  };
  const query = inBody ? {} : call.params;
  const signed = signAcs3({
    method: 'POST',
    path: url.pathname,
    query,
    headers: signedHeaders,
    payloadHash,
    accessKeyId: ctx.credentials.accessKeyId,
    accessKeySecret: ctx.credentials.accessKeySecret,
  });
  const target = new URL(url);
  // The query sent is the canonical one, so what the server re-derives is what was signed.
  target.search = inBody || encoded === '' ? '' : `?${encoded}`;
  return {
    method: 'POST',
    url: target,
    headers: { ...signedHeaders, accept: 'application/json', authorization: signed.authorization },
    ...(inBody ? { body } : {}),
    signal: ctx.signal,
  };
}

/**
 * x-acs-retry-after is in milliseconds: the official client (openapi-core getThrottlingTimeLeft)
 * hands it unchanged to a retry loop whose delays are milliseconds. Retry-After is HTTP's seconds.
 */
function retryAfterOf(headers: Readonly<Record<string, string>>, now: Date): number | null {
  const acs = headers['x-acs-retry-after'];
  if (acs !== undefined && /^\d+$/.test(acs.trim())) return Number(acs.trim());
  return parseRetryAfter(headers['retry-after'], now);
}

/** The JSON body of a 2xx answer; throws the CloudError of anything else. */
export function parseAliyunResponse(response: HttpResponse, now: Date, secrets: readonly (string | undefined)[]): JsonObject {
  const parsed = parseJsonOrNull(response.body);
  const body = isJsonObject(parsed) ? parsed : null;
  const requestId = textOf(body?.RequestId) ?? response.headers['x-acs-request-id'] ?? null;
  const ok = response.status >= 200 && response.status < 300;
  const code = textOf(body?.Code);
  if (ok && body && !code) return body;
  if (body && code) {
    throw toCloudError(
      'aliyun',
      {
        code,
        message: textOf(body.Message) ?? '',
        requestId,
        httpStatus: response.status,
        retryAfterMs: retryAfterOf(response.headers, now),
      },
      classifyAliyunError,
      secrets,
    );
  }
  throw unrecognisedAnswer('aliyun', response, requestId, { server: SERVER, unreadable: UNREADABLE }, secrets);
}

export async function callAliyun(ctx: CallContext, rpc: RpcCall): Promise<JsonObject> {
  const now = ctx.now();
  const response = await sendToCloud('aliyun', ctx.http, buildAliyunRequest(ctx, rpc, now, ctx.nonce()));
  return parseAliyunResponse(response, now, credentialSecrets(ctx.credentials));
}

export async function uploadUserCertificate(ctx: CallContext, params: Readonly<Record<string, string>>): Promise<UploadResult> {
  const answer = await callAliyun(ctx, { action: 'UploadUserCertificate', params });
  const requestId = textOf(answer.RequestId);
  const remoteId = textOf(answer.CertId);
  if (!remoteId) {
    throw malformedAnswer('aliyun', 'CertId', requestId, MALFORMED_HINT);
  }
  return { remoteId, requestId, duplicateOf: null };
}

function toRemoteCertificate(item: JsonObject): RemoteCertificate | null {
  const remoteId = textOf(item.CertificateId) ?? textOf(item.CertId);
  if (!remoteId) return null;
  const sans = typeof item.Sans === 'string' ? item.Sans.split(',').map((name) => name.trim()).filter(Boolean) : [];
  const endDate = typeof item.EndDate === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(item.EndDate) ? `${item.EndDate}T00:00:00.000Z` : null;
  return {
    remoteId,
    name: textOf(item.Name),
    commonName: textOf(item.CommonName),
    domains: sans,
    // EndDate is a calendar day only; kept as that day at 00:00 UTC.
    notAfter: endDate,
    fingerprintSha1: normalHex(item.Fingerprint),
    fingerprintSha256: normalHex(item.Sha2),
  };
}

const PAGE_SIZE = 50;
/** A listing is for "test connection" and dedupe; beyond this many certificates, narrow with a search. */
export const MAX_LISTED = 2000;

export async function listUploadedCertificates(ctx: CallContext, search: string | undefined, account: AccountConfig): Promise<RemoteCertificate[]> {
  const found: RemoteCertificate[] = [];
  const resourceGroupId = account.fields.resourceGroupId;
  for (let page = 1; (page - 1) * PAGE_SIZE < MAX_LISTED; page += 1) {
    const answer = await callAliyun(ctx, {
      action: 'ListUserCertificateOrder',
      params: {
        // The default OrderType (CPACK, purchased certificates) lists no uploaded ones.
        OrderType: 'UPLOAD',
        CurrentPage: String(page),
        ShowSize: String(PAGE_SIZE),
        ...(search ? { Keyword: search } : {}),
        ...(resourceGroupId ? { ResourceGroupId: resourceGroupId } : {}),
      },
    });
    const items = Array.isArray(answer.CertificateOrderList) ? answer.CertificateOrderList.filter(isJsonObject) : [];
    for (const item of items) {
      const remote = toRemoteCertificate(item);
      if (remote) found.push(remote);
    }
    const total = typeof answer.TotalCount === 'number' ? answer.TotalCount : 0;
    if (items.length < PAGE_SIZE || page * PAGE_SIZE >= total) break;
  }
  return found;
}
