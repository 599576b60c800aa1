// Volcengine Live (live.volcengineapi.com), API 2023-01-01: CreateCert (create, or replace through
// ChainID), ListCertV2, DescribeCertDetailSecretV2, ListDomainDetail (DEPLOY.md §4.1-4.2, §4.7) and
// the deploy actions BindCert, DescribeDomain and DeleteCert (§4.4, §4.6, §4.7)
// over uploaded and seeded certificates and domains, HMAC-SHA256 with scope cn-north-1/live. Every answer carries
// ResponseMetadata; errors sit in ResponseMetadata.Error with the gateway's HTTP status.

import { randomBytes } from 'node:crypto';
import { checkKeyPair, parseCertificate } from './certificate';
import { defaultCredentials, findCredential } from './credentials';
import { canonicalQuery, decodePairs, hmacSha256, hmacSha256Hex, requestId, sameSignature, sha256Hex } from './digest';
import {
  skewSeconds,
  startEmulator,
  type BoundResource,
  type CloudBehaviour,
  type EmulatorCredential,
  type EmulatorOptions,
  type EmulatorState,
  type IncomingCall,
  type Reply,
  type RunningEmulator,
} from './server';
import type { StoredCertificate } from './store';
import { hexId, resourcesOf, seedCertificate, type SeedInput } from './seed';
import { bindingKey, coversDomain, deployState, updateResource } from './deploy-state';

const VERSION = '2023-01-01';
const REGION = 'cn-north-1';
const SERVICE = 'live';
// Not documented for Volcengine; the gateway follows the usual 15 minutes of its peers.
const MAX_SKEW_SECONDS = 15 * 60;
const EXPIRING_DAYS = 30;
const ACTIONS = new Set(['CreateCert', 'ListCertV2', 'DescribeCertDetailSecretV2', 'ListDomainDetail', 'DescribeDomain', 'BindCert', 'DeleteCert']);

export function startVolcengineEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const credentials = options.credentials ?? [defaultCredentials.volcengine];
  return startEmulator(options, (state) => volcengineBehaviour(state, credentials));
}

interface ErrorSpec {
  readonly code: string;
  readonly status: number;
  /** Gateway errors carry a numeric CodeN; the Live service's own errors do not. */
  readonly codeN?: number;
}

// BytePlus/Volcengine common gateway codes (REFERENCE 4.3).
const GATEWAY = {
  missingParameter: { code: 'MissingParameter', codeN: 100002, status: 400 },
  missingToken: { code: 'MissingAuthenticationToken', codeN: 100003, status: 401 },
  missingSignature: { code: 'MissingSignature', codeN: 100005, status: 401 },
  invalidTimestamp: { code: 'InvalidTimestamp', codeN: 100006, status: 400 },
  invalidAction: { code: 'InvalidActionOrVersion', codeN: 100008, status: 404 },
  invalidAccessKey: { code: 'InvalidAccessKey', codeN: 100009, status: 401 },
  signatureMismatch: { code: 'SignatureDoesNotMatch', codeN: 100010, status: 401 },
  // Unconfirmed in official docs (REFERENCE 7): seen in other projects' code.
  flowLimit: { code: 'FlowLimitExceeded', codeN: 100018, status: 429 },
} as const satisfies Record<string, ErrorSpec>;

const INVALID_PARAM: ErrorSpec = { code: 'InvalidParam', status: 400 };

function volcengineBehaviour(state: EmulatorState, credentials: readonly EmulatorCredential[]): CloudBehaviour {
  return {
    operationOf: (call) => call.url.searchParams.get('Action') ?? '',
    faultReply(kind, override, call) {
      const defaults = {
        throttle: [GATEWAY.flowLimit, 'Flow limit exceeded, please retry later.'],
        auth: [GATEWAY.signatureMismatch, 'The request signature we calculated does not match the signature you provided.'],
        server: [{ code: 'InternalError', status: 500 }, 'an internal error occurred, please contact the administrator.'],
        error: [INVALID_PARAM, 'Request parameter error, please check input data'],
      } as const;
      const [spec, message] = defaults[kind];
      const overridden: ErrorSpec =
        override.code === undefined && override.status === undefined
          ? spec
          : { code: override.code ?? spec.code, status: override.status ?? spec.status };
      return volcError(call, overridden, override.message ?? message);
    },
    outcomeOf: (reply) => (reply.body as { ResponseMetadata: { Error?: { Code: string } } }).ResponseMetadata.Error?.Code ?? 'ok',
    handle(call) {
      const action = call.url.searchParams.get('Action');
      const version = call.url.searchParams.get('Version');
      if (action === null || version === null) return volcError(call, GATEWAY.missingParameter, 'Action and Version are required.');
      const verified = verifySignature(call, credentials, state.now());
      if ('status' in verified) return verified;
      if (!ACTIONS.has(action) || version !== VERSION) {
        return volcError(call, GATEWAY.invalidAction, `The action ${action} or version ${version} is not valid.`);
      }
      let body: unknown;
      try {
        body = JSON.parse(call.body.length === 0 ? '{}' : call.body.toString('utf8'));
      } catch {
        return volcError(call, { code: 'InvalidParam.BindError', status: 400 }, 'Request parameter error, please check input data');
      }
      if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        return volcError(call, { code: 'InvalidParam.BindError', status: 400 }, 'Request parameter error, please check input data');
      }
      const params = body as Record<string, unknown>;
      switch (action) {
        case 'CreateCert':
          return createCert(state, call, verified.accessKeyId, params);
        case 'ListCertV2':
          return listCertV2(state, call, verified.accessKeyId, params);
        case 'DescribeCertDetailSecretV2':
          return describeCertDetail(state, call, verified.accessKeyId, params);
        case 'DescribeDomain':
          return describeDomain(state, call, verified.accessKeyId, params);
        case 'BindCert':
          return bindCert(state, call, verified.accessKeyId, params);
        case 'DeleteCert':
          return deleteCert(state, call, verified.accessKeyId, params);
        default:
          return listDomainDetail(state, call, verified.accessKeyId, params);
      }
    },
  };
}

function verifySignature(call: IncomingCall, credentials: readonly EmulatorCredential[], now: Date): EmulatorCredential | Reply {
  const authorization = call.headers.authorization;
  if (authorization === undefined || authorization === '') return volcError(call, GATEWAY.missingToken, 'The request is missing the Authorization header.');
  const match = /^HMAC-SHA256 Credential=([^/\s]+)\/(\d{8})\/([^/\s]+)\/([^/\s]+)\/request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (match === null) return volcError(call, GATEWAY.missingSignature, 'The Authorization header is malformed.');
  const [, accessKeyId, scopeDate, region, service, signedHeaderList, signature] = match as unknown as [string, string, string, string, string, string, string];
  const credential = findCredential(credentials, accessKeyId);
  if (credential === undefined) return volcError(call, GATEWAY.invalidAccessKey, 'The access key is invalid.');

  const xDate = call.headers['x-date'] ?? '';
  const parsedDate = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(xDate);
  if (parsedDate === null) return volcError(call, GATEWAY.invalidTimestamp, 'The X-Date header is missing or not in YYYYMMDDTHHMMSSZ form.');
  const [, y, mo, d, h, mi, s] = parsedDate as unknown as [string, string, string, string, string, string, string];
  if (skewSeconds(new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`), now) > MAX_SKEW_SECONDS) {
    return volcError(call, GATEWAY.invalidTimestamp, 'The signature of the request is expired.');
  }

  const signedHeaders = signedHeaderList.split(';');
  const bodyHash = sha256Hex(call.body);
  const reason =
    scopeDate !== xDate.slice(0, 8) ? 'the credential date is not the date of X-Date'
    : region !== REGION || service !== SERVICE ? `the credential scope must be ${REGION}/${SERVICE}`
    : !signedHeaders.includes('x-date') ? 'SignedHeaders must include x-date'
    : signedHeaders.some((name) => call.headers[name] === undefined) ? 'a signed header was not sent'
    : (call.headers['x-content-sha256'] ?? bodyHash) !== bodyHash ? 'X-Content-Sha256 is not the SHA-256 of the body sent'
    : null;
  if (reason !== null) return volcError(call, GATEWAY.signatureMismatch, `The request signature does not match: ${reason}.`);

  const canonicalRequest = [
    call.method,
    call.url.pathname,
    canonicalQuery(decodePairs(call.url.search.slice(1), false)),
    signedHeaders.map((name) => `${name}:${call.headers[name]!.trim()}\n`).join(''),
    signedHeaderList,
    bodyHash,
  ].join('\n');
  const stringToSign = `HMAC-SHA256\n${xDate}\n${scopeDate}/${REGION}/${SERVICE}/request\n${sha256Hex(canonicalRequest)}`;
  // The SK is used verbatim even though it looks like base64 (REFERENCE 4.5).
  const signingKey = hmacSha256(hmacSha256(hmacSha256(hmacSha256(credential.accessKeySecret, scopeDate), REGION), SERVICE), 'request');
  if (!sameSignature(hmacSha256Hex(signingKey, stringToSign), signature)) {
    return volcError(call, GATEWAY.signatureMismatch, 'The request signature we calculated does not match the signature you provided.');
  }
  if ((call.headers['x-security-token'] ?? '') !== (credential.securityToken ?? '')) {
    return volcError(call, GATEWAY.invalidAccessKey, 'The security token is invalid for this access key.');
  }
  return credential;
}

function createCert(state: EmulatorState, call: IncomingCall, account: string, params: Record<string, unknown>): Reply {
  const invalid = (message: string, spec: ErrorSpec = INVALID_PARAM) => volcError(call, spec, message);
  if (params.UseWay === undefined) return invalid('UseWay is required.');
  if (params.UseWay !== 'https') return invalid('UseWay should be one of {[https]}', { code: 'InvalidParam.OutOfRange', status: 400 });
  for (const name of ['CertName', 'ProjectName', 'ChainID']) {
    if (params[name] !== undefined && typeof params[name] !== 'string') return invalid(`${name} must be a string.`, { code: 'InvalidParam.BindError', status: 400 });
  }
  const rsa = params.Rsa;
  if (typeof rsa !== 'object' || rsa === null) return invalid('Rsa is required.');
  // The 2023-01-01 parameter table says Pubkey/Prikey, its example PubKey/PriKey (REFERENCE 7).
  const fields = rsa as Record<string, unknown>;
  const certificateText = fields.Pubkey ?? fields.PubKey;
  const keyText = fields.Prikey ?? fields.PriKey;
  if (typeof certificateText !== 'string' || certificateText === '') return invalid('Rsa.Pubkey is required.');
  if (typeof keyText !== 'string' || keyText === '') return invalid('Rsa.Prikey is required.');

  const certificate = parseCertificate(certificateText);
  if (certificate === null) return invalid('The certificate (Rsa.Pubkey) could not be parsed.');
  if (certificate.keyAlgorithm === 'SM2') return invalid('SM2 certificates are not supported; upload an RSA or ECC certificate.');
  const keyCheck = checkKeyPair(certificate, keyText);
  if (!keyCheck.ok) {
    const message =
      keyCheck.reason === 'mismatch' ? 'The certificate and the private key do not match.'
      : keyCheck.reason === 'encrypted' ? 'The private key must not be password-protected.'
      : 'The private key (Rsa.Prikey) could not be parsed.';
    return invalid(message);
  }

  const entry = {
    name: (params.CertName as string | undefined) ?? null,
    certificatePem: certificateText,
    privateKeyPem: keyText,
    certificate,
    params,
  };
  const chainId = params.ChainID as string | undefined;
  let stored: StoredCertificate;
  if (chainId !== undefined && chainId !== '') {
    const replaced = state.store.replace(account, chainId, entry, state.now());
    if (replaced === null) return invalid(`The certificate chain ${chainId} does not exist.`, { code: 'ResourceNotFound', status: 404 });
    stored = replaced;
  } else {
    stored = state.store.add({ id: randomBytes(16).toString('hex'), account, ...entry }, state.now());
  }
  return volcOk(call, { ChainID: stored.id, Domain: certificate.commonName ?? certificate.dnsNames[0] ?? '', UseWay: 'https' });
}

function listCertV2(state: EmulatorState, call: IncomingCall, account: string, params: Record<string, unknown>): Reply {
  const now = state.now();
  const expiringBefore = now.getTime() + EXPIRING_DAYS * 86_400_000;
  const text = (name: string) => (typeof params[name] === 'string' ? (params[name] as string) : '');
  const all = state.store.list(account);
  // Available defaults to true (enabled certificates); false is taken as the others (unconfirmed).
  const available = params.Available !== false;
  const matching = all.filter((entry) => {
    const notAfter = entry.certificate.notAfter.getTime();
    return (
      notAfter > now.getTime() === available &&
      (params.Expiring !== true || (notAfter > now.getTime() && notAfter <= expiringBefore)) &&
      (text('Domain') === '' || domainList(entry).some((domain) => domain.includes(text('Domain')))) &&
      (text('CertName') === '' || (entry.name ?? '').includes(text('CertName'))) &&
      (text('ProjectName') === '' || ((entry.params.ProjectName as string | undefined) ?? 'default') === text('ProjectName'))
    );
  });
  // Paging applies only when both PageNum and PageSize are sent.
  const pageNum = params.PageNum;
  const pageSize = params.PageSize;
  const page =
    typeof pageNum === 'number' && typeof pageSize === 'number'
      ? matching.slice((pageNum - 1) * pageSize, pageNum * pageSize)
      : matching;
  return volcOk(call, {
    CertList: page.map((entry) => listItem(entry, now)),
    ExpirationInfo: {
      ActiveNum: all.filter((entry) => entry.certificate.notAfter.getTime() > now.getTime()).length,
      ExpireNum: all.filter((entry) => entry.certificate.notAfter.getTime() <= now.getTime()).length,
      ClosingExpireNum: all.filter((entry) => {
        const notAfter = entry.certificate.notAfter.getTime();
        return notAfter > now.getTime() && notAfter <= expiringBefore;
      }).length,
    },
    Total: matching.length,
  });
}

/** A certificate already on the account. */
export function seedVolcengineCertificate(state: EmulatorState, input: SeedInput): StoredCertificate {
  return seedCertificate(state, input.id ?? hexId(), { ...input, params: { ProjectName: 'default', ...input.params } });
}

function describeCertDetail(state: EmulatorState, call: IncomingCall, account: string, params: Record<string, unknown>): Reply {
  const chainId = params.ChainID;
  const certId = params.CertID;
  // "传且仅传一个": exactly one of the two.
  if ((chainId === undefined) === (certId === undefined)) return volcError(call, INVALID_PARAM, 'Pass exactly one of ChainID and CertID.');
  const entry = state.store.find(account, (candidate) => candidate.id === chainId || `${candidate.id}-${candidate.revision}` === certId);
  if (entry === undefined) {
    return volcError(call, { code: 'RequestForbidden', status: 403 }, 'There is no such resource under this account: cert.');
  }
  const blocks = entry.certificatePem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  return volcOk(call, {
    ChainID: entry.id,
    CertName: entry.name ?? '',
    CertDomainList: domainList(entry),
    NotBefore: isoSeconds(entry.certificate.notBefore),
    NotAfter: isoSeconds(entry.certificate.notAfter),
    Status: entry.certificate.notAfter.getTime() > state.now().getTime() ? 'OK' : 'Expire',
    SSL: { Chain: blocks, KeyType: entry.certificate.keyAlgorithm === 'EC' ? 'ecc' : 'rsa' },
  });
}

const DOMAIN_PAGE_MAX = 1000;

function listDomainDetail(state: EmulatorState, call: IncomingCall, account: string, params: Record<string, unknown>): Reply {
  for (const name of ['PageNum', 'PageSize']) {
    const value = params[name];
    if (value === undefined) return volcError(call, INVALID_PARAM, `${name} is required.`);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > DOMAIN_PAGE_MAX) {
      return volcError(call, { code: 'InvalidParam.OutOfRange', status: 400 }, `${name} should be in [1, ${DOMAIN_PAGE_MAX}].`);
    }
  }
  const pageNum = params.PageNum as number;
  const pageSize = params.PageSize as number;
  const names = Array.isArray(params.DomainNameList) ? (params.DomainNameList as unknown[]) : null;
  const domains = resourcesOf(state, account, 'live-domain').filter((resource) => names === null || names.includes(resource.instance.Domain));
  return volcOk(call, {
    Total: domains.length,
    DomainList: domains.slice((pageNum - 1) * pageSize, pageNum * pageSize).map((resource) => domainItem(state, account, resource)),
  });
}

function domainItem(state: EmulatorState, account: string, resource: BoundResource): Record<string, unknown> {
  const entry = resource.certificateId === '' ? undefined : state.store.find(account, (candidate) => candidate.id === resource.certificateId);
  return {
    Type: 'pull-flv',
    Vhost: String(resource.instance.Domain ?? ''),
    PushDomain: '',
    ProjectName: 'default',
    Status: 0,
    DomainCheck: 0,
    CnameCheck: 0,
    CNAME: `${String(resource.instance.Domain ?? '')}.volcgslb.com`,
    ICPCheck: 1,
    CreateTime: isoSeconds(state.now()),
    ChainID: resource.certificateId,
    CertDomain: entry?.certificate.commonName ?? '',
    HTTP2: false,
    Tags: [],
    ...resource.instance,
  };
}

// ---- Deploy actions (DEPLOY.md §4.4, §4.6, §4.7) ------------------------------------------------------

function liveDomain(state: EmulatorState, account: string, domain: unknown): BoundResource | undefined {
  return resourcesOf(state, account, 'live-domain').find((resource) => resource.instance.Domain === domain);
}

/** Whether the domain serves HTTPS: a BindCert without HTTPS:true turns it off (HTTPS defaults to false). */
export function volcengineDomainHttps(state: EmulatorState, account: string, domain: string): boolean {
  return !deployState(state).httpsOff.has(bindingKey({ account, type: 'live-domain' }, domain));
}

function noSuchResource(call: IncomingCall, what: string): Reply {
  return volcError(call, { code: 'RequestForbidden', status: 403 }, `There is no such resource under this account: ${what}.`);
}

/** DescribeDomain{DomainList}: the ListDomainDetail fields minus ProjectName and Tags. */
function describeDomain(state: EmulatorState, call: IncomingCall, account: string, params: Record<string, unknown>): Reply {
  const list = params.DomainList;
  if (list === undefined) return volcError(call, INVALID_PARAM, 'DomainList is required.');
  if (!Array.isArray(list) || !list.every((item) => typeof item === 'string')) return volcError(call, { code: 'InvalidParam.BindError', status: 400 }, 'Request parameter error, please check input data');
  const found = (list as string[]).flatMap((domain) => {
    const resource = liveDomain(state, account, domain);
    if (resource === undefined) return [];
    const { ProjectName: _project, Tags: _tags, ...item } = domainItem(state, account, resource);
    return [item];
  });
  return volcOk(call, { DomainList: found });
}

/**
 * BindCert{Domain, ChainID, HTTPS, HTTP2}: the domain uses the chain from now on (replacing any
 * other, as certimate relies on; unconfirmed), HTTP2 and HTTPS take the values sent or their
 * default false. Refusals for a chain that does not cover the domain or has expired have no
 * documented code (§4.8): InvalidParam, the family every documented refusal here belongs to.
 * Answers ResponseMetadata only ("no specific return parameters").
 */
function bindCert(state: EmulatorState, call: IncomingCall, account: string, params: Record<string, unknown>): Reply {
  for (const name of ['Domain', 'ChainID']) {
    if (params[name] === undefined || params[name] === '') return volcError(call, INVALID_PARAM, `${name} is required.`);
    if (typeof params[name] !== 'string') return volcError(call, { code: 'InvalidParam.BindError', status: 400 }, 'Request parameter error, please check input data');
  }
  for (const name of ['HTTPS', 'HTTP2']) {
    if (params[name] !== undefined && typeof params[name] !== 'boolean') return volcError(call, { code: 'InvalidParam.BindError', status: 400 }, 'Request parameter error, please check input data');
  }
  const domain = params.Domain as string;
  const resource = liveDomain(state, account, domain);
  if (resource === undefined) return noSuchResource(call, 'domain');
  const entry = state.store.find(account, (candidate) => candidate.id === params.ChainID);
  if (entry === undefined) return noSuchResource(call, 'cert');
  const knobs = deployState(state);
  if (knobs.failingDomains.has(domain)) return volcError(call, INVALID_PARAM, `The domain ${domain} is being configured; try again later.`);
  if (!coversDomain(entry.certificate, domain)) return volcError(call, INVALID_PARAM, `The certificate does not match the domain ${domain}.`);
  if (entry.certificate.notAfter.getTime() <= state.now().getTime()) return volcError(call, INVALID_PARAM, 'The certificate has expired.');
  updateResource(state, resource, { certificateId: entry.id, instance: { HTTP2: params.HTTP2 === true } });
  const key = bindingKey(resource, domain);
  if (params.HTTPS === true) knobs.httpsOff.delete(key);
  else knobs.httpsOff.add(key);
  return { status: 200, body: { ResponseMetadata: metadata(call) } };
}

/** DeleteCert{ChainID}: refused while a domain uses the chain (unconfirmed, §4.6: InvalidParam chosen). */
function deleteCert(state: EmulatorState, call: IncomingCall, account: string, params: Record<string, unknown>): Reply {
  const chainId = params.ChainID;
  if (chainId === undefined || chainId === '') return volcError(call, INVALID_PARAM, 'ChainID is required.');
  if (typeof chainId !== 'string') return volcError(call, { code: 'InvalidParam.BindError', status: 400 }, 'Request parameter error, please check input data');
  if (state.store.find(account, (candidate) => candidate.id === chainId) === undefined) return noSuchResource(call, 'cert');
  const users = resourcesOf(state, account, 'live-domain').filter((resource) => resource.certificateId === chainId);
  if (users.length > 0) return volcError(call, INVALID_PARAM, `The certificate is in use by ${users.map((user) => String(user.instance.Domain)).join(', ')}; unbind it first.`);
  state.store.remove(account, chainId);
  return { status: 200, body: { ResponseMetadata: metadata(call) } };
}

function listItem(entry: StoredCertificate, now: Date): Record<string, unknown> {
  return {
    ChainID: entry.id,
    CertID: `${entry.id}-${entry.revision}`,
    CertName: entry.name ?? '',
    CertDomainList: domainList(entry),
    NotBefore: isoSeconds(entry.certificate.notBefore),
    NotAfter: isoSeconds(entry.certificate.notAfter),
    CreateTime: isoSeconds(entry.createdAt),
    Status: entry.certificate.notAfter.getTime() > now.getTime() ? 'OK' : 'Expire',
    ProjectName: (entry.params.ProjectName as string | undefined) ?? 'default',
  };
}

function domainList(entry: StoredCertificate): string[] {
  const { commonName, dnsNames } = entry.certificate;
  return [...new Set([...(commonName === null ? [] : [commonName]), ...dnsNames])];
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function metadata(call: IncomingCall): Record<string, string> {
  return {
    RequestId: requestId(),
    Action: call.url.searchParams.get('Action') ?? '',
    Version: call.url.searchParams.get('Version') ?? '',
    Service: SERVICE,
    Region: REGION,
  };
}

function volcOk(call: IncomingCall, result: Record<string, unknown>): Reply {
  return { status: 200, body: { ResponseMetadata: metadata(call), Result: result } };
}

function volcError(call: IncomingCall, spec: ErrorSpec, message: string): Reply {
  const error = spec.codeN === undefined ? { Code: spec.code, Message: message } : { CodeN: spec.codeN, Code: spec.code, Message: message };
  return { status: spec.status, body: { ResponseMetadata: { ...metadata(call), Error: error } } };
}
