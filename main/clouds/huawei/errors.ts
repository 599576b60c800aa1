import { entry, type ErrorEntry, type ErrorTable, type Hint } from '../cloud-error';

// Huawei APIG error codes (CreateCertificateV2 page, the APIG error-code table as quoted in
// REFERENCE.md 5.3 and 7); anything else (including IAM's answers to the project lookup) is
// classified by HTTP status. Auth failures are never
// retryable: after more than 5 consecutive AK/SK failures the AK/SK is locked for 5 minutes, so a
// retry loop turns a typo into a lockout.

const LOCKOUT_EN = 'After 5 failed attempts in a row Huawei locks the AK/SK for 5 minutes, so fix this before trying again.';
const LOCKOUT_ZH = '连续失败超过 5 次后，华为云会将该 AK/SK 锁定 5 分钟，请先修正再重试。';

const AUTH_SIGNATURE = entry(
  'auth',
  false,
  `Huawei Cloud rejected the AK/SK signature or token. Check the access key and secret key (or the IAM token), and that this computer's clock is within 15 minutes of the real time. ${LOCKOUT_EN}`,
  `华为云拒绝了 AK/SK 签名或 Token。请检查访问密钥 AK/SK（或 IAM Token），并确认本机时间与标准时间相差不超过 15 分钟。${LOCKOUT_ZH}`,
);

const THROTTLED = entry(
  'throttled',
  true,
  'Huawei Cloud API Gateway is throttling requests. The upload will be retried after a pause.',
  '华为云 API 网关触发了流控，稍后将自动重试。',
);

const INVALID_PARAMETER = entry(
  'invalid',
  false,
  'Huawei Cloud refused a parameter: check the certificate name (4-50 letters, digits, underscores or Chinese characters, starting with a letter or Chinese character), that the certificate and private key match, and the SM2 signing pair.',
  '华为云拒绝了某个参数：请检查证书名称（4~50 个字母、数字、下划线或汉字，以字母或汉字开头）、证书与私钥是否匹配，以及 SM2 签名证书/私钥。',
);

const SERVER = entry(
  'server',
  true,
  'Huawei Cloud had an internal error. Try again later; if it persists, contact Huawei Cloud support with the request id.',
  '华为云内部错误。请稍后重试；如果持续出现，请携带请求 ID 联系华为云技术支持。',
);

export const huaweiErrors: ErrorTable = {
  'APIG.0301': AUTH_SIGNATURE,
  'APIG.0303': entry(
    'auth',
    false,
    "The request signature expired: this computer's clock differs from Huawei Cloud's by more than 15 minutes. Correct the system time and try again.",
    '请求签名已过期：本机时间与华为云时间相差超过 15 分钟。请校准系统时间后重试。',
  ),
  'APIG.0308': THROTTLED,
  'APIG.1002': entry(
    'auth',
    false,
    'The IAM token is wrong, expired or cannot be parsed. Obtain a new token (POST /v3/auth/tokens, X-Subject-Token) or use an AK/SK instead.',
    'IAM Token 错误、已过期或无法解析。请重新获取 Token（POST /v3/auth/tokens 响应头 X-Subject-Token），或改用 AK/SK。',
  ),
  'APIG.1005': entry(
    'auth',
    false,
    'This IAM user may not create API Gateway certificates. Grant it apig:certificate:create (and apig:instance:get), e.g. through the APIG FullAccess policy.',
    '该 IAM 用户没有创建 API 网关证书的权限。请为其授予 apig:certificate:create（以及 apig:instance:get）权限，例如 APIG FullAccess 策略。',
  ),
  // Detaching a domain that is no longer bound (DEPLOY.md §3.5, terraform): the deployer treats it as already done.
  'APIG.2000': entry(
    'invalid',
    false,
    'Huawei Cloud found no valid domain name in the request: the domain is not bound to this certificate, or no longer exists on the gateway. Refresh the inventory and check the domain in the API group.',
    '华为云在请求中未找到有效域名：该域名未绑定此证书，或已不在网关上。请刷新资源清单，并在 API 分组中检查该域名。',
  ),
  'APIG.2001': INVALID_PARAMETER,
  'APIG.2012': INVALID_PARAMETER,
  'APIG.3030': entry(
    'invalid',
    false,
    'The API Gateway instance does not exist in this project and region. Check the instance id (use type "global" with instance "common" for a shared certificate).',
    '该项目和区域下不存在此 API 网关实例。请检查实例 ID（全局证书请使用 type=global、实例 common）。',
  ),
  // The seed page's 400 example; its text belongs to another API, so this is only "a name clash" (REFERENCE 7).
  'APIG.3325': entry(
    'conflict',
    false,
    'Huawei Cloud reports that the name is already taken. Choose another certificate name and upload again.',
    '华为云提示名称已存在。请换一个证书名称后重新上传。',
  ),
  'APIG.9999': SERVER,
};

/** Huawei answers the same condition as `APIG.x` or `APIGW.x` depending on the gateway; one table serves both. */
function normalize(code: string): string {
  return code.replace(/^APIGW\./, 'APIG.');
}

const NOT_FOUND = entry(
  'invalid',
  false,
  'Huawei Cloud did not find the API, project or instance. Check the region, the project id and the endpoint in the account settings.',
  '华为云未找到对应的接口、项目或实例。请检查账号设置中的区域、项目 ID 和接入地址。',
);

function byStatus(status: number | null): ErrorEntry {
  if (status === 429) return THROTTLED;
  if (status === 401) return AUTH_SIGNATURE;
  if (status === 403) return huaweiErrors['APIG.1005']!;
  if (status === 404) return NOT_FOUND;
  if (status === 409) return huaweiErrors['APIG.3325']!;
  if (status !== null && status >= 500) return SERVER;
  return INVALID_PARAMETER;
}

/** Documented codes first; an undocumented code is classified by its HTTP status. */
export function classifyHuaweiError(code: string, httpStatus: number | null): ErrorEntry {
  return huaweiErrors[normalize(code)] ?? byStatus(httpStatus);
}

/** Codes whose own hint holds for a bind, detach, update or delete too (the others speak of uploads). */
const DEPLOY_HINTED = new Set(['APIG.0301', 'APIG.0303', 'APIG.0308', 'APIG.1002', 'APIG.2000', 'APIG.3030', 'APIG.9999']);

export function isKnownHuaweiCode(code: string): boolean {
  return DEPLOY_HINTED.has(normalize(code));
}

/**
 * For a bind, detach, update or delete refused with a code no source documents (DEPLOY.md §3.9:
 * not-found, in-use and domain-mismatch codes are unconfirmed): the status-based hint speaks of uploads.
 */
export const DEPLOY_REFUSED_HINT: Hint = {
  en: "Huawei Cloud refused to change this domain's certificate (the message says why). Check that the new certificate covers the domain, that the domain and its API group still exist on the gateway, and that the IAM user has the apig:certificate permissions.",
  'zh-CN': '华为云拒绝修改该域名的证书（原因见错误信息）。请检查新证书是否覆盖该域名、域名及其 API 分组是否仍在网关上，以及 IAM 用户是否具有 apig:certificate 相关权限。',
};

/** A success answer without its fields (malformedAnswer): the certificate may exist, so look before retrying. */
export const MALFORMED_HINT: Hint = {
  en: 'Huawei Cloud answered without the expected fields. Check whether the certificate was created (list certificates) before trying again, and that the endpoint is really Huawei APIG.',
  'zh-CN': '华为云的响应缺少预期字段。重试前请先查询证书列表确认是否已创建，并确认接入地址确实是华为云 API 网关。',
};
