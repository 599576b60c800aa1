import { entry, type ErrorEntry, type ErrorTable, type Hint } from '../cloud-error';

// Volcengine error codes: the OpenAPI gateway's common codes (REFERENCE.md 4.3), the CreateCert
// page's own codes, and the throttling codes seen in the wild (FlowLimitExceeded,
// AccountFlowLimitExceeded, RequestThrottled: not confirmed by an official table, but any of them,
// like HTTP 429, means "slow down", sometimes even with HTTP 200).

const THROTTLED = entry(
  'throttled',
  true,
  'Volcengine is throttling requests (CreateCert allows 10 per second per account). The upload will be retried after a pause.',
  '火山引擎触发了流控（CreateCert 每个账号每秒最多 10 次），稍后将自动重试。',
);

const BAD_CREDENTIALS = entry(
  'auth',
  false,
  'Volcengine rejected the access key or the signature. Check the Access Key ID and Secret Access Key (use the secret exactly as shown, do not decode it) and the temporary security token if you use one.',
  '火山引擎拒绝了访问密钥或签名。请检查 Access Key ID 和 Secret Access Key（按控制台显示原样填写，不要解码），以及使用的临时安全令牌。',
);

const NO_PERMISSION = entry(
  'auth',
  false,
  'This Volcengine user may not call Live CreateCert. Grant it a Live policy (e.g. LiveFullAccess) in Identity and Access Management.',
  '该火山引擎用户无权调用视频直播 CreateCert。请在访问控制中为其授予直播权限（例如 LiveFullAccess）。',
);

const BAD_REQUEST = entry(
  'invalid',
  false,
  'Volcengine refused a parameter. Check that the certificate and private key match, that the key is not password-protected, and the chain id if you replace a certificate.',
  '火山引擎拒绝了某个参数。请检查证书与私钥是否匹配、私钥是否未设置密码，以及替换证书时填写的证书链 ID。',
);

const WRONG_ENDPOINT = entry(
  'invalid',
  false,
  'The endpoint does not serve Volcengine Live 2023-01-01. Check the endpoint override in the account settings (the public one is https://live.volcengineapi.com).',
  '该接入地址不提供视频直播 2023-01-01 接口。请检查账号设置中的自定义接入地址（公共地址为 https://live.volcengineapi.com）。',
);

const SERVER = entry(
  'server',
  true,
  'Volcengine had an internal error. Try again later; if it persists, contact Volcengine support with the request id.',
  '火山引擎内部错误。请稍后重试；如果持续出现，请携带请求 ID 联系火山引擎技术支持。',
);

export const volcengineErrors: ErrorTable = {
  // Gateway (common) codes.
  MissingParameter: BAD_REQUEST,
  MissingAuthenticationToken: BAD_CREDENTIALS,
  MissingRequestInfo: BAD_REQUEST,
  MissingSignature: BAD_CREDENTIALS,
  InvalidTimestamp: entry(
    'auth',
    false,
    "The request signature expired: this computer's clock is too far from Volcengine's. Correct the system time and try again.",
    '请求签名已过期：本机时间与火山引擎时间相差过大。请校准系统时间后重试。',
  ),
  ServiceNotFound: WRONG_ENDPOINT,
  InvalidActionOrVersion: WRONG_ENDPOINT,
  InvalidAccessKey: BAD_CREDENTIALS,
  SignatureDoesNotMatch: BAD_CREDENTIALS,
  LackPolicy: NO_PERMISSION,
  AccessDenied: NO_PERMISSION,
  FlowLimitExceeded: THROTTLED,
  AccountFlowLimitExceeded: THROTTLED,
  RequestThrottled: THROTTLED,
  // CreateCert's own codes.
  CommonErr: entry(
    'server',
    true,
    'Volcengine returned an unclassified error. It is worth retrying; if it persists, contact Volcengine support with the request id.',
    '火山引擎返回了未分类错误，建议重试；如果持续出现，请携带请求 ID 联系火山引擎技术支持。',
  ),
  InvalidParam: BAD_REQUEST,
  'InvalidParam.BindError': entry(
    'invalid',
    false,
    'Volcengine could not read a request parameter (wrong type). Check the certificate name, project name and chain id.',
    '火山引擎无法解析请求参数（类型错误）。请检查证书名称、项目名称和证书链 ID。',
  ),
  // Seen on other 2023-01-01 pages (DEPLOY.md §4.8): a malformed value.
  'InvalidParam.Format': entry(
    'invalid',
    false,
    'Volcengine could not read a parameter value (wrong format). Check the domain, the chain id and the certificate text.',
    '火山引擎无法解析某个参数值（格式错误）。请检查域名、证书链 ID 和证书内容。',
  ),
  'InvalidParam.OutOfRange': entry(
    'invalid',
    false,
    'A parameter is outside its allowed values (the certificate use must be "https"). The message names the parameter.',
    '参数超出允许范围（证书用途只能为 https）。错误信息中给出了具体参数。',
  ),
  RequestForbidden: entry(
    'invalid',
    false,
    'The account has no such resource: the certificate chain id (or domain) does not belong to this account or project.',
    '当前账号下没有请求的资源：证书链 ID（或域名）不属于该账号或项目。',
  ),
  'RequestForbidden.AccountIDNotAllow': entry(
    'auth',
    false,
    'This account may not access the requested resource. Check the account, the project name and the chain id.',
    '该账号无权访问请求的资源。请检查账号、项目名称和证书链 ID。',
  ),
  'RequestForbidden.BillingStatus': entry(
    'auth',
    false,
    'Volcengine Live is not activated for this account, or the account is in arrears. Activate the service or top up the account.',
    '该账号未开通视频直播服务或已欠费。请开通服务或充值。',
  ),
  // For CreateCert the only resource named is the ChainID; repeating the call will not make it appear.
  ResourceNotFound: entry(
    'invalid',
    false,
    'Volcengine did not find the certificate chain to replace. Check the chain id (ListCertV2 shows them), or leave it empty to add a new certificate.',
    '火山引擎未找到要替换的证书链。请检查证书链 ID（可用 ListCertV2 查询），或留空以新增证书。',
  ),
  InternalError: SERVER,
  'InternalError.DB': SERVER,
  InternalServiceError: SERVER,
  'InternalServiceError.BadResponse': SERVER,
  InternalServiceTimeout: SERVER,
};

function byStatus(status: number | null): ErrorEntry {
  if (status === 429) return THROTTLED;
  if (status === 401) return BAD_CREDENTIALS;
  if (status === 403) return NO_PERMISSION;
  if (status === 404) return WRONG_ENDPOINT;
  if (status !== null && status >= 500) return SERVER;
  return BAD_REQUEST;
}

/**
 * Documented codes first, then the family of a dotted code (`InvalidParam.Whatever` is an
 * `InvalidParam`), then the HTTP status. HTTP 429 wins over everything: it always means throttled.
 */
export function classifyVolcengineError(code: string, httpStatus: number | null): ErrorEntry {
  if (httpStatus === 429) return THROTTLED;
  const family = code.split('.')[0] ?? code;
  return volcengineErrors[code] ?? volcengineErrors[family] ?? byStatus(httpStatus);
}

/**
 * Whether a code's own hint holds for a bind, update or delete too: credentials, throttling and
 * server trouble. Refusals of a parameter speak of uploads, so the deployer says more.
 */
export function isKnownVolcengineCode(code: string): boolean {
  const known = volcengineErrors[code];
  return known !== undefined && known !== NO_PERMISSION && known.kind !== 'invalid';
}

/**
 * BindCert, CreateCert-in-place and DeleteCert refused with a code no source documents for them
 * (DEPLOY.md §4.8: mismatch, expired and not-found codes are unconfirmed).
 */
export const DEPLOY_REFUSED_HINT: Hint = {
  en: "Volcengine refused to change this domain's certificate (the message says why). Check that the certificate covers the domain and has not expired, that the domain and the chain belong to this account, and that the user has Live permissions (e.g. LiveFullAccess).",
  'zh-CN': '火山引擎拒绝修改该域名的证书（原因见错误信息）。请检查证书是否覆盖该域名且未过期、域名和证书链是否属于该账号，以及用户是否具有视频直播权限（例如 LiveFullAccess）。',
};

/** A success answer without its fields (malformedAnswer): the certificate may exist, so look before retrying. */
export const MALFORMED_HINT: Hint = {
  en: 'Volcengine answered without the expected fields. Check the certificate list before trying again, and that the endpoint really is Volcengine Live.',
  'zh-CN': '火山引擎的响应缺少预期字段。重试前请先查看证书列表，并确认接入地址确实是火山引擎视频直播。',
};
