import { entry, type ErrorEntry, type Hint, type ErrorTable } from '../cloud-error';

// Tencent Cloud error codes: those the UploadCertificate pages list (seeds 000/001), the common
// API 3.0 codes (公共错误码) including throttling and auth, and the DescribeCertificates ones
// (REFERENCE.md §2.3, §8). Tencent answers HTTP 200 for errors, so the code decides everything.

const CHECK_KEYS = entry(
  'auth',
  false,
  'Check the SecretId and SecretKey of this account (CAM console > API keys) and that the key is enabled.',
  '请检查该账号的 SecretId 和 SecretKey（访问管理 > API 密钥）是否正确且处于启用状态。',
);
const NO_PERMISSION = entry(
  'auth',
  false,
  'The key works but lacks permission: grant the sub-account the SSL certificate policy (e.g. QcloudSSLFullAccess) in CAM.',
  '密钥有效但权限不足：请在访问管理（CAM）中为子账号授予 SSL 证书相关策略（例如 QcloudSSLFullAccess）。',
);
const BAD_CERT = entry(
  'invalid',
  false,
  'Tencent could not parse the certificate. Make sure it is PEM with real line breaks and no extra spaces, and that the chain is complete.',
  '腾讯云无法解析证书。请确认内容为 PEM 格式、换行完整且没有多余空格，证书链完整。',
);
const KEY_MISMATCH = entry(
  'invalid',
  false,
  'The private key does not belong to this certificate. Choose the key that was generated with its CSR.',
  '私钥与证书不匹配。请选择与该证书 CSR 一同生成的私钥。',
);
const THROTTLED = entry(
  'throttled',
  true,
  'Tencent is limiting the request rate (10 uploads/s per account). Cert Vault retries automatically; if it persists, upload fewer certificates at once.',
  '腾讯云触发了频率限制（每个账号每秒 10 次上传）。Cert Vault 会自动重试；如持续出现，请减少同时上传的证书数量。',
);
export const SERVER = entry('server', true, 'A temporary error at Tencent Cloud. Try again in a moment.', '腾讯云临时故障，请稍后重试。');

/** An answer that is not the API's (a proxy's page): check the endpoint. */
export const UNREADABLE = entry(
  'server',
  true,
  'Tencent answered with something that is not an API response. If an endpoint override or proxy is set, check it.',
  '腾讯云返回的内容不是有效的接口响应。如果设置了自定义接入地址或代理，请检查。',
);

const BAD_PARAMETER = entry(
  'invalid',
  false,
  'Tencent rejected a parameter. Check the upload options (type, project id, tags); the message says which one.',
  '腾讯云拒绝了某个参数。请检查上传选项（证书类型、项目 ID、标签），错误信息中会指明具体参数。',
);
const NOT_FOR_UPLOAD = entry(
  'invalid',
  false,
  'Tencent refused the operation for this certificate or order. Check the certificate in the Tencent SSL console.',
  '腾讯云拒绝对该证书或订单执行此操作。请在腾讯云 SSL 证书控制台检查该证书。',
);

// Inventory (DescribeCertificateDetail, the bind-resource sync task; DEPLOY.md §1.2-1.3).
const NO_SERVICE_ROLE = entry(
  'auth',
  false,
  "Tencent's SSL service-linked role is not authorised, so SSL cannot read or update the resources bound to certificates. Authorise the SSL service-linked role once in the SSL certificate console (the prompt appears on the resource deployment page).",
  '腾讯云 SSL 证书服务相关角色未授权，SSL 证书服务无法读取或更新证书关联的云资源。请在 SSL 证书控制台（部署到云资源页面的提示中）授权一次服务相关角色。',
);

// Deployment (UpdateCertificateInstance and its record calls, the expiry switch, DeleteCertificate;
// DEPLOY.md §1.4-1.8).
const TASK_RUNNING = entry(
  'conflict',
  false,
  'Tencent is already running a deploy or update task for this certificate. Wait until it finishes (SSL console > deployment records), then deploy again.',
  '腾讯云上该证书已有正在执行的部署或更新任务。请等待其完成（SSL 证书控制台 > 部署记录）后再部署。',
);
const NOT_DEPLOYABLE = entry(
  'invalid',
  false,
  'Tencent refused to put the new certificate on these resources: usually a domain the new certificate does not cover, a regex CLB rule, or a non-SNI listener with a domain outside the certificate. Check the domains, then deploy again.',
  '腾讯云拒绝将新证书部署到这些资源：通常是新证书未覆盖某个域名、CLB 规则使用了正则，或未开启 SNI 的监听器含有证书外的域名。请检查域名后重新部署。',
);
const STILL_BOUND = entry(
  'conflict',
  false,
  'Tencent still has resources bound to this certificate, so it cannot be deleted. Move them to another certificate first (deploy again), then retire it.',
  '腾讯云上仍有云资源绑定该证书，无法删除。请先将这些资源更换为其他证书（重新部署）后再删除。',
);
const RECORD_STATE = entry(
  'invalid',
  false,
  'Tencent refused the rollback: the deployment record must be finished and have at least one resource updated successfully.',
  '腾讯云拒绝回滚：部署记录必须已完成，且至少有一个资源更新成功。',
);

export const tencentErrors: ErrorTable = {
  'FailedOperation.RoleNotFoundAuthorization': NO_SERVICE_ROLE,
  'FailedOperation.CertificateDeployHasPendingRecord': TASK_RUNNING,
  'FailedOperation.CertificateDeployInstanceEmpty': entry(
    'invalid',
    false,
    'Tencent found no resource of the selected types bound to the old certificate (they may have moved already). Sync the account and check the plan.',
    '腾讯云在所选资源类型中未找到绑定旧证书的实例（可能已被更换）。请同步账号后检查部署计划。',
  ),
  'FailedOperation.CertificateNotDeployInstance': NOT_DEPLOYABLE,
  'FailedOperation.CertificateDeployInstanceFormatError': entry(
    'invalid',
    false,
    'Tencent could not read a resource id of the deployment. Sync the account and deploy again.',
    '腾讯云无法识别部署中的资源 ID。请同步账号后重新部署。',
  ),
  'FailedOperation.CertificateHostDeployCanNotAllow': entry(
    'invalid',
    false,
    'Tencent does not allow this certificate to be deployed or updated to cloud resources (one-click update or deploy). Check it in the SSL certificate console.',
    '腾讯云不允许将该证书部署或一键更新到云资源。请在 SSL 证书控制台检查该证书。',
  ),
  'FailedOperation.CertificateHostResourceInstanceHugeLimit': entry(
    'invalid',
    false,
    'The account has too many instances for Tencent to load at once. Update this certificate from the SSL certificate console.',
    '账号实例过多，腾讯云无法一次加载。请在 SSL 证书控制台中更新该证书。',
  ),
  'FailedOperation.CertificateHostResourceTypeInvalid': entry(
    'invalid',
    false,
    'Tencent does not accept one of the resource types of this deployment. Report this as a Cert Vault bug with the type.',
    '腾讯云不接受本次部署中的某个资源类型。请将该类型作为 Cert Vault 缺陷反馈。',
  ),
  'FailedOperation.CertificateNotAvailable': entry(
    'invalid',
    false,
    'Tencent says the certificate cannot be used (not issued, expired or revoked). Check it in the SSL certificate console.',
    '腾讯云提示该证书不可用（未签发、已过期或已吊销）。请在 SSL 证书控制台检查。',
  ),
  'FailedOperation.CertificateDeployNotExist': entry(
    'invalid',
    false,
    'Tencent no longer knows this deployment record. Check the deployment records in the SSL certificate console.',
    '腾讯云找不到该部署记录。请在 SSL 证书控制台查看部署记录。',
  ),
  'FailedOperation.CertificateDeployRollbackStatusInvalid': RECORD_STATE,
  'FailedOperation.CertificateDeployDetailRollbackStatusInvalid': RECORD_STATE,
  'FailedOperation.CertificateDeployRetryStatusInvalid': RECORD_STATE,
  'InvalidParameterValue.IntermediateCertNotSame': entry(
    'invalid',
    false,
    "The new certificate's intermediate differs from what Tencent expects for this update. Check the chain of the new certificate.",
    '新证书的中间证书与腾讯云本次更新的要求不一致。请检查新证书的证书链。',
  ),
  'InvalidParameter.RegionNotEmpty': entry(
    'invalid',
    false,
    'Tencent needs the region of a regional resource. Sync the account so its resources carry their regions, then deploy again.',
    '腾讯云需要地域性资源的地域信息。请同步账号使资源带有地域后重新部署。',
  ),
  'InvalidParameter.CertificatesNumberExceeded': entry('invalid', false, 'Tencent accepts at most 50 certificates per call.', '腾讯云每次调用最多接受 50 个证书。'),
  'FailedOperation.BoundResources': STILL_BOUND,
  'FailedOperation.DeleteResourceFailed': STILL_BOUND,
  'FailedOperation.DeleteFailedTimeNotUp': entry(
    'invalid',
    false,
    'Tencent does not let this certificate be deleted yet (free certificates: not within the first hour). Try again later.',
    '腾讯云暂不允许删除该证书（免费证书申请后一小时内不可删除）。请稍后再试。',
  ),
  'FailedOperation.CertificateSyncTaskIdInvalid': entry(
    'server',
    true,
    'Tencent no longer knows the resource discovery task (it may have expired). Sync again.',
    '腾讯云找不到该云资源查询任务（可能已过期）。请重新同步。',
  ),
  'FailedOperation.CertificateHostResourceInnerInterrupt': entry(
    'invalid',
    false,
    'Tencent does not list the resources of this account (an internal account with too many instances). Check the bindings in the Tencent console.',
    '腾讯云不提供该账号的云资源列表（实例过多的内部账号）。请在腾讯云控制台查看证书关联的资源。',
  ),
  'FailedOperation.SystemError': entry('server', true, 'A temporary error at Tencent Cloud SSL. Sync again in a moment.', '腾讯云 SSL 证书服务临时故障，请稍后重新同步。'),
  'ResourceNotFound.Manager': entry('invalid', false, 'Tencent has no management record for this certificate.', '腾讯云中没有该证书的管理记录。'),

  AuthFailure: CHECK_KEYS,
  'AuthFailure.SignatureFailure': entry(
    'auth',
    false,
    'The signature was rejected: the SecretKey is wrong for this SecretId. Re-enter the key pair.',
    '签名校验失败：SecretKey 与 SecretId 不匹配。请重新填写密钥对。',
  ),
  'AuthFailure.SignatureExpire': entry(
    'auth',
    false,
    "This computer's clock differs from Tencent's by more than 5 minutes. Sync the system clock (NTP) and try again.",
    '本机时间与腾讯云相差超过 5 分钟。请同步系统时间（NTP）后重试。',
  ),
  'AuthFailure.SecretIdNotFound': entry(
    'auth',
    false,
    'This SecretId does not exist or was deleted. Create a new API key in CAM and update the account.',
    'SecretId 不存在或已被删除。请在访问管理中新建 API 密钥并更新账号。',
  ),
  'AuthFailure.InvalidSecretId': entry(
    'auth',
    false,
    'The SecretId is malformed (it should start with AKID). Re-enter it.',
    'SecretId 格式不正确（应以 AKID 开头）。请重新填写。',
  ),
  'AuthFailure.InvalidAuthorization': CHECK_KEYS,
  'AuthFailure.TokenFailure': entry(
    'auth',
    false,
    'The temporary token is invalid or expired. Obtain a new STS token, or clear it to use the permanent key.',
    '临时凭证（Token）无效或已过期。请重新获取 STS 临时凭证，或清空 Token 使用永久密钥。',
  ),
  'AuthFailure.MFAFailure': entry(
    'auth',
    false,
    'The account requires MFA for this operation. Use a key of a sub-account without that MFA requirement.',
    '该账号执行此操作需要 MFA 验证。请使用不要求 MFA 的子账号密钥。',
  ),
  'AuthFailure.UnauthorizedOperation': NO_PERMISSION,
  UnauthorizedOperation: NO_PERMISSION,
  'FailedOperation.AuthError': NO_PERMISSION,
  'FailedOperation.CAMAuthorizedFail': NO_PERMISSION,
  'FailedOperation.NoProjectPermission': entry(
    'auth',
    false,
    'The key has no permission on this project. Choose another project id or grant access to the project.',
    '该密钥没有此项目的权限。请更换项目 ID，或为其授予该项目的权限。',
  ),
  'FailedOperation.NoRealNameAuth': entry(
    'auth',
    false,
    'The Tencent Cloud account has not completed real-name verification. Complete it in the Tencent console first.',
    '该腾讯云账号尚未完成实名认证。请先在腾讯云控制台完成实名认证。',
  ),
  RequestLimitExceeded: THROTTLED,
  'RequestLimitExceeded.UinLimitExceeded': THROTTLED,
  'RequestLimitExceeded.IPLimitExceeded': THROTTLED,
  'RequestLimitExceeded.GlobalRegionUinLimitExceeded': THROTTLED,
  'LimitExceeded.RateLimitExceeded': THROTTLED,
  LimitExceeded: entry('invalid', false, 'A Tencent quota is exhausted. Remove unused certificates or raise the quota.', '腾讯云配额已用尽。请删除不再使用的证书或申请提高配额。'),
  'FailedOperation.CertificateExists': entry(
    'conflict',
    false,
    'Tencent already holds this certificate. Find it in the SSL console, or allow repeated uploads.',
    '腾讯云中已存在该证书。请在 SSL 证书控制台中查找，或允许重复上传。',
  ),
  'FailedOperation.CertificateInvalid': BAD_CERT,
  'FailedOperation.CertificateParseError': BAD_CERT,
  'FailedOperation.CertificateCaError': entry(
    'invalid',
    false,
    'The certificate is not a CA certificate. Upload it as a server certificate (SVR), or choose the CA certificate.',
    '该证书不是 CA 证书。请将类型改为服务器证书（SVR），或选择正确的 CA 证书。',
  ),
  'FailedOperation.CertificateEncryptInvalid': entry(
    'invalid',
    false,
    'The certificate looks like an SM2 (国密) certificate, which this upload does not accept. Upload an RSA or ECC certificate.',
    '该证书疑似国密（SM2）证书，此上传接口不接受。请上传 RSA 或 ECC 证书。',
  ),
  'FailedOperation.CertificateMismatch': KEY_MISMATCH,
  'FailedOperation.CertificateMatchError': KEY_MISMATCH,
  'InvalidParameter.MissMatchPrivateKey': KEY_MISMATCH,
  'FailedOperation.CertificateNotFound': entry('invalid', false, 'Tencent has no certificate with this id.', '腾讯云中不存在该证书 ID。'),
  'FailedOperation.ExceedsFreeLimit': entry(
    'invalid',
    false,
    'The free-certificate limit of this Tencent account is reached.',
    '该腾讯云账号的免费证书数量已达上限。',
  ),
  'FailedOperation.NetworkError': entry('server', true, 'The certificate authority behind Tencent is busy. Try again later.', '腾讯云对接的 CA 机构繁忙，请稍后重试。'),
  'FailedOperation.CannotGetOrder': entry('server', true, 'Tencent could not read the order information. Try again later.', '腾讯云获取订单信息失败，请稍后重试。'),
  'FailedOperation.CancelOrderFailed': NOT_FOR_UPLOAD,
  'FailedOperation.CannotBeDeletedIssued': NOT_FOR_UPLOAD,
  'FailedOperation.CannotBeDeletedWithinHour': NOT_FOR_UPLOAD,
  'FailedOperation.InvalidCertificateStatusCode': NOT_FOR_UPLOAD,
  'FailedOperation.OrderAlreadyReplaced': NOT_FOR_UPLOAD,
  'FailedOperation.OrderReplaceFailed': NOT_FOR_UPLOAD,
  FailedOperation: entry('invalid', false, 'Tencent refused the operation; its message says why.', '腾讯云拒绝了该操作，具体原因见错误信息。'),
  'FailedOperation.InvalidParam': BAD_PARAMETER,
  'InvalidParameter.WithDetailReason': BAD_PARAMETER,
  InvalidParameter: BAD_PARAMETER,
  InvalidParameterValue: BAD_PARAMETER,
  MissingParameter: BAD_PARAMETER,
  UnknownParameter: BAD_PARAMETER,
  InvalidAction: entry('invalid', false, 'The endpoint does not offer this API. Check the endpoint override of the account.', '接入地址不支持该接口。请检查账号的自定义接入地址。'),
  NoSuchVersion: entry('invalid', false, 'The endpoint does not offer API version 2019-12-05. Check the endpoint override.', '接入地址不支持 2019-12-05 版本接口。请检查自定义接入地址。'),
  RequestSizeLimitExceeded: entry('invalid', false, 'The request is larger than Tencent accepts (10 MB). Upload a shorter chain.', '请求超过腾讯云允许的大小（10 MB）。请精简证书链。'),
  IpInBlacklist: entry('auth', false, "This computer's IP address is blocked for the key. Check the key's IP restrictions.", '本机 IP 被禁止使用该密钥。请检查密钥的 IP 访问限制。'),
  IpNotInWhitelist: entry('auth', false, "This computer's IP address is not allowed for the key. Add it to the key's IP allow-list.", '本机 IP 不在该密钥的白名单中。请将其加入白名单。'),
  UnsupportedOperation: NOT_FOR_UPLOAD,
  UnsupportedRegion: entry('invalid', false, 'This API is not offered in the chosen region.', '所选地域不支持该接口。'),
  ResourceNotFound: entry('invalid', false, 'Tencent could not find the resource.', '腾讯云找不到该资源。'),
  InternalError: SERVER,
  ServiceUnavailable: SERVER,
  ResourceUnavailable: SERVER,
  ResourceInsufficient: SERVER,
};

/** The table entry, or a classification by the code's family for undocumented sub-codes. */
export function classifyTencentError(code: string, httpStatus: number | null): ErrorEntry {
  const known = tencentErrors[code];
  if (known) return known;
  const family = code.split('.')[0]!;
  if (family === 'RequestLimitExceeded') return THROTTLED;
  if (family === 'AuthFailure') return CHECK_KEYS;
  if (family === 'InternalError' || (httpStatus !== null && httpStatus >= 500)) return SERVER;
  return tencentErrors[family] ?? BAD_PARAMETER;
}

/** A deployment's resource that Tencent reported failed: its ErrorMsg is the message. */
export const DEPLOY_ITEM_FAILED = entry(
  'invalid',
  false,
  'Tencent could not put the new certificate on this resource; its message says why (often a domain the new certificate does not cover). Fix that and deploy again, or roll back.',
  '腾讯云无法将新证书部署到该资源，具体原因见错误信息（常见原因是新证书未覆盖某个域名）。请处理后重新部署，或执行回滚。',
);

/** A discovery task that did not finish within the client's patience. */
export const BINDINGS_PENDING_HINT: Hint = {
  en: 'Tencent is still looking up which resources use these certificates. Sync again in a few minutes.',
  'zh-CN': '腾讯云仍在查询这些证书关联的云资源。请几分钟后重新同步。',
};

/** A success answer without the id: the certificate may exist, so it is looked up, never re-sent blindly. */
export const MALFORMED_HINT: Hint = {
  en: 'Tencent answered success without a certificate id. Check the certificate list (it may have been created) before trying again, and that the endpoint is really Tencent Cloud SSL.',
  'zh-CN': '腾讯云返回成功但没有证书 ID。重试前请先查看证书列表确认是否已创建，并确认接入地址确实是腾讯云 SSL 证书服务。',
};

// Deployment problems found by Cert Vault itself (no Tencent code): user-visible, so in both languages.
export const deployHints = {
  stillPreparing: {
    en: 'Tencent is still preparing the update task after repeated requests. Check the deployment records in the SSL console; Cert Vault will read what the resources serve before doing anything else.',
    'zh-CN': '多次请求后腾讯云仍在准备更新任务。请在 SSL 证书控制台查看部署记录；Cert Vault 会先读取资源当前使用的证书，再决定下一步。',
  },
  regionUnknown: {
    en: 'A regional resource of this deployment has no region, which Tencent requires. Sync the account, then deploy again.',
    'zh-CN': '本次部署中有地域性资源缺少地域信息，而腾讯云要求提供地域。请同步账号后重新部署。',
  },
  nothingToDeploy: { en: 'The deployment lists no resource to update.', 'zh-CN': '本次部署没有需要更新的资源。' },
  modeUnsupported: {
    en: 'Tencent replaces certificates by moving resources to the new certificate id; keeping the old id is not offered.',
    'zh-CN': '腾讯云通过将资源更换为新证书 ID 来替换证书，不支持保留旧证书 ID 的原地更新。',
  },
  handleInvalid: {
    en: 'The stored deployment record id is unreadable, so the task cannot be watched. Check the deployment records in the SSL console.',
    'zh-CN': '已保存的部署记录 ID 无法读取，无法继续跟踪任务。请在 SSL 证书控制台查看部署记录。',
  },
  nothingToRollBack: {
    en: 'No resource was updated successfully, so there is nothing to roll back.',
    'zh-CN': '没有成功更新的资源，无需回滚。',
  },
  otherTask: {
    en: 'Another update task for the old certificate was already running and moves this resource to a different certificate. Wait for it to finish, then deploy again.',
    'zh-CN': '旧证书已有另一个正在执行的更新任务，它会将该资源更换为其他证书。请等待其完成后重新部署。',
  },
  notInRecord: {
    en: "Tencent's task finished without this resource (it may no longer have been bound to the old certificate). Sync the account to see what it serves.",
    'zh-CN': '腾讯云的任务已完成，但未包含该资源（它可能已不再绑定旧证书）。请同步账号查看其当前证书。',
  },
  deletePending: {
    en: 'Tencent is still checking whether the old certificate can be deleted. Look at the SSL console in a few minutes; retire again if it is still there.',
    'zh-CN': '腾讯云仍在检查旧证书能否删除。请几分钟后查看 SSL 证书控制台；如证书仍在，请重新执行停用。',
  },
  bindRegionUnknown: {
    en: "Tencent needs the region of this load balancer to bind a certificate to it, and its listing does not say. Bind it once in the SSL console (or give it any certificate there), then deploy again.",
    'zh-CN': '腾讯云为该负载均衡绑定证书需要其地域，但列表未提供地域。请先在 SSL 证书控制台为其部署一次（或先为其配置任一证书），再重新部署。',
  },
  bindOneRegionAtATime: {
    en: 'Tencent runs one deployment of a certificate per resource type at a time, and this one already binds resources of this type in another region. Deploy again once it has finished: these resources will be bound then.',
    'zh-CN': '腾讯云同一证书同一资源类型同时只能执行一个部署任务，本次已在另一地域绑定此类资源。请在其完成后重新部署，届时将绑定这些资源。',
  },
  bindNotStarted: {
    en: "Cert Vault lost Tencent's answer to the bind request, and Tencent's deployment records show no task for it: nothing was bound. Deploy again.",
    'zh-CN': 'Cert Vault 未收到腾讯云对部署请求的应答，且腾讯云的部署记录中没有对应任务：未绑定任何证书。请重新部署。',
  },
  otherBindTask: {
    en: 'Tencent was already running another deployment of this certificate to this resource type, so it started none for this resource. Wait for that task to finish (SSL console > deployment records), then deploy again.',
    'zh-CN': '腾讯云上该证书已有另一个针对此类资源的部署任务在执行，因此未为该资源创建任务。请等待该任务完成（SSL 证书控制台 > 部署记录）后重新部署。',
  },
  malformed: {
    en: 'Tencent answered success without the record or task id it must return. Check the deployment records in the SSL console before trying again, and that the endpoint really is Tencent Cloud SSL.',
    'zh-CN': '腾讯云返回成功但缺少应有的记录或任务 ID。重试前请先在 SSL 证书控制台查看部署记录，并确认接入地址确实是腾讯云 SSL 证书服务。',
  },
} as const satisfies Record<string, Hint>;
