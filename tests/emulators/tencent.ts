// Tencent Cloud SSL (ssl.tencentcloudapi.com and ssl.intl.tencentcloudapi.com), API 2019-12-05:
// UploadCertificate, DescribeCertificates, DescribeCertificateDetail and the bind-resource sync
// task (Create...SyncTask, ...TaskResult, ...TaskDetail; DEPLOY.md §1.1-1.3) over seeded resources,
// and the deploy actions of tencent-deploy.ts (§1.4-1.8) and tencent-bind.ts (§1.3.4, §1.6),
// TC3-HMAC-SHA256 verified over the Host actually received. Errors are HTTP 200 with Response.Error, as the real API answers (REFERENCE 2.3).

import { randomBytes } from 'node:crypto';
import { checkKeyPair, parseCertificate, type ParsedCertificate } from './certificate';
import { defaultCredentials, findCredential } from './credentials';
import { hmacSha256, hmacSha256Hex, sameSignature, sha256Hex } from './digest';
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
import { resourcesOf, seedCertificate, type SeedInput } from './seed';
import {
  deleteCertificate,
  describeDeleteCertificatesTaskResult,
  describeHostUpdateRecordDetail,
  modifyExpiringNotificationSwitch,
  updateCertificateInstance,
  updateCertificateRecordRollback,
} from './tencent-deploy';
import {
  deployCertificateInstance,
  deployCertificateRecordRollback,
  describeHostDeployRecord,
  describeHostDeployRecordDetail,
  describeHostInstanceList,
} from './tencent-bind';
import { beijingTime, errorCodeOf, invalidType, tencentError, tencentOk, unknownParameter } from './tencent-reply';

const VERSION = '2019-12-05';
const SERVICE = 'ssl';
const MAX_SKEW_SECONDS = 300;

export function startTencentEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const credentials = options.credentials ?? [defaultCredentials.tencent];
  return startEmulator(options, (state) => tencentBehaviour(state, credentials));
}

function tencentBehaviour(state: EmulatorState, credentials: readonly EmulatorCredential[]): CloudBehaviour {
  return {
    operationOf: (call) => call.headers['x-tc-action'] ?? '',
    faultReply(kind, override) {
      const defaults = {
        throttle: ['RequestLimitExceeded', 200, 'Your current request times exceeds the frequency limit `10` for a second. Please reduce the frequency of calls.'],
        auth: ['AuthFailure.SignatureFailure', 200, 'The provided credentials could not be validated. Please check your signature is correct.'],
        server: ['InternalError', 500, 'An internal error has occurred. Retry your request.'],
        error: ['FailedOperation', 200, 'Operation failed.'],
      } as const;
      const [code, status, message] = defaults[kind];
      return tencentError(override.code ?? code, override.message ?? message, override.status ?? status);
    },
    outcomeOf: (reply) => errorCodeOf(reply) ?? 'ok',
    handle(call) {
      const action = call.headers['x-tc-action'];
      if (action === undefined || action === '') return tencentError('MissingParameter', 'The request is missing a required parameter `Action`.');
      const verified = verifyTc3(call, credentials, state.now());
      if ('status' in verified) return verified;
      if (call.headers['x-tc-version'] !== VERSION) {
        return tencentError('NoSuchVersion', `The requested version \`${call.headers['x-tc-version'] ?? ''}\` of API \`${action}\` does not exist.`);
      }
      if (call.method !== 'POST' || !(call.headers['content-type'] ?? '').startsWith('application/json')) {
        return tencentError('InvalidParameter', 'This emulator accepts POST with an application/json body only.');
      }
      let params: unknown;
      try {
        params = JSON.parse(call.body.toString('utf8'));
      } catch {
        return tencentError('InvalidParameter', 'The request body is not valid JSON.');
      }
      if (typeof params !== 'object' || params === null || Array.isArray(params)) {
        return tencentError('InvalidParameter', 'The request body must be a JSON object.');
      }
      const body = params as Record<string, unknown>;
      switch (action) {
        case 'UploadCertificate':
          return uploadCertificate(state, verified.accessKeyId, body);
        case 'DescribeCertificates':
          return describeCertificates(state, verified.accessKeyId, body);
        case 'DescribeCertificateDetail':
          return describeCertificateDetail(state, verified.accessKeyId, body);
        case 'CreateCertificateBindResourceSyncTask':
          return createBindResourceSyncTask(state, verified.accessKeyId, body);
        case 'DescribeCertificateBindResourceTaskResult':
          return describeBindResourceTaskResult(state, verified.accessKeyId, body);
        case 'DescribeCertificateBindResourceTaskDetail':
          return describeBindResourceTaskDetail(state, verified.accessKeyId, body);
        case 'UpdateCertificateInstance':
          return updateCertificateInstance(state, verified.accessKeyId, body);
        case 'DescribeHostUpdateRecordDetail':
          return describeHostUpdateRecordDetail(state, verified.accessKeyId, body);
        case 'UpdateCertificateRecordRollback':
          return updateCertificateRecordRollback(state, verified.accessKeyId, body);
        case 'ModifyCertificatesExpiringNotificationSwitch':
          return modifyExpiringNotificationSwitch(state, verified.accessKeyId, body);
        case 'DeleteCertificate':
          return deleteCertificate(state, verified.accessKeyId, body);
        case 'DescribeDeleteCertificatesTaskResult':
          return describeDeleteCertificatesTaskResult(state, verified.accessKeyId, body);
        case 'DescribeHostClbInstanceList':
          return describeHostInstanceList(state, verified.accessKeyId, 'clb', body);
        case 'DescribeHostCdnInstanceList':
          return describeHostInstanceList(state, verified.accessKeyId, 'cdn', body);
        case 'DescribeHostLiveInstanceList':
          return describeHostInstanceList(state, verified.accessKeyId, 'live', body);
        case 'DeployCertificateInstance':
          // The only action here that reads X-TC-Region (unsigned, so not part of the signature).
          return deployCertificateInstance(state, verified.accessKeyId, call.headers['x-tc-region'] ?? '', body);
        case 'DescribeHostDeployRecord':
          return describeHostDeployRecord(state, verified.accessKeyId, body);
        case 'DescribeHostDeployRecordDetail':
          return describeHostDeployRecordDetail(state, verified.accessKeyId, body);
        case 'DeployCertificateRecordRollback':
          return deployCertificateRecordRollback(state, verified.accessKeyId, body);
        default:
          return tencentError('InvalidAction', `The requested action \`${action}\` does not exist.`);
      }
    },
  };
}

function verifyTc3(call: IncomingCall, credentials: readonly EmulatorCredential[], now: Date): EmulatorCredential | Reply {
  const match = /^TC3-HMAC-SHA256 Credential=([^/\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/\s]+)\/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})$/.exec(
    call.headers.authorization ?? '',
  );
  if (match === null) return tencentError('AuthFailure.InvalidAuthorization', 'The Authorization header is missing or malformed.');
  const [, secretId, date, service, signedHeaderList, signature] = match as unknown as [string, string, string, string, string, string];
  const credential = findCredential(credentials, secretId);
  if (credential === undefined) return tencentError('AuthFailure.SecretIdNotFound', 'The SecretId is not found, please ensure that your SecretId is correct.');
  const timestampText = call.headers['x-tc-timestamp'] ?? '';
  if (!/^\d+$/.test(timestampText)) return tencentError('MissingParameter', 'The request is missing a valid parameter `Timestamp`.');
  const timestamp = Number(timestampText);
  if (skewSeconds(new Date(timestamp * 1000), now) > MAX_SKEW_SECONDS) {
    return tencentError('AuthFailure.SignatureExpire', 'Signature expired. Timestamp and server time cannot differ by more than 5 minutes.');
  }
  // The scope date is the UTC date of X-TC-Timestamp; a local (UTC+8) date fails after 16:00 UTC.
  const utcDate = new Date(timestamp * 1000).toISOString().slice(0, 10);
  const signedHeaders = signedHeaderList.split(';');
  const reason =
    date !== utcDate ? 'the credential date is not the UTC date of X-TC-Timestamp'
    : service !== SERVICE ? `the credential scope names service \`${service}\`, not \`${SERVICE}\``
    : !signedHeaders.includes('content-type') || !signedHeaders.includes('host') ? 'SignedHeaders must include content-type and host'
    : signedHeaders.some((name) => call.headers[name] === undefined) ? 'a signed header was not sent'
    : null;
  if (reason !== null) return tencentError('AuthFailure.SignatureFailure', `The provided credentials could not be validated: ${reason}.`);

  // REFERENCE 7: header values are trimmed AND lowercased in the canonical request.
  const canonicalHeaders = signedHeaders.map((name) => `${name}:${call.headers[name]!.trim().toLowerCase()}\n`).join('');
  const canonicalRequest = [
    call.method,
    call.url.pathname,
    call.url.search.slice(1),
    canonicalHeaders,
    signedHeaderList,
    sha256Hex(call.body),
  ].join('\n');
  const scope = `${date}/${SERVICE}/tc3_request`;
  const stringToSign = `TC3-HMAC-SHA256\n${timestamp}\n${scope}\n${sha256Hex(canonicalRequest)}`;
  const signingKey = hmacSha256(hmacSha256(hmacSha256(`TC3${credential.accessKeySecret}`, date), SERVICE), 'tc3_request');
  if (!sameSignature(hmacSha256Hex(signingKey, stringToSign), signature)) {
    return tencentError('AuthFailure.SignatureFailure', 'The provided credentials could not be validated. Please check your signature is correct.');
  }
  if ((call.headers['x-tc-token'] ?? '') !== (credential.securityToken ?? '')) {
    return tencentError('AuthFailure.TokenFailure', 'The security token is invalid or does not belong to this SecretId.');
  }
  return credential;
}

const UPLOAD_PARAMS = new Set([
  'CertificatePublicKey', 'CertificatePrivateKey', 'CertificateType', 'Alias', 'ProjectId',
  'CertificateUse', 'Tags', 'Repeatable', 'KeyPassword',
]);

function uploadCertificate(state: EmulatorState, account: string, params: Record<string, unknown>): Reply {
  const problem = unknownParameter(params, UPLOAD_PARAMS) ?? typeProblem(params);
  if (problem !== null) return problem;
  const certificateText = params.CertificatePublicKey;
  if (typeof certificateText !== 'string' || certificateText === '') {
    return tencentError('MissingParameter', 'The request is missing a required parameter `CertificatePublicKey`.');
  }
  const type = (params.CertificateType as string | undefined) ?? 'SVR';
  if (type !== 'SVR' && type !== 'CA') {
    return tencentError('InvalidParameter.WithDetailReason', 'CertificateType must be CA or SVR.');
  }
  const certificate = parseCertificate(certificateText);
  if (certificate === null) return tencentError('FailedOperation.CertificateInvalid', 'The certificate is invalid.');
  if (certificate.keyAlgorithm === 'SM2') {
    return tencentError(
      'FailedOperation.CertificateEncryptInvalid',
      'The certificate is suspected to be an SM2 certificate and does not comply with the selected certificate standard.',
    );
  }
  const keyText = params.CertificatePrivateKey as string | undefined;
  if (type === 'CA') {
    if (!certificate.isCA) {
      return tencentError('FailedOperation.CertificateCaError', 'The uploaded certificate content does not conform to the standard format of CA certificates.');
    }
  } else {
    if (keyText === undefined || keyText === '') {
      return tencentError('InvalidParameter.WithDetailReason', 'CertificatePrivateKey is required when CertificateType is SVR.');
    }
    const keyCheck = checkKeyPair(certificate, keyText, params.KeyPassword as string | undefined);
    if (!keyCheck.ok) {
      return keyCheck.reason === 'mismatch'
        ? tencentError('FailedOperation.CertificateMismatch', 'The certificate and the private key do not match.')
        : tencentError('FailedOperation.CertificateParseError', `Parsing failed: the private key is ${keyCheck.reason === 'unparseable' ? 'not a valid PEM private key' : 'encrypted and KeyPassword does not open it'}.`);
    }
  }

  if (params.Repeatable === false) {
    const existing = state.store.find(account, (entry) => entry.certificate.sha256 === certificate.sha256);
    // The documented example answers both ids with the existing certificate's id.
    if (existing !== undefined) return tencentOk({ CertificateId: existing.id, RepeatCertId: existing.id });
  }
  const stored = state.store.add(
    {
      id: tencentId(),
      account,
      name: (params.Alias as string | undefined) ?? null,
      certificatePem: certificateText,
      privateKeyPem: keyText ?? null,
      certificate,
      params,
    },
    state.now(),
  );
  return tencentOk({ CertificateId: stored.id, RepeatCertId: '' });
}

function typeProblem(params: Record<string, unknown>): Reply | null {
  for (const name of ['CertificatePublicKey', 'CertificatePrivateKey', 'CertificateType', 'Alias', 'CertificateUse', 'KeyPassword']) {
    if (params[name] !== undefined && typeof params[name] !== 'string') return invalidType(name);
  }
  const projectId = params.ProjectId;
  if (projectId !== undefined && !(typeof projectId === 'number' && Number.isInteger(projectId)) && !(typeof projectId === 'string' && /^\d+$/.test(projectId))) {
    return invalidType('ProjectId');
  }
  if (params.Repeatable !== undefined && typeof params.Repeatable !== 'boolean') return invalidType('Repeatable');
  const tags = params.Tags;
  if (tags !== undefined) {
    const valid =
      Array.isArray(tags) &&
      tags.every(
        (tag: unknown) =>
          typeof tag === 'object' && tag !== null &&
          typeof (tag as Record<string, unknown>).TagKey === 'string' &&
          typeof (tag as Record<string, unknown>).TagValue === 'string',
      );
    if (!valid) return invalidType('Tags');
  }
  return null;
}

const DESCRIBE_PARAMS = new Set([
  'Offset', 'Limit', 'SearchKey', 'CertificateType', 'ProjectId', 'ExpirationSort', 'CertificateStatus',
  'Deployable', 'Upload', 'Renew', 'FilterSource', 'IsSM', 'FilterExpiring', 'Hostable', 'Tags',
  'IsPendingIssue', 'CertIds', 'ServiceType', 'ServiceId',
]);

function describeCertificates(state: EmulatorState, account: string, params: Record<string, unknown>): Reply {
  const unknown = unknownParameter(params, DESCRIBE_PARAMS);
  if (unknown !== null) return unknown;
  const offset = params.Offset ?? 0;
  const limit = params.Limit ?? 10;
  if (typeof offset !== 'number' || !Number.isInteger(offset) || offset < 0) return invalidType('Offset');
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 0 || limit > 1000) {
    return tencentError('InvalidParameterValue', 'Limit must be an integer between 0 and 1000.');
  }
  const search = typeof params.SearchKey === 'string' ? params.SearchKey : '';
  const certIds = Array.isArray(params.CertIds) ? (params.CertIds as unknown[]) : null;
  const matching = state.store.list(account).filter(
    (entry) =>
      (search === '' || entry.id === search || (entry.name ?? '').includes(search) || domainsOf(entry.certificate).some((d) => d.includes(search))) &&
      (params.CertificateType === undefined || entry.params.CertificateType === params.CertificateType || (params.CertificateType === 'SVR' && entry.params.CertificateType === undefined)) &&
      (certIds === null || certIds.includes(entry.id)),
  );
  return tencentOk({
    TotalCount: matching.length,
    // "超过1000按1000处理": a larger Limit is clamped, not refused.
    Certificates: matching.slice(offset, offset + Math.min(limit, 1000)).map(describeItem),
  });
}

/** A certificate already on the account (uploaded elsewhere); `id` defaults to an 8-character one. */
export function seedTencentCertificate(state: EmulatorState, input: SeedInput): StoredCertificate {
  return seedCertificate(state, input.id ?? tencentId(), { ...input, params: { CertificateType: 'SVR', ...input.params } });
}

function describeCertificateDetail(state: EmulatorState, account: string, params: Record<string, unknown>): Reply {
  const unknown = unknownParameter(params, new Set(['CertificateId']));
  if (unknown !== null) return unknown;
  if (typeof params.CertificateId !== 'string' || params.CertificateId === '') {
    return tencentError('MissingParameter', 'The request is missing a required parameter `CertificateId`.');
  }
  const entry = state.store.find(account, (candidate) => candidate.id === params.CertificateId);
  if (entry === undefined) return tencentError('FailedOperation.CertificateNotFound', 'The certificate does not exist.');
  const certificate = entry.certificate;
  return tencentOk({
    ...describeItem(entry),
    // Unlike the list, the detail leaves the primary domain out of SubjectAltName.
    SubjectAltName: certificate.dnsNames.filter((name) => name !== certificate.commonName),
    // "may be null": seed with params.WithholdPem to get a detail without the certificate.
    CertificatePublicKey: entry.params.WithholdPem === true ? null : entry.certificatePem,
    // The detail call returns the private key: what the client must never keep.
    CertificatePrivateKey: entry.privateKeyPem,
    CertFingerprint: certificate.sha1.toLowerCase(),
    CertChainInfo: [
      {
        Issuer: `CN=${certificate.issuerCommonName ?? ''}`,
        Subject: `CN=${certificate.commonName ?? ''}`,
        Fingerprint: certificate.sha1.toLowerCase(),
        ValidFrom: beijingTime(certificate.notBefore),
        ValidTo: beijingTime(certificate.notAfter),
      },
    ],
    OrderId: '',
    Deployable: true,
    RenewAble: false,
  });
}

const MAX_TASK_IDS = 100;

function idList(params: Record<string, unknown>, name: string): string[] | Reply {
  const value = params[name];
  if (value === undefined) return tencentError('MissingParameter', `The request is missing a required parameter \`${name}\`.`);
  if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) return invalidType(name);
  if (value.length > MAX_TASK_IDS) return tencentError('InvalidParameter', `\`${name}\` takes at most ${MAX_TASK_IDS} items.`);
  return value as string[];
}

function createBindResourceSyncTask(state: EmulatorState, account: string, params: Record<string, unknown>): Reply {
  const unknown = unknownParameter(params, new Set(['CertificateIds', 'IsCache']));
  if (unknown !== null) return unknown;
  const ids = idList(params, 'CertificateIds');
  if (!Array.isArray(ids)) return ids;
  if (params.IsCache === undefined) return tencentError('MissingParameter', 'The request is missing a required parameter `IsCache`.');
  if (params.IsCache !== 0 && params.IsCache !== 1) return invalidType('IsCache');
  const missing = ids.find((id) => state.store.find(account, (entry) => entry.id === id) === undefined);
  if (missing !== undefined) return tencentError('FailedOperation.CertificateNotFound', `The certificate ${missing} does not exist.`);
  const taskIds = ids.map((certificateId) => {
    // "若证书ID已存在查询云资源任务，则结果返回该任务ID".
    const existing = [...state.tasks.values()].find((task) => task.account === account && task.certificateId === certificateId);
    if (existing !== undefined && params.IsCache === 1) return { CertId: certificateId, TaskId: existing.id };
    const task = { id: String(748_000 + state.tasks.size + 1), account, certificateId, polls: 0 };
    state.tasks.set(task.id, task);
    return { CertId: certificateId, TaskId: task.id };
  });
  return tencentOk({ CertTaskIds: taskIds });
}

/** The seeded resources a task found, grouped by resource type, then region. */
function taskGroups(state: EmulatorState, account: string, certificateId: string): Map<string, Map<string, Record<string, unknown>[]>> {
  const groups = new Map<string, Map<string, Record<string, unknown>[]>>();
  for (const resource of resourcesOf(state, account)) {
    if (resource.certificateId !== certificateId) continue;
    const byRegion = groups.get(resource.type) ?? new Map<string, Record<string, unknown>[]>();
    byRegion.set(resource.region, [...(byRegion.get(resource.region) ?? []), { ...resource.instance }]);
    groups.set(resource.type, byRegion);
  }
  return groups;
}

function describeBindResourceTaskResult(state: EmulatorState, account: string, params: Record<string, unknown>): Reply {
  const unknown = unknownParameter(params, new Set(['TaskIds']));
  if (unknown !== null) return unknown;
  const ids = idList(params, 'TaskIds');
  if (!Array.isArray(ids)) return ids;
  const tasks = ids.map((id) => state.tasks.get(id));
  if (tasks.some((task) => task === undefined || task.account !== account)) {
    return tencentError('FailedOperation.CertificateSyncTaskIdInvalid', 'The task id is invalid.');
  }
  return tencentOk({
    SyncTaskBindResourceResult: tasks.map((task) => {
      task!.polls += 1;
      if (task!.polls <= state.taskPollsBeforeDone) return { TaskId: task!.id, Status: 0, BindResourceResult: [], Error: null, CacheTime: '' };
      const groups = taskGroups(state, account, task!.certificateId);
      return {
        TaskId: task!.id,
        Status: 1,
        BindResourceResult: [...groups].map(([type, byRegion]) => ({
          ResourceType: type,
          BindResourceRegionResult: [...byRegion].map(([region, instances]) => ({ Region: region, TotalCount: instances.length, Error: '' })),
        })),
        Error: null,
        CacheTime: beijingTime(state.now()),
      };
    }),
  });
}

const DETAIL_LIMIT_MAX = 100;

function describeBindResourceTaskDetail(state: EmulatorState, account: string, params: Record<string, unknown>): Reply {
  const unknown = unknownParameter(params, new Set(['TaskId', 'Limit', 'Offset', 'ResourceTypes', 'Regions']));
  if (unknown !== null) return unknown;
  if (typeof params.TaskId !== 'string' || params.TaskId === '') return tencentError('MissingParameter', 'The request is missing a required parameter `TaskId`.');
  // Limit and Offset are strings in this action's model; a number is refused as the wrong type.
  for (const name of ['Limit', 'Offset']) {
    if (params[name] !== undefined && !(typeof params[name] === 'string' && /^\d+$/.test(params[name]))) return invalidType(name);
  }
  const limit = Number(params.Limit ?? '10');
  const offset = Number(params.Offset ?? '0');
  if (limit < 1 || limit > DETAIL_LIMIT_MAX) return tencentError('InvalidParameterValue', `Limit must be between 1 and ${DETAIL_LIMIT_MAX}.`);
  const task = state.tasks.get(params.TaskId);
  if (task === undefined || task.account !== account) return tencentError('FailedOperation.CertificateSyncTaskIdInvalid', 'The task id is invalid.');
  const types = Array.isArray(params.ResourceTypes) ? (params.ResourceTypes as string[]) : null;
  const answer: Record<string, unknown> = { Status: task.polls > state.taskPollsBeforeDone ? 1 : 0, CacheTime: beijingTime(state.now()) };
  for (const [type, byRegion] of taskGroups(state, account, task.certificateId)) {
    if (types !== null && !types.includes(type)) continue;
    // Paging applies per resource type and region ("每个云资源的地域下面Limit数量实例").
    answer[type.toUpperCase()] = [...byRegion].map(([region, instances]) => ({
      ...(region === '' ? {} : { Region: region }),
      TotalCount: instances.length,
      Error: '',
      InstanceList: instances.slice(offset, offset + limit),
    }));
  }
  return tencentOk(answer);
}

function describeItem(entry: StoredCertificate): Record<string, unknown> {
  const certificate = entry.certificate;
  return {
    CertificateId: entry.id,
    Domain: certificate.commonName ?? certificate.dnsNames[0] ?? '',
    SubjectAltName: certificate.dnsNames,
    Alias: entry.name ?? '',
    CertificateType: (entry.params.CertificateType as string | undefined) ?? 'SVR',
    From: 'upload',
    Status: 1,
    CertBeginTime: beijingTime(certificate.notBefore),
    CertEndTime: beijingTime(certificate.notAfter),
    InsertTime: beijingTime(entry.createdAt),
    ProjectId: String(entry.params.ProjectId ?? '0'),
    EncryptAlgorithm: certificate.keyAlgorithm === 'EC' ? 'ECC' : certificate.keyAlgorithm,
    Tags: (entry.params.Tags as unknown[] | undefined) ?? [],
    // Expiry notifications muted (ModifyCertificatesExpiringNotificationSwitch, ExpiringNotificationSwitch).
    IsIgnore: entry.params.IsIgnore === true,
  };
}

function domainsOf(certificate: ParsedCertificate): string[] {
  return [...(certificate.commonName === null ? [] : [certificate.commonName]), ...certificate.dnsNames];
}

function tencentId(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return Array.from(randomBytes(8), (byte) => alphabet[byte % alphabet.length]).join('');
}
