import { z } from 'zod';
import type { AccountConfig, CallContext, CloudProvider, ListQuery, OptionField, UploadMaterial, ValidationIssue } from '../provider';
import { defaultCertificateName } from '../naming';
import { fullChainPem, isEncryptedKey } from '../material';
import { issue, refuseIfIssues, rejectSm2 } from '../preflight';
import { describeCertificates, uploadCertificate, type TencentCloudId, type UploadCertificateParams } from './client';
import { listTencentCopies, tencentBindings, tencentDetail } from './inventory';
import { createTencentDeployer } from './deploy';

// Tencent Cloud SSL certificates (China and International: one implementation, two endpoints).

export const certificateUses = ['CLB', 'CDN', 'WAF', 'LIVE', 'DDOS'] as const;

/** Every UploadCertificate parameter besides the PEMs (seed pages 000/001, SDK ssl_models). */
export const tencentOptionsSchema = z.object({
  certificateType: z.enum(['SVR', 'CA']).default('SVR'),
  alias: z.string().trim().optional(),
  projectId: z.coerce.number().int().nonnegative().optional(),
  certificateUse: z.enum(certificateUses).optional(),
  tags: z.array(z.object({ key: z.string().trim().min(1), value: z.string() })).default([]),
  // The API defaults to true; false makes an identical upload answer with RepeatCertId, which is
  // how a re-upload is recognised as "already present" instead of creating a copy.
  repeatable: z.boolean().default(false),
  // Only for a key that is itself encrypted. The vault sends decrypted keys, so it is not offered
  // in the form; a script may still pass it (`--set keyPassword=...`) with an encrypted key.
  keyPassword: z.string().min(1).optional(),
});
export type TencentOptions = z.infer<typeof tencentOptionsSchema>;

const optionFields: readonly OptionField[] = [
  {
    key: 'certificateType',
    kind: 'choice',
    choices: ['SVR', 'CA'],
    label: { en: 'Certificate type', 'zh-CN': '证书类型' },
    help: { en: 'SVR: server certificate (needs the private key). CA: a CA certificate for client authentication.', 'zh-CN': 'SVR：服务器证书（需要私钥）；CA：用于客户端认证的 CA 证书。' },
  },
  { key: 'alias', kind: 'text', label: { en: 'Alias', 'zh-CN': '备注名称' } },
  { key: 'projectId', kind: 'number', label: { en: 'Project ID', 'zh-CN': '项目 ID' }, help: { en: '0 is the default project.', 'zh-CN': '0 表示默认项目。' } },
  {
    key: 'certificateUse',
    kind: 'choice',
    choices: certificateUses,
    label: { en: 'Certificate use', 'zh-CN': '证书用途' },
    help: { en: 'The product the certificate is for (optional).', 'zh-CN': '证书用于的云产品（可选）。' },
  },
  { key: 'tags', kind: 'tags', label: { en: 'Tags', 'zh-CN': '标签' } },
  {
    key: 'repeatable',
    kind: 'boolean',
    label: { en: 'Allow duplicate upload', 'zh-CN': '允许重复上传' },
    help: {
      en: 'Off: if Tencent already has this certificate, its existing id is reported instead of creating a copy.',
      'zh-CN': '关闭时，如腾讯云已存在相同证书，将返回已有证书 ID 而不会重复创建。',
    },
  },
];

const accountFields: readonly OptionField[] = [
  {
    key: 'projectId',
    kind: 'number',
    label: { en: 'Project ID', 'zh-CN': '项目 ID' },
    help: { en: 'Default project for uploads; empty or 0 for the default project.', 'zh-CN': '上传时默认使用的项目；留空或 0 表示默认项目。' },
  },
];

function validate(material: UploadMaterial, options: TencentOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  if (options.certificateType === 'SVR' && !material.privateKeyPem) {
    issues.push(issue('privateKey', 'A server certificate (SVR) needs its private key; none was given.', '服务器证书（SVR）必须提供私钥，但未提供私钥。'));
  }
  if (options.certificateType === 'CA' && !material.leaf.isCA) {
    issues.push(issue('certificateType', 'This is not a CA certificate; upload it as a server certificate (SVR).', '该证书不是 CA 证书，请以服务器证书（SVR）类型上传。'));
  }
  issues.push(...rejectSm2(material, { en: 'Tencent UploadCertificate', 'zh-CN': '腾讯云 UploadCertificate' }));
  if (options.keyPassword && !(material.privateKeyPem && isEncryptedKey(material.privateKeyPem))) {
    issues.push(issue('keyPassword', 'The key is sent unencrypted, so a key password must not be given.', '私钥以未加密形式上传，请不要填写私钥密码。'));
  }
  return issues;
}

function defaultOptions(material: UploadMaterial, account: AccountConfig): TencentOptions {
  const projectId = Number(account.fields.projectId);
  return {
    certificateType: 'SVR',
    alias: defaultCertificateName(material.leaf, 200),
    ...(account.fields.projectId && Number.isInteger(projectId) && projectId >= 0 ? { projectId } : {}),
    tags: [],
    repeatable: false,
  };
}

export function uploadParams(material: UploadMaterial, options: TencentOptions): UploadCertificateParams {
  return {
    CertificatePublicKey: fullChainPem(material.certificatePem, material.chainPem),
    ...(options.certificateType === 'SVR' && material.privateKeyPem ? { CertificatePrivateKey: material.privateKeyPem } : {}),
    CertificateType: options.certificateType,
    ...(options.alias ? { Alias: options.alias } : {}),
    ...(options.projectId !== undefined ? { ProjectId: options.projectId } : {}),
    ...(options.certificateUse ? { CertificateUse: options.certificateUse } : {}),
    ...(options.tags.length > 0 ? { Tags: options.tags.map((tag) => ({ TagKey: tag.key, TagValue: tag.value })) } : {}),
    Repeatable: options.repeatable,
    ...(options.keyPassword ? { KeyPassword: options.keyPassword } : {}),
  };
}

function createTencentProvider(cloud: TencentCloudId): CloudProvider<TencentOptions> {
  const international = cloud === 'tencent-intl';
  return {
    id: cloud,
    displayName: international
      ? { en: 'Tencent Cloud SSL (International)', 'zh-CN': '腾讯云 SSL 证书（国际站）' }
      : { en: 'Tencent Cloud SSL (China)', 'zh-CN': '腾讯云 SSL 证书（中国站）' },
    // Both UploadCertificate pages state 10 requests per second.
    requestsPerSecond: 10,
    optionsSchema: tencentOptionsSchema,
    optionFields,
    accountFields,
    defaultOptions,
    validate,
    async upload(ctx: CallContext, material: UploadMaterial, options: TencentOptions) {
      refuseIfIssues(cloud, validate(material, options));
      return uploadCertificate(cloud, ctx, uploadParams(material, options));
    },
    list: (ctx: CallContext, query?: ListQuery) => describeCertificates(cloud, ctx, query?.search),
    listRemote: (ctx, options) => listTencentCopies(cloud, ctx, options),
    remoteDetail: (ctx, copy) => tencentDetail(cloud, ctx, copy),
    bindings: (ctx, copies, options) => tencentBindings(cloud, ctx, copies, options),
    deployer: createTencentDeployer(cloud),
  };
}

export const tencent = createTencentProvider('tencent');
export const tencentIntl = createTencentProvider('tencent-intl');
