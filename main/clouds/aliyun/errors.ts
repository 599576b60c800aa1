import { entry, type ErrorEntry, type Hint, type ErrorTable } from '../cloud-error';

// Alibaba Cloud error codes for CAS UploadUserCertificate / ListUserCertificateOrder: the common
// POP gateway codes (auth, signature, time, nonce, throttling, 5xx; REFERENCE.md §3.3). The
// UploadUserCertificate page lists no business codes of its own. Alibaba answers 4xx/5xx with
// `{Code, Message, RequestId}`; throttling has been seen as 400 and as 403, so the code decides.

const CHECK_KEYS = entry(
  'auth',
  false,
  'Check the AccessKey ID and secret of this account (RAM console > AccessKey) and that the key is enabled.',
  '请检查该账号的 AccessKey ID 和 AccessKey Secret（RAM 控制台 > AccessKey）是否正确且已启用。',
);
const NO_PERMISSION = entry(
  'auth',
  false,
  'The key works but lacks permission: grant the RAM user AliyunYundunCertFullAccess (or a policy with cas:UploadUserCertificate).',
  '密钥有效但权限不足：请为 RAM 用户授予 AliyunYundunCertFullAccess（或包含 cas:UploadUserCertificate 的策略）。',
);
const THROTTLED = entry(
  'throttled',
  true,
  'Alibaba Cloud is limiting the request rate (100 uploads/s per account). Cert Vault retries automatically.',
  '阿里云触发了流控（每个账号每秒 100 次上传）。Cert Vault 会自动重试。',
);
export const SERVER = entry('server', true, 'A temporary error at Alibaba Cloud. Try again in a moment.', '阿里云临时故障，请稍后重试。');

/** An answer that is not the API's (a proxy's page): check the endpoint. */
export const UNREADABLE = entry(
  'server',
  true,
  'Alibaba Cloud answered with something that is not an API response. If an endpoint override or proxy is set, check it.',
  '阿里云返回的内容不是有效的接口响应。如果设置了自定义接入地址或代理，请检查。',
);

const BAD_PARAMETER = entry(
  'invalid',
  false,
  'Alibaba Cloud rejected a parameter; its message says which. Check the certificate name and the PEM content.',
  '阿里云拒绝了某个参数，错误信息中会指明具体参数。请检查证书名称和 PEM 内容。',
);
const BAD_TOKEN = entry(
  'auth',
  false,
  'The STS security token is invalid, expired or belongs to another AccessKey. Obtain a new one, or clear it.',
  'STS 安全令牌无效、已过期或与 AccessKey 不匹配。请重新获取，或清空令牌。',
);

const NOT_FOUND = entry(
  'invalid',
  false,
  'Alibaba Cloud does not know this id (certificate, resource, contact or deployment job); it may have been deleted. Sync the account and check the Certificate Management Service console.',
  '阿里云找不到该 ID（证书、云资源、联系人或部署任务），可能已被删除。请同步账号并在数字证书管理服务控制台中检查。',
);

export const aliyunErrors: ErrorTable = {
  'Throttling.User': THROTTLED,
  'Throttling.Api': THROTTLED,
  Throttling: THROTTLED,
  'InvalidAccessKeyId.NotFound': entry(
    'auth',
    false,
    'This AccessKey ID does not exist. Check it, or create a new AccessKey in the RAM console.',
    'AccessKey ID 不存在。请检查，或在 RAM 控制台新建 AccessKey。',
  ),
  'InvalidAccessKeyId.Inactive': entry('auth', false, 'This AccessKey is disabled. Enable it in the RAM console or use another.', '该 AccessKey 已被禁用。请在 RAM 控制台启用或更换。'),
  InvalidAccessKeyId: CHECK_KEYS,
  SignatureDoesNotMatch: entry(
    'auth',
    false,
    'The signature was rejected: the AccessKey secret is wrong for this AccessKey ID. Re-enter the key pair.',
    '签名校验失败：AccessKey Secret 与 AccessKey ID 不匹配。请重新填写密钥对。',
  ),
  IncompleteSignature: CHECK_KEYS,
  'InvalidTimeStamp.Expired': entry(
    'auth',
    false,
    "This computer's clock differs from Alibaba Cloud's by more than 15 minutes. Sync the system clock (NTP) and try again.",
    '本机时间与阿里云相差超过 15 分钟。请同步系统时间（NTP）后重试。',
  ),
  'InvalidTimeStamp.Format': entry('invalid', false, 'The request time was malformed. Report this as a Cert Vault bug.', '请求时间格式错误。请将此问题作为 Cert Vault 的缺陷反馈。'),
  SignatureNonceUsed: entry(
    'invalid',
    false,
    'Alibaba Cloud saw this request nonce before (a replayed request). Upload again; a new nonce is used each time.',
    '阿里云检测到重复的请求随机数（重放请求）。请重新上传，每次请求都会使用新的随机数。',
  ),
  'InvalidSecurityToken.Expired': BAD_TOKEN,
  'InvalidSecurityToken.Malformed': BAD_TOKEN,
  'InvalidSecurityToken.MismatchWithAccessKey': BAD_TOKEN,
  'Forbidden.RAM': NO_PERMISSION,
  Forbidden: NO_PERMISSION,
  NoPermission: NO_PERMISSION,
  'Forbidden.AccessKeyDisabled': entry('auth', false, 'This AccessKey is disabled. Enable it in the RAM console or use another.', '该 AccessKey 已被禁用。请在 RAM 控制台启用或更换。'),
  MissingParameter: BAD_PARAMETER,
  InvalidParameter: BAD_PARAMETER,
  'InvalidResourceGroupId.NotFound': entry('invalid', false, 'The resource group does not exist. Check the resource group id of the account.', '资源组不存在。请检查账号的资源组 ID。'),
  InvalidAction: entry('invalid', false, 'The endpoint does not offer this API. Check the endpoint override of the account.', '接入地址不支持该接口。请检查账号的自定义接入地址。'),
  'InvalidAction.NotFound': entry('invalid', false, 'The endpoint does not offer this API. Check the endpoint override or region.', '接入地址不支持该接口。请检查自定义接入地址或地域。'),
  ServiceUnavailable: SERVER,
  InternalError: SERVER,
  UnknownError: SERVER,
};

/** The table entry, or a classification by family and HTTP status for undocumented codes. */
export function classifyAliyunError(code: string, httpStatus: number | null): ErrorEntry {
  const known = aliyunErrors[code];
  if (known) return known;
  // openapi-core's own rule: any code mentioning Throttling is a throttling error.
  if (code.includes('Throttling')) return THROTTLED;
  const family = code.split('.')[0]!;
  if (aliyunErrors[family]) return aliyunErrors[family];
  if (httpStatus !== null && httpStatus >= 500) return SERVER;
  if (httpStatus === 401 || httpStatus === 403) return NO_PERMISSION;
  // The CAS deployment and detail actions publish no codes for an unknown id (unconfirmed); they
  // are expected as *.NotFound answers with HTTP 404.
  if (httpStatus === 404 || code.endsWith('.NotFound')) return NOT_FOUND;
  return BAD_PARAMETER;
}

/** A success answer without the id: the certificate may exist, so it is looked up, never re-sent blindly. */
export const MALFORMED_HINT: Hint = {
  en: 'Alibaba Cloud answered success without a certificate id. Check the certificate list (it may have been created) before trying again, and that the endpoint is really Alibaba Cloud CAS.',
  'zh-CN': '阿里云返回成功但没有证书 ID。重试前请先查看证书列表确认是否已创建，并确认接入地址确实是阿里云数字证书管理服务。',
};

// Deployment (DEPLOY.md §2.3-2.8). The CAS pages of the deployment actions publish no business
// codes (unconfirmed), so what Cert Vault finds itself and the refusals of those actions are
// explained here; the cloud's own code and message are kept beside.
export const deployHints = {
  noContact: {
    en: 'Alibaba Cloud deployment jobs need a notification contact, and this account has none. Add a contact in the Certificate Management Service console (Contacts / 联系人), then deploy again.',
    'zh-CN': '阿里云部署任务需要一个通知联系人，而该账号没有联系人。请在数字证书管理服务控制台添加联系人后重新部署。',
  },
  idNotNumeric: {
    en: 'Alibaba Cloud certificate and resource ids are numbers; this one is not. Sync the account, then deploy again.',
    'zh-CN': '阿里云的证书 ID 和资源 ID 均为数字，但此 ID 不是。请同步账号后重新部署。',
  },
  nothingToDeploy: { en: 'The deployment lists no resource to update.', 'zh-CN': '本次部署没有需要更新的资源。' },
  modeUnsupported: {
    en: 'Alibaba Cloud deploys a certificate to resources as a new certificate id; keeping the old id is not offered.',
    'zh-CN': '阿里云以新证书 ID 部署到云资源，不支持保留旧证书 ID 的原地更新。',
  },
  handleInvalid: {
    en: 'The stored deployment job id is unreadable, so the job cannot be watched. Check the deployment jobs in the Certificate Management Service console.',
    'zh-CN': '已保存的部署任务 ID 无法读取，无法继续跟踪。请在数字证书管理服务控制台查看部署任务。',
  },
  nothingToRollBack: {
    en: 'No resource of the job was deployed successfully, so there is nothing to roll back.',
    'zh-CN': '该部署任务没有成功部署的资源，无需回滚。',
  },
  notInJob: {
    en: "Alibaba Cloud's job finished without this resource. Sync the account to see what it serves.",
    'zh-CN': '阿里云部署任务已结束，但未包含该资源。请同步账号查看其当前证书。',
  },
  workerFailed: {
    en: 'Alibaba Cloud could not put the new certificate on this resource (the job lists it as failed). Check the job in the Certificate Management Service console, often a domain the new certificate does not cover; then deploy again or roll back.',
    'zh-CN': '阿里云未能将新证书部署到该资源（部署任务显示失败）。请在数字证书管理服务控制台查看该任务，常见原因是新证书未覆盖某个域名；处理后重新部署或回滚。',
  },
  rollbackFailed: {
    en: 'Alibaba Cloud could not put the old certificate back on this resource. Check the job in the Certificate Management Service console.',
    'zh-CN': '阿里云未能将旧证书恢复到该资源。请在数字证书管理服务控制台查看该部署任务。',
  },
  noMute: {
    en: "Alibaba Cloud cannot mute one certificate's expiry notices; retire it by deleting it once nothing uses it.",
    'zh-CN': '阿里云无法单独关闭某个证书的到期提醒；请在其不再被使用后通过删除来停用。',
  },
  deleteRefused: {
    en: 'Alibaba Cloud refused to delete the old certificate; its message says why (often: still bound to a resource or used by a deployment job). Move those resources first, then retire it again.',
    'zh-CN': '阿里云拒绝删除旧证书，具体原因见错误信息（常见原因是仍绑定云资源或被部署任务使用）。请先更换这些资源的证书后再停用。',
  },
  malformed: {
    en: 'Alibaba Cloud answered success without the job id. Check the deployment jobs in the Certificate Management Service console before trying again, and that the endpoint really is Alibaba Cloud CAS.',
    'zh-CN': '阿里云返回成功但缺少部署任务 ID。重试前请先在数字证书管理服务控制台查看部署任务，并确认接入地址确实是阿里云数字证书管理服务。',
  },
} as const satisfies Record<string, Hint>;
