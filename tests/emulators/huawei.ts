// Huawei Cloud APIG (apig.{region}.myhuaweicloud.com): CreateCertificateV2 and ListCertificatesV2
// under /v2/{project_id}/apigw/certificates, ShowDetailsOfCertificateV2, ListAttachedDomainsV2 and
// ListInstancesV2 (DEPLOY.md §3.1-3.4, §3.8), and the deploy actions UpdateCertificateV2,
// BatchAssociateDomainsV2 / BatchDisassociateDomainsV2, ShowDetailsOfApiGroupV2 and
// DeleteCertificateV2 (§3.3-3.8) over uploaded and seeded certificates and domains, plus the IAM project lookup GET /v3/projects?name=
// (served here too, so one emulator URL can stand for both endpoints). AK/SK requests are checked
// with SDK-HMAC-SHA256; X-Auth-Token requests with a configured token. Errors are
// {error_code, error_msg, request_id} with the request id also in X-Request-Id.

import { randomBytes } from 'node:crypto';
import { checkKeyPair, parseCertificate, type EmulatedKeyAlgorithm, type ParsedCertificate } from './certificate';
import { defaultCredentials, defaultHuaweiInstance, defaultHuaweiProjects, findCredential } from './credentials';
import { canonicalQuery, decodePairs, hmacSha256Hex, requestId, rfc3986, sameSignature, sha256Hex } from './digest';
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

const MAX_SKEW_SECONDS = 15 * 60;
const MAX_SIGN_PAIR_CHARS = 8092;
const MAX_LIST_LIMIT = 500;
// 4-50 characters: letters, digits, underscore and Chinese; first a letter or Chinese; no hyphen.
const NAME_RULE = /^[A-Za-z\u4e00-\u9fa5][A-Za-z0-9_\u4e00-\u9fa5]{3,49}$/u;
const CERTIFICATES_PATH = /^\/v2\/([^/]+)\/apigw\/certificates\/?$/;
const CERTIFICATE_PATH = /^\/v2\/([^/]+)\/apigw\/certificates\/([^/]+)\/?$/;
const ATTACHED_PATH = /^\/v2\/([^/]+)\/apigw\/certificates\/([^/]+)\/attached-domains\/?$/;
const INSTANCES_PATH = /^\/v2\/([^/]+)\/apigw\/instances\/?$/;
const DOMAINS_PATH = /^\/v2\/([^/]+)\/apigw\/certificates\/([^/]+)\/domains\/(attach|detach)\/?$/;
const GROUP_PATH = /^\/v2\/([^/]+)\/apigw\/instances\/([^/]+)\/api-groups\/([^/]+)\/?$/;

export interface HuaweiEmulatorOptions extends EmulatorOptions {
  /** Region name -> project id, what IAM answers and which project ids APIG accepts. */
  readonly projects?: Readonly<Record<string, string>>;
  /** Dedicated gateway instance ids accepted for type=instance ('common' is always the global one). */
  readonly instances?: readonly string[];
  /** IAM tokens accepted in X-Auth-Token, each acting for the account of an access key id. */
  readonly tokens?: Readonly<Record<string, string>>;
}

export function startHuaweiEmulator(options: HuaweiEmulatorOptions = {}): Promise<RunningEmulator> {
  const config: HuaweiConfig = {
    credentials: options.credentials ?? [defaultCredentials.huawei],
    projects: options.projects ?? defaultHuaweiProjects,
    instances: options.instances ?? [defaultHuaweiInstance],
    tokens: options.tokens ?? {},
  };
  return startEmulator(options, (state) => huaweiBehaviour(state, config));
}

interface HuaweiConfig {
  readonly credentials: readonly EmulatorCredential[];
  readonly projects: Readonly<Record<string, string>>;
  readonly instances: readonly string[];
  readonly tokens: Readonly<Record<string, string>>;
}

function operationOf(call: IncomingCall): string {
  if (call.url.pathname.replace(/\/$/, '') === '/v3/projects') return 'KeystoneListProjects';
  const path = call.url.pathname;
  if (CERTIFICATES_PATH.test(path)) return call.method === 'POST' ? 'CreateCertificateV2' : 'ListCertificatesV2';
  const domains = DOMAINS_PATH.exec(path);
  if (domains) return call.method !== 'POST' ? '' : domains[3] === 'attach' ? 'BatchAssociateDomainsV2' : 'BatchDisassociateDomainsV2';
  if (CERTIFICATE_PATH.test(path) && call.method === 'PUT') return 'UpdateCertificateV2';
  if (CERTIFICATE_PATH.test(path) && call.method === 'DELETE') return 'DeleteCertificateV2';
  if (call.method !== 'GET') return '';
  if (GROUP_PATH.test(path)) return 'ShowDetailsOfApiGroupV2';
  if (ATTACHED_PATH.test(path)) return 'ListAttachedDomainsV2';
  if (CERTIFICATE_PATH.test(path)) return 'ShowDetailsOfCertificateV2';
  if (INSTANCES_PATH.test(path)) return 'ListInstancesV2';
  return '';
}

function huaweiBehaviour(state: EmulatorState, config: HuaweiConfig): CloudBehaviour {
  return {
    operationOf,
    faultReply(kind, override) {
      const defaults = {
        throttle: ['APIG.0308', 429, 'The throttling threshold has been reached: policy user over ratelimit,limit:10,time:1 second'],
        auth: ['APIG.0301', 401, 'Incorrect IAM authentication information: verify aksk signature fail'],
        server: ['APIG.9999', 500, 'System error'],
        error: ['APIG.2012', 400, 'Invalid parameter value'],
      } as const;
      const [code, status, message] = defaults[kind];
      return huaweiError(override.status ?? status, override.code ?? code, override.message ?? message);
    },
    outcomeOf: (reply) => (reply.body as { error_code?: string } | null)?.error_code ?? 'ok',
    handle(call) {
      const operation = operationOf(call);
      if (operation === '') return huaweiError(404, 'APIG.0101', 'The API does not exist or has not been published in the environment');
      const authenticated = authenticate(call, config, state.now());
      if (typeof authenticated !== 'string') return authenticated;
      const account = authenticated;
      if (operation === 'KeystoneListProjects') return listProjects(call, config);

      const projectId = /^\/v2\/([^/]+)\//.exec(call.url.pathname)![1]!;
      if (!Object.values(config.projects).includes(projectId)) {
        return huaweiError(403, 'APIG.1005', 'No permissions to request this method');
      }
      switch (operation) {
        case 'CreateCertificateV2':
          return createCertificate(state, config, call, account, projectId);
        case 'ListCertificatesV2':
          return listCertificates(state, call, account, projectId);
        case 'ShowDetailsOfCertificateV2':
          return showCertificate(state, account, projectId, decodeURIComponent(CERTIFICATE_PATH.exec(call.url.pathname)![2]!));
        case 'ListAttachedDomainsV2':
          return listAttachedDomains(state, call, account, projectId, decodeURIComponent(ATTACHED_PATH.exec(call.url.pathname)![2]!));
        case 'UpdateCertificateV2':
          return updateCertificate(state, config, call, account, projectId, decodeURIComponent(CERTIFICATE_PATH.exec(call.url.pathname)![2]!));
        case 'DeleteCertificateV2':
          return deleteCertificate(state, account, projectId, decodeURIComponent(CERTIFICATE_PATH.exec(call.url.pathname)![2]!));
        case 'BatchAssociateDomainsV2':
          return attachDomains(state, call, account, projectId, decodeURIComponent(DOMAINS_PATH.exec(call.url.pathname)![2]!));
        case 'BatchDisassociateDomainsV2':
          return detachDomains(state, call, account, projectId, decodeURIComponent(DOMAINS_PATH.exec(call.url.pathname)![2]!));
        case 'ShowDetailsOfApiGroupV2': {
          const [, , instanceId, groupId] = GROUP_PATH.exec(call.url.pathname)!;
          return showApiGroup(state, account, projectId, decodeURIComponent(instanceId!), decodeURIComponent(groupId!));
        }
        default:
          return listInstances(call, config, projectId);
      }
    },
  };
}

/** The account (access key id) the request acts for, or the gateway's 401. */
function authenticate(call: IncomingCall, config: HuaweiConfig, now: Date): string | Reply {
  const token = call.headers['x-auth-token'];
  if (token !== undefined) {
    const account = config.tokens[token];
    return account ?? huaweiError(401, 'APIG.0301', 'Incorrect IAM authentication information: decrypt token fail');
  }
  const authorization = call.headers.authorization;
  if (authorization === undefined) return huaweiError(401, 'APIG.0301', 'Incorrect IAM authentication information: x-auth-token not found');
  const verifyFail = (detail: string) => huaweiError(401, 'APIG.0301', `Incorrect IAM authentication information: verify aksk signature fail, ${detail}`);
  // A space (not a comma) before Access=, then ', ' between fields (REFERENCE 5.6).
  const match = /^SDK-HMAC-SHA256 Access=([^,\s]+), SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(authorization);
  if (match === null) return verifyFail('the Authorization header is malformed');
  const [, accessKeyId, signedHeaderList, signature] = match as unknown as [string, string, string, string];
  const credential = findCredential(config.credentials, accessKeyId);
  if (credential === undefined) return huaweiError(401, 'APIG.0301', 'Incorrect IAM authentication information: get secret fail');

  const sdkDate = call.headers['x-sdk-date'] ?? '';
  const parsed = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(sdkDate);
  if (parsed === null) return verifyFail('X-Sdk-Date is missing or not in YYYYMMDDTHHMMSSZ form');
  const [, y, mo, d, h, mi, s] = parsed as unknown as [string, string, string, string, string, string, string];
  // Beyond 15 minutes an AK/SK request gets APIG.0301 "verify aksk signature fail" (REFERENCE 7).
  if (skewSeconds(new Date(`${y}-${mo}-${d}T${h}:${mi}:${s}Z`), now) > MAX_SKEW_SECONDS) return verifyFail('signature expired');

  const signedHeaders = signedHeaderList.split(';');
  if (!signedHeaders.includes('x-sdk-date')) return verifyFail('X-Sdk-Date must be signed');
  if (signedHeaders.some((name) => call.headers[name] === undefined)) return verifyFail('a signed header was not sent');

  // The canonical URI always ends with '/', although the real path does not (REFERENCE 5.1).
  const segments = call.url.pathname.split('/').map((segment) => rfc3986(decodeURIComponent(segment)));
  const canonicalUri = segments.join('/').replace(/\/?$/, '/');
  const payloadHash = call.headers['x-sdk-content-sha256'] === 'UNSIGNED-PAYLOAD' ? 'UNSIGNED-PAYLOAD' : sha256Hex(call.body);
  const canonicalRequest = [
    call.method,
    canonicalUri,
    canonicalQuery(decodePairs(call.url.search.slice(1), false)),
    signedHeaders.map((name) => `${name}:${call.headers[name]!.trim()}\n`).join(''),
    signedHeaderList,
    payloadHash,
  ].join('\n');
  const expected = hmacSha256Hex(credential.accessKeySecret, `SDK-HMAC-SHA256\n${sdkDate}\n${sha256Hex(canonicalRequest)}`);
  if (!sameSignature(expected, signature)) return verifyFail('the signature does not match');
  if ((call.headers['x-security-token'] ?? '') !== (credential.securityToken ?? '')) {
    return huaweiError(401, 'APIG.0301', 'Incorrect IAM authentication information: security token invalid');
  }
  return credential.accessKeyId;
}

function listProjects(call: IncomingCall, config: HuaweiConfig): Reply {
  const name = call.url.searchParams.get('name');
  const projects = Object.entries(config.projects)
    .filter(([region]) => name === null || region === name)
    .map(([region, id]) => ({
      id,
      name: region,
      domain_id: 'd0000000000000000000000000000000',
      parent_id: 'd0000000000000000000000000000000',
      description: '',
      enabled: true,
      is_domain: false,
      links: { self: `https://iam.myhuaweicloud.com/v3/projects/${id}` },
    }));
  return { status: 200, body: { projects, links: { self: 'https://iam.myhuaweicloud.com/v3/projects', previous: null, next: null } } };
}

type AlgorithmType = 'RSA' | 'ECC' | 'SM2';

interface ValidForm {
  readonly body: Record<string, unknown>;
  readonly name: string;
  readonly type: string;
  readonly instanceId: string | undefined;
  readonly algorithmType: AlgorithmType;
  readonly certificate: ParsedCertificate;
}

/** The CertificateForm checks CreateCertificateV2 and UpdateCertificateV2 share. */
function validateForm(config: HuaweiConfig, call: IncomingCall): ValidForm | Reply {
  let parsedBody: unknown;
  try {
    parsedBody = JSON.parse(call.body.toString('utf8'));
  } catch {
    return invalidParameter('body', 'the request body is not valid JSON');
  }
  if (typeof parsedBody !== 'object' || parsedBody === null || Array.isArray(parsedBody)) return invalidParameter('body', 'a JSON object is required');
  const body = parsedBody as Record<string, unknown>;
  for (const field of ['name', 'cert_content', 'private_key', 'type', 'instance_id', 'trusted_root_ca', 'algorithm_type', 'cert_content_sign', 'private_key_sign']) {
    if (body[field] !== undefined && typeof body[field] !== 'string') return invalidParameter(field, 'a string is required');
  }
  const text = (field: string) => body[field] as string | undefined;
  for (const field of ['name', 'cert_content', 'private_key']) {
    if ((text(field) ?? '') === '') return missingParameter(field);
  }
  const name = text('name')!;
  if (!NAME_RULE.test(name)) {
    return invalidParameter('name', 'use 4 to 50 letters, digits, underscores or Chinese characters, starting with a letter or Chinese character');
  }

  const type = text('type') ?? 'global';
  const instanceId = text('instance_id');
  if (type === 'global') {
    if (instanceId !== undefined && instanceId !== 'common') return invalidParameter('instance_id', 'a global certificate belongs to instance common');
  } else if (type === 'instance') {
    if (instanceId === undefined || instanceId === '') return missingParameter('instance_id');
    if (!config.instances.includes(instanceId)) return huaweiError(404, 'APIG.3030', `The instance does not exist;id:${instanceId}`);
  } else {
    return invalidParameter('type', 'use global or instance');
  }

  const algorithmType = text('algorithm_type');
  if (algorithmType !== undefined && algorithmType !== 'RSA' && algorithmType !== 'ECC' && algorithmType !== 'SM2') {
    return invalidParameter('algorithm_type', 'use RSA, ECC or SM2');
  }
  const pair = checkPair(text('cert_content')!, text('private_key')!, 'cert_content', 'private_key');
  if ('status' in pair) return pair;
  // Without algorithm_type an RSA or ECC certificate is taken as it is; SM2 must be asked for.
  const inferredType = algorithmTypeOf(pair.keyAlgorithm);
  const expectedType = algorithmType ?? (inferredType === 'SM2' ? null : inferredType);
  if (expectedType === null || inferredType !== expectedType) {
    return invalidParameter('algorithm_type', `the certificate key is ${pair.keyAlgorithm}; algorithm_type ${algorithmType ?? '(none)'} does not accept it`);
  }
  if (expectedType === 'SM2') {
    // The SM2 signing pair is required, and only meaningful, for algorithm_type=SM2.
    for (const field of ['cert_content_sign', 'private_key_sign']) {
      if ((text(field) ?? '') === '') return missingParameter(field);
      if (text(field)!.length > MAX_SIGN_PAIR_CHARS) return invalidParameter(field, `at most ${MAX_SIGN_PAIR_CHARS} characters`);
    }
    const signPair = checkPair(text('cert_content_sign')!, text('private_key_sign')!, 'cert_content_sign', 'private_key_sign');
    if ('status' in signPair) return signPair;
    if (signPair.keyAlgorithm !== 'SM2') return invalidParameter('cert_content_sign', 'an SM2 certificate is required');
  }
  const trustedRoot = text('trusted_root_ca');
  if (trustedRoot !== undefined && trustedRoot !== '' && parseCertificate(trustedRoot) === null) {
    return invalidParameter('trusted_root_ca', 'the trusted root CA could not be parsed');
  }

  return { body, name, type, instanceId, algorithmType: expectedType, certificate: pair };
}

function formEntry(form: ValidForm, projectId: string) {
  return {
    name: form.name,
    certificatePem: form.body.cert_content as string,
    privateKeyPem: form.body.private_key as string,
    certificate: form.certificate,
    params: { ...form.body, project_id: projectId, type: form.type, instance_id: form.instanceId ?? 'common', algorithm_type: form.algorithmType },
  };
}

function createCertificate(state: EmulatorState, config: HuaweiConfig, call: IncomingCall, account: string, projectId: string): Reply {
  const form = validateForm(config, call);
  if ('status' in form) return form;
  const stored = state.store.add({ id: randomBytes(16).toString('hex'), account, ...formEntry(form, projectId) }, state.now());
  return { status: 200, body: certificateDetail(stored), headers: { 'x-request-id': requestIdHex() } };
}

function checkPair(certificateText: string, keyText: string, certificateField: string, keyField: string): ParsedCertificate | Reply {
  const certificate = parseCertificate(certificateText);
  if (certificate === null) return invalidParameter(certificateField, 'the certificate could not be parsed');
  const keyCheck = checkKeyPair(certificate, keyText);
  if (keyCheck.ok) return certificate;
  return invalidParameter(keyField, keyCheck.reason === 'mismatch' ? 'the private key does not match the certificate' : 'the private key could not be parsed');
}

function algorithmTypeOf(algorithm: EmulatedKeyAlgorithm): AlgorithmType | null {
  return algorithm === 'RSA' ? 'RSA' : algorithm === 'EC' ? 'ECC' : algorithm === 'SM2' ? 'SM2' : null;
}

/**
 * A certificate already on the account: global unless `params` say otherwise; its project is the
 * first configured region's unless `params.project_id` is given.
 */
export function seedHuaweiCertificate(state: EmulatorState, input: SeedInput): StoredCertificate {
  const certificate = parseCertificate(input.certificatePem);
  const algorithm = certificate === null ? 'RSA' : (algorithmTypeOf(certificate.keyAlgorithm) ?? 'RSA');
  return seedCertificate(state, input.id ?? hexId(), {
    ...input,
    params: { project_id: Object.values(defaultHuaweiProjects)[0], type: 'global', instance_id: 'common', algorithm_type: algorithm, ...input.params },
  });
}

/** offset (<0 taken as 0) and limit (≤0 taken as 20, >500 as 500), as the API treats them. */
function paging(call: IncomingCall): { offset: number; limit: number } | Reply {
  const offset = Number(call.url.searchParams.get('offset') ?? '0');
  const limit = Number(call.url.searchParams.get('limit') ?? '20');
  if (!Number.isInteger(offset)) return invalidParameter('offset', 'an integer is required');
  if (!Number.isInteger(limit)) return invalidParameter('limit', 'an integer is required');
  return { offset: Math.max(0, offset), limit: limit <= 0 ? 20 : Math.min(limit, MAX_LIST_LIMIT) };
}

function certificateOf(state: EmulatorState, account: string, projectId: string, id: string): StoredCertificate | undefined {
  return state.store.find(account, (entry) => entry.id === id && entry.params.project_id === projectId);
}

// The code for an unknown certificate is unconfirmed (DEPLOY.md §3.9): a 404 in APIG's shape.
function certificateNotFound(id: string): Reply {
  return huaweiError(404, 'APIG.3024', `The certificate does not exist;id:${id}`);
}

function showCertificate(state: EmulatorState, account: string, projectId: string, id: string): Reply {
  const entry = certificateOf(state, account, projectId, id);
  if (entry === undefined) return certificateNotFound(id);
  return { status: 200, body: certificateDetail(entry), headers: { 'x-request-id': requestIdHex() } };
}

function listAttachedDomains(state: EmulatorState, call: IncomingCall, account: string, projectId: string, id: string): Reply {
  if (certificateOf(state, account, projectId, id) === undefined) return certificateNotFound(id);
  const page = paging(call);
  if ('status' in page) return page;
  const filter = call.url.searchParams.get('url_domain');
  const bound = resourcesOf(state, account, 'apig-domain').filter(
    (resource) => certificatesOn(state, resource).includes(id) && (filter === null || String(resource.instance.url_domain ?? '').includes(filter)),
  );
  // ssl_id/ssl_name name the certificate the domain serves, which may be another one bound beside this.
  const items = bound.slice(page.offset, page.offset + page.limit).map((resource) => ({
    status: 3,
    min_ssl_version: 'TLSv1.2',
    is_http_redirect_to_https: false,
    verified_client_certificate_enabled: false,
    ssl_id: resource.certificateId,
    ssl_name: certificateOf(state, account, projectId, resource.certificateId)?.name ?? '',
    ...resource.instance,
  }));
  return { status: 200, body: { total: bound.length, size: items.length, bound_domains: items }, headers: { 'x-request-id': requestIdHex() } };
}

function listInstances(call: IncomingCall, config: HuaweiConfig, projectId: string): Reply {
  const page = paging(call);
  if ('status' in page) return page;
  const instances = config.instances.map((id, index) => ({
    id,
    project_id: projectId,
    instance_name: `apig-${index + 1}`,
    status: 'Running',
    instance_status: 6,
    type: 'apig',
    spec: 'PROFESSIONAL',
    create_time: 1_700_000_000,
    enterprise_project_id: '0',
    eip_address: null,
    charging_mode: 0,
    loadbalancer_provider: 'elb',
  }));
  const items = instances.slice(page.offset, page.offset + page.limit);
  return { status: 200, body: { total: instances.length, size: items.length, instances: items }, headers: { 'x-request-id': requestIdHex() } };
}

function listCertificates(state: EmulatorState, call: IncomingCall, account: string, projectId: string): Reply {
  const query = call.url.searchParams;
  const instanceId = query.get('instance_id');
  if (instanceId === null || instanceId === '') return missingParameter('instance_id');
  const offset = Number(query.get('offset') ?? '0');
  const limit = Number(query.get('limit') ?? '20');
  if (!Number.isInteger(offset) || offset < 0) return invalidParameter('offset', 'a non-negative integer is required');
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) return invalidParameter('limit', `an integer from 1 to ${MAX_LIST_LIMIT} is required`);
  const filter = (name: string, value: string) => query.get(name) === null || value.includes(query.get(name)!);
  const matching = state.store.list(account).filter(
    (entry) =>
      entry.params.project_id === projectId &&
      entry.params.instance_id === instanceId &&
      filter('name', entry.name ?? '') &&
      filter('common_name', entry.certificate.commonName ?? '') &&
      (query.get('type') === null || entry.params.type === query.get('type')) &&
      (query.get('signature_algorithm') === null || entry.certificate.signatureAlgorithm === query.get('signature_algorithm')) &&
      (query.get('algorithm_type') === null || entry.params.algorithm_type === query.get('algorithm_type')),
  );
  const page = matching.slice(offset, offset + limit);
  return {
    status: 200,
    body: { total: matching.length, size: page.length, certs: page.map(listItem) },
    headers: { 'x-request-id': requestIdHex() },
  };
}

function listItem(entry: StoredCertificate): Record<string, unknown> {
  const certificate = entry.certificate;
  return {
    id: entry.id,
    name: entry.name,
    type: entry.params.type,
    instance_id: entry.params.instance_id,
    project_id: entry.params.project_id,
    common_name: certificate.commonName ?? '',
    san: certificate.dnsNames,
    not_after: isoSeconds(certificate.notAfter),
    signature_algorithm: certificate.signatureAlgorithm,
    create_time: isoSeconds(entry.createdAt),
    update_time: isoSeconds(entry.updatedAt),
    is_has_trusted_root_ca: (entry.params.trusted_root_ca ?? '') !== '',
    algorithm_type: entry.params.algorithm_type,
  };
}

function certificateDetail(entry: StoredCertificate): Record<string, unknown> {
  const certificate = entry.certificate;
  return {
    ...listItem(entry),
    version: 3,
    organization: certificate.subjectFields.O ?? [],
    organizational_unit: certificate.subjectFields.OU ?? [],
    locality: certificate.subjectFields.L ?? [],
    state: certificate.subjectFields.ST ?? [],
    country: certificate.subjectFields.C ?? [],
    not_before: isoSeconds(certificate.notBefore),
    serial_number: BigInt(`0x${certificate.serialHex}`).toString(),
    issuer: certificate.issuerFields.O ?? certificate.issuerFields.CN ?? [],
  };
}

function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

// Codes for missing / invalid fields are not confirmed by official docs (REFERENCE 7).
function missingParameter(field: string): Reply {
  return huaweiError(400, 'APIG.2001', `The request parameters must be specified,parameterName:${field}`);
}

function invalidParameter(field: string, detail: string): Reply {
  return huaweiError(400, 'APIG.2012', `Invalid parameter value,parameterName:${field}. Please refer to the support documentation (${detail})`);
}

function requestIdHex(): string {
  return requestId().replaceAll('-', '');
}

function huaweiError(status: number, code: string, message: string): Reply {
  const id = requestIdHex();
  return { status, body: { error_code: code, error_msg: message, request_id: id }, headers: { 'x-request-id': id } };
}

// ---- Deploy actions (DEPLOY.md §3.3-3.8) ------------------------------------------------------------

/** A domain listed once per custom ingress port is one seeded resource per port. */
function domainKey(resource: BoundResource): string {
  return bindingKey(resource, `${String(resource.instance.id ?? '')}:${String(resource.instance.ingress_https_port ?? '')}`);
}

/** Every certificate a domain carries: the one it serves first, then any bound beside it. */
function certificatesOn(state: EmulatorState, resource: BoundResource): string[] {
  const extra = deployState(state).alsoBound.get(domainKey(resource)) ?? [];
  return [...(resource.certificateId === '' ? [] : [resource.certificateId]), ...extra];
}

function setAlsoBound(state: EmulatorState, resource: BoundResource, ids: readonly string[]): void {
  const key = domainKey(resource);
  if (ids.length === 0) deployState(state).alsoBound.delete(key);
  else deployState(state).alsoBound.set(key, [...ids]);
}

function algorithmOfEntry(entry: StoredCertificate | undefined): string | null {
  return entry === undefined ? null : String(entry.params.algorithm_type ?? 'RSA');
}

function isBound(state: EmulatorState, account: string, id: string): boolean {
  return resourcesOf(state, account, 'apig-domain').some((resource) => certificatesOn(state, resource).includes(id));
}

/**
 * UpdateCertificateV2: the content changes under the same id, so every domain referencing it serves
 * the new certificate (inferred, DEPLOY.md §3.3). Changing type or instance_id, and a new content
 * that no longer covers a bound domain, are refused here; both are unconfirmed (§6), and refusing
 * is the stricter reading.
 */
function updateCertificate(state: EmulatorState, config: HuaweiConfig, call: IncomingCall, account: string, projectId: string, id: string): Reply {
  const existing = certificateOf(state, account, projectId, id);
  if (existing === undefined) return certificateNotFound(id);
  const form = validateForm(config, call);
  if ('status' in form) return form;
  if (form.type !== existing.params.type || (form.instanceId ?? 'common') !== existing.params.instance_id) {
    return invalidParameter('type', 'the type and instance of a certificate cannot change');
  }
  const uncovered = resourcesOf(state, account, 'apig-domain')
    .filter((resource) => certificatesOn(state, resource).includes(id))
    .map((resource) => String(resource.instance.url_domain ?? ''))
    .filter((domain) => !coversDomain(form.certificate, domain));
  if (uncovered.length > 0) return domainMismatch(uncovered[0]!);
  const replaced = state.store.replace(account, id, formEntry(form, projectId), state.now())!;
  return { status: 200, body: certificateDetail(replaced), headers: { 'x-request-id': requestIdHex() } };
}

/** DeleteCertificateV2 → 204; refused while any domain carries it (the code is unconfirmed, §3.7). */
function deleteCertificate(state: EmulatorState, account: string, projectId: string, id: string): Reply {
  if (certificateOf(state, account, projectId, id) === undefined) return certificateNotFound(id);
  // APIG.3474 is this emulator's choice: no source names the "certificate in use" code.
  if (isBound(state, account, id)) return huaweiError(400, 'APIG.3474', `The certificate has been bound to domain names and cannot be deleted;id:${id}`);
  state.store.remove(account, id);
  return noContent();
}

interface DomainItem {
  readonly domain: string;
  readonly instanceIds: readonly string[] | null;
  readonly verified: boolean | null;
}

function domainItems(call: IncomingCall): DomainItem[] | Reply {
  let body: unknown;
  try {
    body = JSON.parse(call.body.toString('utf8'));
  } catch {
    return invalidParameter('body', 'the request body is not valid JSON');
  }
  const domains = typeof body === 'object' && body !== null ? (body as Record<string, unknown>).domains : undefined;
  if (!Array.isArray(domains) || domains.length === 0) return missingParameter('domains');
  const items: DomainItem[] = [];
  for (const item of domains as unknown[]) {
    const fields = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof fields.domain !== 'string' || fields.domain === '') return missingParameter('domains.domain');
    const ids = fields.instance_ids;
    if (ids !== undefined && !(Array.isArray(ids) && ids.every((value) => typeof value === 'string'))) return invalidParameter('instance_ids', 'an array of strings is required');
    const verified = fields.verified_client_certificate_enabled;
    if (verified !== undefined && typeof verified !== 'boolean') return invalidParameter('verified_client_certificate_enabled', 'a boolean is required');
    items.push({ domain: fields.domain, instanceIds: (ids as string[] | undefined) ?? null, verified: verified ?? null });
  }
  return items;
}

function domainsNamed(state: EmulatorState, account: string, item: DomainItem): BoundResource[] {
  return resourcesOf(state, account, 'apig-domain').filter(
    (resource) => resource.instance.url_domain === item.domain && (item.instanceIds === null || item.instanceIds.includes(String(resource.instance.instance_id ?? ''))),
  );
}

/**
 * BatchAssociateDomainsV2 → 204. The whole list is checked before anything changes (all or
 * nothing: one reading of undocumented behaviour). A certificate of another algorithm is bound
 * beside the served one (an RSA domain may add SM2); one of the same algorithm replaces it unless
 * `attachReplaces` is off (unconfirmed, §3.5). Left out, verified_client_certificate_enabled
 * becomes "the certificate has a trusted root CA".
 */
function attachDomains(state: EmulatorState, call: IncomingCall, account: string, projectId: string, id: string): Reply {
  const certificate = certificateOf(state, account, projectId, id);
  if (certificate === undefined) return certificateNotFound(id);
  const items = domainItems(call);
  if ('status' in items) return items;
  const knobs = deployState(state);
  const targets = items.map((item) => ({ item, resources: domainsNamed(state, account, item) }));
  // The code for attaching an unknown domain is unconfirmed: the detach family's APIG.2000.
  if (targets.every((target) => target.resources.length === 0)) return huaweiError(400, 'APIG.2000', 'no valid domain name');
  for (const { item } of targets) {
    // An emulated per-domain refusal, in the invalid-parameter shape a real one most likely has.
    if (knobs.failingDomains.has(item.domain)) return invalidParameter('domain', `the domain ${item.domain} cannot be modified now`);
    if (!coversDomain(certificate.certificate, item.domain)) return domainMismatch(item.domain);
  }
  const hasRootCa = (certificate.params.trusted_root_ca ?? '') !== '';
  for (const { item, resources } of targets) {
    for (const resource of resources) {
      const carried = certificatesOn(state, resource);
      if (carried.includes(id) && resource.certificateId !== id && !knobs.attachReplaces) continue;
      const served = resource.certificateId === '' ? undefined : certificateOf(state, account, projectId, resource.certificateId);
      const sameSlot = served === undefined || algorithmOfEntry(served) === algorithmOfEntry(certificate);
      const instance = { verified_client_certificate_enabled: item.verified ?? hasRootCa };
      const others = carried.filter((other) => other !== id && other !== resource.certificateId);
      if (sameSlot && (knobs.attachReplaces || served === undefined)) {
        setAlsoBound(state, updateResource(state, resource, { certificateId: id, instance }), others);
      } else {
        setAlsoBound(state, updateResource(state, resource, { instance }), [...others, id]);
      }
    }
  }
  return noContent();
}

/** BatchDisassociateDomainsV2 → 204; 400 APIG.2000 when no listed domain carries the certificate. */
function detachDomains(state: EmulatorState, call: IncomingCall, account: string, projectId: string, id: string): Reply {
  if (certificateOf(state, account, projectId, id) === undefined) return certificateNotFound(id);
  const items = domainItems(call);
  if ('status' in items) return items;
  const carrying = items.flatMap((item) => domainsNamed(state, account, item)).filter((resource) => certificatesOn(state, resource).includes(id));
  if (carrying.length === 0) return huaweiError(400, 'APIG.2000', 'no valid domain name');
  for (const resource of carrying) {
    const rest = certificatesOn(state, resource).filter((other) => other !== id);
    // The served slot falls to a certificate still bound beside it, or stays empty.
    const served = resource.certificateId === id ? (rest[0] ?? '') : resource.certificateId;
    setAlsoBound(state, updateResource(state, resource, { certificateId: served }), rest.filter((other) => other !== served));
  }
  return noContent();
}

/** ShowDetailsOfApiGroupV2: the group the seeded domains name, with url_domains[].ssl_infos. */
function showApiGroup(state: EmulatorState, account: string, projectId: string, instanceId: string, groupId: string): Reply {
  const domains = resourcesOf(state, account, 'apig-domain').filter((resource) => resource.instance.instance_id === instanceId && resource.instance.api_group_id === groupId);
  // The code for an unknown group is unconfirmed (§3.9): a 404 in APIG's shape.
  if (domains.length === 0) return huaweiError(404, 'APIG.3001', `The API group does not exist;id:${groupId}`);
  const info = (id: string) => {
    const entry = certificateOf(state, account, projectId, id);
    return {
      ssl_id: id,
      ssl_name: entry?.name ?? '',
      algorithm_type: algorithmOfEntry(entry) ?? 'RSA',
      type: entry?.params.type === 'instance' ? 1 : 2,
      is_has_trusted_root_ca: (entry?.params.trusted_root_ca ?? '') !== '',
    };
  };
  const first = domains[0]!.instance;
  return {
    status: 200,
    body: {
      id: groupId,
      name: String(first.api_group_name ?? 'group'),
      status: 1,
      sl_domain: `${groupId}.apic.cn-north-4.huaweicloudapis.com`,
      sl_domains: [`${groupId}.apic.cn-north-4.huaweicloudapis.com`],
      register_time: '2023-11-14T22:13:20Z',
      update_time: '2023-11-14T22:13:20Z',
      on_sell_status: 2,
      url_domains: domains.map((resource) => {
        const served = resource.certificateId === '' ? undefined : certificateOf(state, account, projectId, resource.certificateId);
        return {
          id: resource.instance.id,
          domain: resource.instance.url_domain,
          cname_status: 3,
          ssl_id: resource.certificateId,
          ssl_name: served?.name ?? '',
          min_ssl_version: 'TLSv1.2',
          verified_client_certificate_enabled: resource.instance.verified_client_certificate_enabled === true,
          is_has_trusted_root_ca: (served?.params.trusted_root_ca ?? '') !== '',
          ingress_http_port: resource.instance.ingress_http_port ?? 80,
          ingress_https_port: resource.instance.ingress_https_port ?? 443,
          ssl_infos: certificatesOn(state, resource).map(info),
        };
      }),
    },
    headers: { 'x-request-id': requestIdHex() },
  };
}

// No source names the code for "certificate does not match the domain" (§3.9): an invalid
// parameter is the most plausible shape.
function domainMismatch(domain: string): Reply {
  return invalidParameter('domain', `the certificate does not match the domain name ${domain}`);
}

function noContent(): Reply {
  return { status: 204, body: null, headers: { 'x-request-id': requestIdHex() } };
}
