// Alibaba Cloud CAS (cas.aliyuncs.com / cas.{region}.aliyuncs.com), RPC API 2020-04-07:
// UploadUserCertificate, ListUserCertificateOrder, GetUserCertificateDetail and ListCloudResources
// (DEPLOY.md §2.1-2.3) over uploaded and seeded certificates and resources, and the deployment
// actions of aliyun-deploy.ts (§2.3-2.8). Accepts ACS3-HMAC-SHA256 (the official
// SDK's default) and RPC HMAC-SHA1, with the parameters in the URL query (as the SDK sends them)
// or in a form body. Errors are 4xx/5xx with {RequestId, HostId, Code, Message, Recommend}.

import { createHmac } from 'node:crypto';
import { checkKeyPair, parseCertificate, type ParsedCertificate } from './certificate';
import { defaultCredentials, findCredential } from './credentials';
import { canonicalQuery, decodePairs, hmacSha256Hex, requestId, rfc3986, sameSignature, sha256Hex } from './digest';
import {
  skewSeconds,
  startEmulator,
  type CloudBehaviour,
  type EmulatorCredential,
  type EmulatorOptions,
  type EmulatorState,
  type IncomingCall,
  type Reply,
  type RunningEmulator,
} from './server';
import type { StoredCertificate } from './store';
import { seedCertificate, type SeedInput } from './seed';
import {
  createDeploymentJob,
  deleteUserCertificate,
  describeDeploymentJob,
  listContact,
  listWorkerResource,
  resourceApiId,
  updateDeploymentJobStatus,
  updateWorkerResourceStatus,
} from './aliyun-deploy';

export { seedAliyunContact } from './aliyun-deploy';

const VERSION = '2020-04-07';
const MAX_SKEW_SECONDS = 15 * 60;
const MAX_NAME_LENGTH = 128;
const ISO_SECONDS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

export function startAliyunEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const credentials = options.credentials ?? [defaultCredentials.aliyun];
  return startEmulator(options, (state) => aliyunBehaviour(state, credentials));
}

interface ParsedCall {
  /** Query and form-body parameters together; business and (RPC) common parameters. */
  readonly params: Map<string, string>;
  readonly queryPairs: [string, string][];
}

function aliyunBehaviour(state: EmulatorState, credentials: readonly EmulatorCredential[]): CloudBehaviour {
  // Signature nonces already seen, per access key: they must never repeat (SignatureNonceUsed).
  const usedNonces = new Map<string, Set<string>>();

  return {
    operationOf: (call) => call.headers['x-acs-action'] ?? parseParams(call).params.get('Action') ?? '',
    faultReply(kind, override, call) {
      const defaults = {
        throttle: ['Throttling.User', 400, 'Request was denied due to user flow control.'],
        auth: ['SignatureDoesNotMatch', 400, 'Specified signature is not matched with our calculation.'],
        server: ['ServiceUnavailable', 503, 'The request has failed due to a temporary failure of the server.'],
        error: ['InvalidParameter', 400, 'The specified parameter is not valid.'],
      } as const;
      const [code, status, message] = defaults[kind];
      const reply = aliyunError(call, override.code ?? code, override.message ?? message, override.status ?? status);
      // openapi-core reads the back-off for throttled calls from this header.
      return kind === 'throttle' ? { ...reply, headers: { 'x-acs-retry-after': '1000' } } : reply;
    },
    outcomeOf: (reply) => (reply.body as { Code?: string }).Code ?? 'ok',
    handle(call) {
      const parsed = parseParams(call);
      const verified = call.headers.authorization?.startsWith('ACS3-HMAC-SHA256')
        ? verifyAcs3(call, parsed, credentials, state.now())
        : verifyRpc(call, parsed, credentials, state.now());
      if ('status' in verified) return verified;
      const { credential, nonce } = verified;
      const seen = usedNonces.get(credential.accessKeyId) ?? new Set<string>();
      usedNonces.set(credential.accessKeyId, seen);
      if (seen.has(nonce)) return aliyunError(call, 'SignatureNonceUsed', 'Specified signature nonce was used already.', 400);
      seen.add(nonce);

      const action = call.headers['x-acs-action'] ?? parsed.params.get('Action');
      const version = call.headers['x-acs-version'] ?? parsed.params.get('Version');
      if (version !== VERSION) return aliyunError(call, 'InvalidVersion', `Specified parameter Version is not valid.`, 400);
      switch (action) {
        case 'UploadUserCertificate':
          return uploadUserCertificate(state, call, credential.accessKeyId, parsed.params);
        case 'ListUserCertificateOrder':
          return listUserCertificateOrder(state, call, credential.accessKeyId, parsed.params);
        case 'GetUserCertificateDetail':
          return getUserCertificateDetail(state, call, credential.accessKeyId, parsed.params);
        case 'ListCloudResources':
          return listCloudResources(state, call, credential.accessKeyId, parsed.params);
        case 'ListContact':
          return listContact(state, call, credential.accessKeyId, parsed.params, aliyunError);
        case 'CreateDeploymentJob':
          return createDeploymentJob(state, call, credential.accessKeyId, parsed.params, aliyunError);
        case 'UpdateDeploymentJobStatus':
          return updateDeploymentJobStatus(state, call, credential.accessKeyId, parsed.params, aliyunError);
        case 'DescribeDeploymentJob':
          return describeDeploymentJob(state, call, credential.accessKeyId, parsed.params, aliyunError);
        case 'ListWorkerResource':
          return listWorkerResource(state, call, credential.accessKeyId, parsed.params, aliyunError);
        case 'UpdateWorkerResourceStatus':
          return updateWorkerResourceStatus(state, call, credential.accessKeyId, parsed.params, aliyunError);
        case 'DeleteUserCertificate':
          return deleteUserCertificate(state, call, credential.accessKeyId, parsed.params, aliyunError);
        default:
          return aliyunError(call, 'InvalidAction.NotFound', 'Specified api is not found, please check your url and method.', 404);
      }
    },
  };
}

function parseParams(call: IncomingCall): ParsedCall {
  const queryPairs = decodePairs(call.url.search.slice(1), false);
  const params = new Map(queryPairs);
  if ((call.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of decodePairs(call.body.toString('utf8'), true)) params.set(name, value);
  }
  return { params, queryPairs };
}

type Verified = { readonly credential: EmulatorCredential; readonly nonce: string } | Reply;

function verifyAcs3(call: IncomingCall, parsed: ParsedCall, credentials: readonly EmulatorCredential[], now: Date): Verified {
  // Commas with no spaces, unlike the other three clouds (REFERENCE 3.5).
  const match = /^ACS3-HMAC-SHA256 Credential=([^,\s]+),SignedHeaders=([a-z0-9;-]+),Signature=([0-9a-f]{64})$/.exec(call.headers.authorization ?? '');
  if (match === null) return aliyunError(call, 'IncompleteSignature', 'The request signature does not conform to Aliyun standards.', 400);
  const [, accessKeyId, signedHeaderList, signature] = match as unknown as [string, string, string, string];
  const credential = findCredential(credentials, accessKeyId);
  if (credential === undefined) return aliyunError(call, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);

  const date = call.headers['x-acs-date'] ?? '';
  if (!ISO_SECONDS.test(date)) return aliyunError(call, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.', 400);
  if (skewSeconds(new Date(date), now) > MAX_SKEW_SECONDS) {
    return aliyunError(call, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', 400);
  }
  const nonce = call.headers['x-acs-signature-nonce'] ?? '';
  if (nonce === '') return aliyunError(call, 'MissingSignatureNonce', 'SignatureNonce is mandatory for this action.', 400);

  const signedHeaders = signedHeaderList.split(';');
  const required = ['host', 'x-acs-action', 'x-acs-version', 'x-acs-date', 'x-acs-signature-nonce'];
  const payloadHash = sha256Hex(call.body);
  const reason =
    required.find((name) => !signedHeaders.includes(name)) !== undefined ? `SignedHeaders must include ${required.join(', ')}`
    : signedHeaders.some((name) => call.headers[name] === undefined) ? 'a signed header was not sent'
    : (call.headers['x-acs-content-sha256'] ?? payloadHash) !== payloadHash ? 'x-acs-content-sha256 is not the SHA-256 of the body sent'
    : null;
  if (reason !== null) return aliyunError(call, 'SignatureDoesNotMatch', `Specified signature is not matched with our calculation: ${reason}.`, 400);

  const canonicalHeaders = signedHeaders.map((name) => `${name}:${call.headers[name]!.trim()}\n`).join('');
  const canonicalRequest = [
    call.method,
    call.url.pathname,
    canonicalQuery(parsed.queryPairs),
    canonicalHeaders,
    signedHeaderList,
    call.headers['x-acs-content-sha256'] ?? payloadHash,
  ].join('\n');
  const expected = hmacSha256Hex(credential.accessKeySecret, `ACS3-HMAC-SHA256\n${sha256Hex(canonicalRequest)}`);
  if (!sameSignature(expected, signature)) {
    return aliyunError(call, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.', 400);
  }
  const tokenProblem = securityTokenProblem(call, credential, call.headers['x-acs-security-token']);
  return tokenProblem ?? { credential, nonce };
}

const RPC_COMMON = ['AccessKeyId', 'Action', 'Version', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Timestamp', 'Signature'];

function verifyRpc(call: IncomingCall, parsed: ParsedCall, credentials: readonly EmulatorCredential[], now: Date): Verified {
  const params = parsed.params;
  const missing = RPC_COMMON.find((name) => (params.get(name) ?? '') === '');
  if (missing !== undefined) return aliyunError(call, `Missing${missing}`, `${missing} is mandatory for this action.`, 400);
  const credential = findCredential(credentials, params.get('AccessKeyId')!);
  if (credential === undefined) return aliyunError(call, 'InvalidAccessKeyId.NotFound', 'Specified access key is not found.', 404);
  if (params.get('SignatureMethod') !== 'HMAC-SHA1' || params.get('SignatureVersion') !== '1.0') {
    return aliyunError(call, 'InvalidSignatureMethod', 'Specified signature method or version is not supported.', 400);
  }
  const timestamp = params.get('Timestamp')!;
  if (!ISO_SECONDS.test(timestamp)) return aliyunError(call, 'InvalidTimeStamp.Format', 'Specified time stamp or date value is not well formatted.', 400);
  if (skewSeconds(new Date(timestamp), now) > MAX_SKEW_SECONDS) {
    return aliyunError(call, 'InvalidTimeStamp.Expired', 'Specified time stamp or date value is expired.', 400);
  }
  const signed = [...params].filter(([name]) => name !== 'Signature');
  const stringToSign = `${call.method}&${rfc3986('/')}&${rfc3986(canonicalQuery(signed))}`;
  // RPC v1 keys the HMAC with the secret plus '&' (V3 uses the raw secret).
  const expected = createHmac('sha1', `${credential.accessKeySecret}&`).update(stringToSign).digest('base64');
  if (!sameSignature(expected, params.get('Signature')!)) {
    return aliyunError(call, 'SignatureDoesNotMatch', 'Specified signature is not matched with our calculation.', 400);
  }
  const tokenProblem = securityTokenProblem(call, credential, params.get('SecurityToken'));
  return tokenProblem ?? { credential, nonce: params.get('SignatureNonce')! };
}

function securityTokenProblem(call: IncomingCall, credential: EmulatorCredential, token: string | undefined): Reply | null {
  if ((token ?? '') === (credential.securityToken ?? '')) return null;
  return aliyunError(call, 'InvalidSecurityToken.MismatchWithAccessKey', 'Specified security token does not match the access key.', 400);
}

// Alibaba's error codes for the business checks are not documented per API (the UploadUserCertificate
// page lists only common errors); the codes below keep the common ones, the messages are the console's.
function uploadUserCertificate(state: EmulatorState, call: IncomingCall, account: string, params: Map<string, string>): Reply {
  const name = params.get('Name');
  if (name !== undefined && [...name].length > MAX_NAME_LENGTH) {
    return aliyunError(call, 'InvalidParameter', `The certificate name is longer than ${MAX_NAME_LENGTH} characters.`, 400);
  }
  if (name !== undefined && state.store.find(account, (entry) => entry.name === name) !== undefined) {
    return aliyunError(call, 'NameRepeat', 'The certificate name already exists. Certificate names must be unique within an account.', 400);
  }
  const pairs = certificatePairs(params);
  if ('status' in pairs) return { ...pairs, body: { ...(pairs.body as object), RequestId: requestId(true), HostId: call.host } };

  const checked: ParsedCertificate[] = [];
  for (const pair of pairs) {
    const certificate = parseCertificate(pair.certificate);
    if (certificate === null) return aliyunError(call, 'InvalidParameter', `证书格式异常，请检查输入内容。(${pair.certificateParam})`, 400);
    if (pair.sm2 && certificate.keyAlgorithm !== 'SM2') {
      return aliyunError(call, 'InvalidParameter', `${pair.certificateParam} must be an SM2 certificate.`, 400);
    }
    const keyCheck = checkKeyPair(certificate, pair.key);
    if (!keyCheck.ok) {
      const problem = keyCheck.reason === 'mismatch' ? '证书与私钥不匹配' : '私钥格式异常，请检查输入内容';
      return aliyunError(call, 'InvalidParameter', `${problem}。(${pair.keyParam})`, 400);
    }
    checked.push(certificate);
  }
  const stored = state.store.add(
    {
      id: String(nextCertId(state)),
      account,
      name: name ?? null,
      certificatePem: pairs[0]!.certificate,
      privateKeyPem: pairs[0]!.key,
      certificate: checked[0]!,
      params: Object.fromEntries(params),
    },
    state.now(),
  );
  return { status: 200, body: { CertId: Number(stored.id), RequestId: requestId(true) } };
}

interface CertificatePair {
  readonly certificate: string;
  readonly key: string;
  readonly certificateParam: string;
  readonly keyParam: string;
  readonly sm2: boolean;
}

/** Cert+Key, or the SM2 dual pairs (EncryptCert+EncryptPrivateKey and SignCert+SignPrivateKey). */
function certificatePairs(params: Map<string, string>): CertificatePair[] | Reply {
  const dual = ['EncryptCert', 'EncryptPrivateKey', 'SignCert', 'SignPrivateKey'];
  const present = (name: string) => (params.get(name) ?? '') !== '';
  if (dual.some(present)) {
    const missing = dual.find((name) => !present(name));
    if (missing !== undefined) return missingParameter(missing);
    return [
      { certificate: params.get('EncryptCert')!, key: params.get('EncryptPrivateKey')!, certificateParam: 'EncryptCert', keyParam: 'EncryptPrivateKey', sm2: true },
      { certificate: params.get('SignCert')!, key: params.get('SignPrivateKey')!, certificateParam: 'SignCert', keyParam: 'SignPrivateKey', sm2: true },
    ];
  }
  if (!present('Cert')) return missingParameter('Cert');
  if (!present('Key')) return missingParameter('Key');
  return [{ certificate: params.get('Cert')!, key: params.get('Key')!, certificateParam: 'Cert', keyParam: 'Key', sm2: false }];
}

function missingParameter(name: string): Reply {
  return { status: 400, body: { Code: 'MissingParameter', Message: `The input parameter "${name}" that is mandatory for processing this request is not supplied.` } };
}

/**
 * Ids given out per emulator: one deleted certificate's id is never given to the next upload
 * while others remain (counting the store would). An empty store starts again at 12345001.
 */
const issuedIds = new WeakMap<EmulatorState, number>();

function nextCertId(state: EmulatorState): number {
  const next = (state.store.size === 0 ? 0 : Math.max(issuedIds.get(state) ?? 0, state.store.size)) + 1;
  issuedIds.set(state, next);
  return 12_345_000 + next;
}

const DAY_MS = 86_400_000;
const WILL_EXPIRE_DAYS = 30;

/** ISSUED, WILLEXPIRED (within 30 days) or EXPIRED, as the Status filter names them. */
function statusOf(entry: StoredCertificate, now: Date): 'ISSUED' | 'WILLEXPIRED' | 'EXPIRED' {
  const left = entry.certificate.notAfter.getTime() - now.getTime();
  return left <= 0 ? 'EXPIRED' : left <= WILL_EXPIRE_DAYS * DAY_MS ? 'WILLEXPIRED' : 'ISSUED';
}

/** How a certificate came to the account: uploaded (the default) or bought through Alibaba (seeded). */
function orderTypeOf(entry: StoredCertificate): string {
  return (entry.params.OrderType as string | undefined) ?? 'UPLOAD';
}

/** A certificate already on the account; `params.OrderType: 'BUY'` makes it one issued through Alibaba. */
export function seedAliyunCertificate(state: EmulatorState, input: SeedInput): StoredCertificate {
  return seedCertificate(state, input.id ?? String(nextCertId(state)), input);
}

function positiveInteger(value: string | undefined, fallback: number): number | null {
  const number = Number(value ?? String(fallback));
  return Number.isInteger(number) && number >= 1 ? number : null;
}

function listUserCertificateOrder(state: EmulatorState, call: IncomingCall, account: string, params: Map<string, string>): Reply {
  const page = positiveInteger(params.get('CurrentPage'), 1);
  const size = positiveInteger(params.get('ShowSize'), 50);
  if (page === null || size === null) {
    return aliyunError(call, 'InvalidParameter', 'CurrentPage and ShowSize must be positive integers.', 400);
  }
  // OrderType defaults to CPACK (purchased certificates): uploaded ones only show with UPLOAD or CERT.
  const orderType = params.get('OrderType') ?? 'CPACK';
  const status = params.get('Status');
  const keyword = params.get('Keyword') ?? '';
  const now = state.now();
  const ofType = state.store.list(account).filter((entry) =>
    orderType === 'CERT' ? true : orderType === 'UPLOAD' ? orderTypeOf(entry) === 'UPLOAD' : orderTypeOf(entry) === orderType,
  );
  const certificateList = orderType === 'UPLOAD' || orderType === 'CERT';
  const matching = ofType.filter(
    (entry) =>
      // UPLOAD/CERT without a Status list valid certificates only: expired ones need Status=EXPIRED.
      (status === undefined ? !certificateList || statusOf(entry, now) !== 'EXPIRED' : statusOf(entry, now) === status) &&
      (keyword === '' || entry.id === keyword || domainsOf(entry.certificate).some((domain) => domain.includes(keyword))),
  );
  return {
    status: 200,
    body: {
      CertificateOrderList: matching.slice((page - 1) * size, page * size).map((entry) => (certificateList ? listItem(entry, now) : orderItem(entry, now))),
      CurrentPage: page,
      ShowSize: size,
      TotalCount: matching.length,
      RequestId: requestId(true),
    },
  };
}

function listItem(entry: StoredCertificate, now: Date): Record<string, unknown> {
  const certificate = entry.certificate;
  return {
    CertificateId: Number(entry.id),
    Name: entry.name ?? '',
    CommonName: certificate.commonName ?? '',
    Sans: certificate.dnsNames.join(','),
    SerialNo: certificate.serialHex.toLowerCase(),
    StartDate: certificate.notBefore.toISOString().slice(0, 10),
    EndDate: certificate.notAfter.toISOString().slice(0, 10),
    Fingerprint: certificate.sha1,
    Sha2: certificate.sha256,
    Issuer: certificate.issuerCommonName ?? '',
    Expired: certificate.notAfter.getTime() < now.getTime(),
    Upload: orderTypeOf(entry) === 'UPLOAD',
    InstanceId: `cas-upload-${entry.id}`,
    ResourceGroupId: entry.params.ResourceGroupId ?? '',
  };
}

/** A CPACK/BUY order item: order fields, times in milliseconds, no fingerprints. */
function orderItem(entry: StoredCertificate, now: Date): Record<string, unknown> {
  const certificate = entry.certificate;
  return {
    OrderId: Number(entry.id) + 9_000_000,
    InstanceId: `cas-ivauto-${entry.id}`,
    CertificateId: Number(entry.id),
    Name: entry.name ?? '',
    Domain: certificate.commonName ?? '',
    DomainType: 'ONE',
    Sans: certificate.dnsNames.join(','),
    Status: statusOf(entry, now),
    CertStartTime: certificate.notBefore.getTime(),
    CertEndTime: certificate.notAfter.getTime(),
    Algorithm: certificate.keyAlgorithm === 'EC' ? 'ECC' : certificate.keyAlgorithm,
    CertType: 'DV',
    ProductName: 'DigiCert DV SSL',
  };
}

function getUserCertificateDetail(state: EmulatorState, call: IncomingCall, account: string, params: Map<string, string>): Reply {
  const id = params.get('CertId');
  if (id === undefined || id === '') return aliyunError(call, 'MissingParameter', 'The input parameter "CertId" that is mandatory for processing this request is not supplied.', 400);
  const entry = state.store.find(account, (candidate) => candidate.id === id);
  // The code for an unknown id is unconfirmed; DEPLOY.md §2.10 asks for a *.NotFound-style 404.
  if (entry === undefined) return aliyunError(call, 'InvalidCertId.NotFound', `The certificate ${id} does not exist.`, 404);
  const certificate = entry.certificate;
  const filtered = params.get('CertFilter') === 'true';
  return {
    status: 200,
    body: {
      Id: Number(entry.id),
      Name: entry.name ?? '',
      Common: certificate.commonName ?? '',
      Sans: certificate.dnsNames.join(','),
      StartDate: certificate.notBefore.toISOString().slice(0, 10),
      EndDate: certificate.notAfter.toISOString().slice(0, 10),
      NotBefore: certificate.notBefore.getTime(),
      NotAfter: certificate.notAfter.getTime(),
      Expired: certificate.notAfter.getTime() < state.now().getTime(),
      Fingerprint: certificate.sha1,
      Sha2: certificate.sha256,
      SerialNo: certificate.serialHex.toLowerCase(),
      Issuer: certificate.issuerCommonName ?? '',
      Algorithm: certificate.keyAlgorithm === 'EC' ? 'ECC' : certificate.keyAlgorithm,
      BuyInAliyun: orderTypeOf(entry) !== 'UPLOAD',
      CertIdentifier: `${entry.id}-cn-hangzhou`,
      ResourceGroupId: entry.params.ResourceGroupId ?? '',
      // CertFilter=true leaves Cert, Key and the SM2 pairs out; otherwise the key comes back too.
      ...(filtered ? {} : { Cert: entry.certificatePem, Key: entry.privateKeyPem ?? '' }),
      RequestId: requestId(true),
    },
  };
}

/** ListCloudResources: CertIds is a JSON array of numbers in one query parameter. */
function listCloudResources(state: EmulatorState, call: IncomingCall, account: string, params: Map<string, string>): Reply {
  const page = positiveInteger(params.get('CurrentPage'), 1);
  const size = positiveInteger(params.get('ShowSize'), 20);
  if (page === null || size === null) return aliyunError(call, 'InvalidParameter', 'CurrentPage and ShowSize must be positive integers.', 400);
  let certIds: string[] | null = null;
  if (params.get('CertIds') !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(params.get('CertIds')!);
    } catch {
      parsed = null;
    }
    if (!Array.isArray(parsed) || !parsed.every((id) => typeof id === 'number')) {
      return aliyunError(call, 'InvalidParameter', 'CertIds must be a JSON array of certificate ids.', 400);
    }
    certIds = parsed.map(String);
  }
  const cloudName = params.get('CloudName') ?? 'aliyun';
  const product = params.get('CloudProduct');
  const keyword = params.get('Keyword') ?? '';
  const matching = state.resources
    .map((resource, index) => ({ resource, index }))
    .filter(
      ({ resource }) =>
        resource.account === account &&
        cloudName === 'aliyun' &&
        resource.certificateId !== '' &&
        (certIds === null || certIds.includes(resource.certificateId)) &&
        (product === undefined || resource.type === product) &&
        (keyword === '' || resource.instance.Domain === keyword || resource.instance.InstanceId === keyword),
    );
  return {
    status: 200,
    body: {
      Data: matching.slice((page - 1) * size, page * size).map(({ resource, index }) => {
        const entry = state.store.find(account, (candidate) => candidate.id === resource.certificateId);
        return {
          // Stable across calls and pages: CreateDeploymentJob's ResourceIds name resources by it.
          Id: Number(resourceApiId(state, index)),
          CloudName: 'aliyun',
          CloudProduct: resource.type,
          RegionId: resource.region,
          CloudRegion: resource.region,
          DefaultResource: 1,
          EnableHttps: 1,
          UseSsl: 1,
          Status: 'online',
          CertId: Number(resource.certificateId),
          CertName: entry?.name ?? '',
          // Documented as seconds, answered in milliseconds.
          CertStartTime: String(entry?.certificate.notBefore.getTime() ?? ''),
          CertEndTime: String(entry?.certificate.notAfter.getTime() ?? ''),
          ...resource.instance,
        };
      }),
      Total: matching.length,
      CurrentPage: page,
      ShowSize: size,
      RequestId: requestId(true),
    },
  };
}

function domainsOf(certificate: ParsedCertificate): string[] {
  return [...(certificate.commonName === null ? [] : [certificate.commonName]), ...certificate.dnsNames];
}

function aliyunError(call: IncomingCall, code: string, message: string, status: number): Reply {
  return {
    status,
    body: {
      RequestId: requestId(true),
      HostId: call.host,
      Code: code,
      Message: message,
      Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(code)}`,
    },
  };
}
