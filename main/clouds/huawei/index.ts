import { z } from 'zod';
import type { AccountConfig, CallContext, CloudProvider, ListQuery, OptionField, UploadMaterial, ValidationIssue } from '../provider';
import type { KeyAlgorithm } from '../../../shared/model';
import { fullChainPem } from '../material';
import { issue, refuseIfIssues, requirePrivateKey } from '../preflight';
import { nameParts } from '../naming';
import { createCertificate, GLOBAL_INSTANCE, listCertificates, PROJECT_ID_PATTERN, type CertificateForm } from './client';
import { huaweiDeployer } from './deploy';
import { huaweiBindings, huaweiDetail, listHuaweiCopies } from './inventory';

// Huawei Cloud API Gateway (APIG) SSL certificates: CreateCertificateV2 / ListCertificatesV2.
//
// Credentials: an AK/SK (accessKeyId/accessKeySecret), with `securityToken` for a temporary AK/SK;
// or an IAM token alone: leave AK and SK empty and put the token in `securityToken`
// (see `huaweiAuth` in client.ts). Account fields: `projectId` (looked up from the region through
// IAM when empty) and `instanceId` (a dedicated gateway; empty means global certificates).

export const algorithmTypes = ['RSA', 'ECC', 'SM2'] as const;
export type AlgorithmType = (typeof algorithmTypes)[number];

/** cert_content_sign / private_key_sign: "最大长度:8092". */
export const SM2_SIGN_MAX_LENGTH = 8092;
export { GLOBAL_INSTANCE };

/** Every CreateCertificateV2 parameter besides the PEMs (seed 002, SDK CertificateForm). */
export const huaweiOptionsSchema = z.object({
  name: z.string().trim(),
  type: z.enum(['global', 'instance']).default('global'),
  instanceId: z.string().trim().default(GLOBAL_INSTANCE),
  algorithmType: z.enum(algorithmTypes).default('RSA'),
  // `is_has_trusted_root_ca` is not a request field: the answer sets it when this is given.
  trustedRootCa: z.string().trim().optional(),
});
export type HuaweiOptions = z.infer<typeof huaweiOptionsSchema>;

const optionFields: readonly OptionField[] = [
  {
    key: 'name',
    kind: 'text',
    label: { en: 'Certificate name', 'zh-CN': '证书名称' },
    help: {
      en: '4-50 letters, digits, underscores or Chinese characters, starting with a letter or Chinese character (no hyphens or dots).',
      'zh-CN': '4~50 个字符，支持中文、英文字母、数字和下划线，且只能以英文字母或汉字开头（不能包含连字符或点）。',
    },
  },
  {
    key: 'type',
    kind: 'choice',
    choices: ['global', 'instance'],
    label: { en: 'Certificate type', 'zh-CN': '证书类型' },
    help: { en: 'global: usable by every gateway of the project. instance: only by one dedicated gateway.', 'zh-CN': 'global：项目下所有网关可用；instance：仅某个专享网关实例可用。' },
  },
  {
    key: 'instanceId',
    kind: 'text',
    label: { en: 'Gateway instance ID', 'zh-CN': '网关实例 ID' },
    help: { en: 'Required for type "instance"; "common" for global certificates.', 'zh-CN': '证书类型为 instance 时必填；全局证书为 common。' },
  },
  {
    key: 'algorithmType',
    kind: 'choice',
    choices: algorithmTypes,
    label: { en: 'Algorithm', 'zh-CN': '证书算法' },
    help: { en: 'Follows the key; SM2 also sends the signing certificate and key.', 'zh-CN': '与私钥算法一致；SM2 还会上传签名证书和签名私钥。' },
  },
  {
    key: 'trustedRootCa',
    kind: 'multiline',
    label: { en: 'Trusted root CA (PEM)', 'zh-CN': '信任的根证书 CA（PEM）' },
    help: { en: 'Optional: the CA that client certificates must chain to (mutual TLS).', 'zh-CN': '可选：客户端证书须链接到的根 CA（双向认证）。' },
  },
];

const accountFields: readonly OptionField[] = [
  {
    key: 'projectId',
    kind: 'text',
    label: { en: 'Project ID', 'zh-CN': '项目 ID' },
    help: {
      en: 'My Credentials > API Credentials > Projects. Empty: looked up from the region (needs permission to list IAM projects).',
      'zh-CN': '我的凭证 > API 凭证 > 项目列表。留空则按区域自动查询（需要查询 IAM 项目列表的权限）。',
    },
  },
  {
    key: 'instanceId',
    kind: 'text',
    label: { en: 'Gateway instance ID', 'zh-CN': '网关实例 ID' },
    help: { en: 'A dedicated gateway to upload to by default. Empty: global certificates.', 'zh-CN': '默认上传到的专享网关实例。留空则上传为全局证书。' },
  },
];

const HAN = /\p{Script=Han}/u;
const NAME_CHAR = /[A-Za-z0-9_]|\p{Script=Han}/u;
const INSTANCE_ID = /^[A-Za-z0-9-]{1,64}$/;
const REGION = /^[a-z]{2}(-[a-z0-9]+)+$/;

/** The name rule of seed 002: 4-50 characters, letters/digits/underscore/CJK, first a letter or CJK. */
export function nameIssues(name: string): ValidationIssue[] {
  const chars = [...name];
  const issues: ValidationIssue[] = [];
  if (chars.length < 4 || chars.length > 50) {
    issues.push(issue('name', `The name must be 4-50 characters long; it has ${chars.length}.`, `证书名称长度须为 4~50 个字符，当前为 ${chars.length} 个。`));
  }
  const first = chars[0];
  if (first !== undefined && !/[A-Za-z]/.test(first) && !HAN.test(first)) {
    issues.push(issue('name', `The name must start with a letter or a Chinese character, not "${first}".`, `证书名称须以英文字母或汉字开头，不能以"${first}"开头。`));
  }
  const bad = [...new Set(chars.filter((c) => !NAME_CHAR.test(c)))];
  if (bad.length > 0) {
    const shown = bad.map((c) => (c === ' ' ? 'space' : `"${c}"`)).join(', ');
    issues.push(
      issue(
        'name',
        `The name may contain only letters, digits, underscores and Chinese characters; replace ${shown} (e.g. with "_").`,
        `证书名称只能包含英文字母、数字、下划线和汉字；请替换 ${shown}（例如改为"_"）。`,
      ),
    );
  }
  return issues;
}

/** Which algorithm_type a key algorithm uploads as; null when APIG takes none. */
export function algorithmTypeOf(keyAlgorithm: KeyAlgorithm): AlgorithmType | null {
  if (keyAlgorithm === 'RSA') return 'RSA';
  if (keyAlgorithm === 'EC') return 'ECC';
  if (keyAlgorithm === 'SM2') return 'SM2';
  return null;
}

function validate(material: UploadMaterial, options: HuaweiOptions, account: AccountConfig): ValidationIssue[] {
  const issues = nameIssues(options.name);
  issues.push(...requirePrivateKey(material, { en: 'Huawei API Gateway', 'zh-CN': '华为云 API 网关' }));
  if (options.type === 'instance' && (options.instanceId === '' || options.instanceId === GLOBAL_INSTANCE)) {
    issues.push(issue('instanceId', 'A certificate of type "instance" needs the ID of the dedicated gateway instance.', '证书类型为 instance 时必须填写专享网关实例 ID。'));
  } else if (options.type === 'global' && options.instanceId !== '' && options.instanceId !== GLOBAL_INSTANCE) {
    issues.push(issue('instanceId', `A global certificate belongs to instance "common", not "${options.instanceId}"; choose type "instance" for a dedicated gateway.`, `全局证书的实例为 common，而不是"${options.instanceId}"；如需上传到专享网关，请选择 instance 类型。`));
  } else if (options.instanceId !== '' && !INSTANCE_ID.test(options.instanceId)) {
    issues.push(issue('instanceId', 'The instance ID may contain only letters, digits and hyphens.', '实例 ID 只能包含字母、数字和连字符。'));
  }
  const keyType = algorithmTypeOf(material.leaf.keyAlgorithm);
  if (keyType === null) {
    issues.push(issue('algorithm', `Huawei API Gateway accepts RSA, ECC and SM2 certificates, not ${material.leaf.keyAlgorithm}.`, `华为云 API 网关只接受 RSA、ECC 和 SM2 证书，不接受 ${material.leaf.keyAlgorithm}。`));
  } else if (keyType !== options.algorithmType) {
    issues.push(issue('algorithmType', `The certificate's key is ${keyType}, but the algorithm is set to ${options.algorithmType}.`, `证书密钥算法为 ${keyType}，但所选算法为 ${options.algorithmType}。`));
  }
  if (options.algorithmType === 'SM2') {
    const sign = material.sm2Sign;
    if (!sign || !sign.privateKeyPem) {
      issues.push(issue('sm2Sign', 'SM2 needs the signing certificate and its private key beside the encryption pair.', 'SM2 证书需要同时提供签名证书及其私钥（以及加密证书和私钥）。'));
    } else {
      if (sign.certificatePem.length > SM2_SIGN_MAX_LENGTH) {
        issues.push(issue('sm2Sign', `The SM2 signing certificate is ${sign.certificatePem.length} characters; Huawei accepts at most ${SM2_SIGN_MAX_LENGTH}.`, `SM2 签名证书长度为 ${sign.certificatePem.length} 个字符，华为云最多接受 ${SM2_SIGN_MAX_LENGTH} 个。`));
      }
      if (sign.privateKeyPem.length > SM2_SIGN_MAX_LENGTH) {
        issues.push(issue('sm2Sign', `The SM2 signing key is ${sign.privateKeyPem.length} characters; Huawei accepts at most ${SM2_SIGN_MAX_LENGTH}.`, `SM2 签名私钥长度为 ${sign.privateKeyPem.length} 个字符，华为云最多接受 ${SM2_SIGN_MAX_LENGTH} 个。`));
      }
    }
  }
  if (options.trustedRootCa && !options.trustedRootCa.includes('-----BEGIN CERTIFICATE-----')) {
    issues.push(issue('trustedRootCa', 'The trusted root CA must be a PEM certificate (-----BEGIN CERTIFICATE-----).', '信任的根证书 CA 必须是 PEM 格式证书（-----BEGIN CERTIFICATE-----）。'));
  }
  const hasEndpoint = account.endpoint !== null && account.endpoint.trim() !== '';
  const region = account.region?.trim() ?? '';
  if (!hasEndpoint && region === '') {
    issues.push(issue('region', 'The account needs a region (e.g. cn-north-4) to reach Huawei Cloud.', '账号需要设置区域（例如 cn-north-4）才能访问华为云。'));
  } else if (region !== '' && !REGION.test(region)) {
    issues.push(issue('region', `"${region}" is not a Huawei Cloud region id (e.g. cn-north-4).`, `"${region}"不是华为云区域 ID（例如 cn-north-4）。`));
  }
  const projectId = account.fields.projectId?.trim() ?? '';
  if (projectId !== '' && !PROJECT_ID_PATTERN.test(projectId)) {
    issues.push(issue('projectId', 'The project ID may contain only letters, digits, "_" and "-" (usually 32 hex digits).', '项目 ID 只能包含字母、数字、"_"和"-"（通常为 32 位十六进制）。'));
  } else if (projectId === '' && region === '') {
    issues.push(issue('projectId', 'Without a region the project ID cannot be looked up; enter it in the account settings.', '未设置区域时无法自动查询项目 ID，请在账号设置中填写。'));
  }
  return issues;
}

/** `www_example_com_20250131_1a2b3c4d`: CN and expiry with everything APIG refuses turned into '_'. */
export function defaultHuaweiName(material: UploadMaterial): string {
  const { subject, expiry, shortFingerprint } = nameParts(material.leaf);
  const suffix = `_${expiry}_${shortFingerprint}`;
  let stem = [...subject]
    .map((c) => (NAME_CHAR.test(c) ? c : '_'))
    .join('')
    .replace(/_+/g, '_')
    .replace(/^[^A-Za-z\p{Script=Han}]+/u, '');
  if (stem === '') stem = 'cert';
  return `${[...stem].slice(0, 50 - suffix.length).join('').replace(/_+$/, '')}${suffix}`;
}

function defaultOptions(material: UploadMaterial, account: AccountConfig): HuaweiOptions {
  const instanceId = account.fields.instanceId?.trim() ?? '';
  const dedicated = instanceId !== '' && instanceId !== GLOBAL_INSTANCE;
  return {
    name: defaultHuaweiName(material),
    type: dedicated ? 'instance' : 'global',
    instanceId: dedicated ? instanceId : GLOBAL_INSTANCE,
    algorithmType: algorithmTypeOf(material.leaf.keyAlgorithm) ?? 'RSA',
  };
}

export function certificateForm(material: UploadMaterial, options: HuaweiOptions): CertificateForm {
  const sign = options.algorithmType === 'SM2' ? material.sm2Sign : null;
  return {
    name: options.name,
    cert_content: fullChainPem(material.certificatePem, material.chainPem),
    private_key: material.privateKeyPem ?? '',
    type: options.type,
    instance_id: options.type === 'global' ? GLOBAL_INSTANCE : options.instanceId,
    ...(options.trustedRootCa ? { trusted_root_ca: options.trustedRootCa } : {}),
    algorithm_type: options.algorithmType,
    ...(sign ? { cert_content_sign: sign.certificatePem, private_key_sign: sign.privateKeyPem ?? '' } : {}),
  };
}

export const huawei: CloudProvider<HuaweiOptions> = {
  id: 'huawei',
  displayName: { en: 'Huawei Cloud API Gateway', 'zh-CN': '华为云 API 网关' },
  // CreateCertificateV2 documents no rate; APIG's management APIs are throttled per tenant, so stay modest.
  requestsPerSecond: 5,
  optionsSchema: huaweiOptionsSchema,
  optionFields,
  accountFields,
  defaultOptions,
  validate,
  async upload(ctx: CallContext, material: UploadMaterial, options: HuaweiOptions) {
    refuseIfIssues('huawei', validate(material, options, ctx.account));
    return createCertificate(ctx, certificateForm(material, options));
  },
  list: (ctx: CallContext, query?: ListQuery) => {
    const instanceId = ctx.account.fields.instanceId?.trim() || GLOBAL_INSTANCE;
    return listCertificates(ctx, instanceId, query?.search);
  },
  listRemote: listHuaweiCopies,
  remoteDetail: huaweiDetail,
  bindings: huaweiBindings,
  deployer: huaweiDeployer,
};
