import { z } from 'zod';
import type { AccountConfig, CallContext, CloudProvider, ListQuery, OptionField, UploadMaterial, ValidationIssue } from '../provider';
import { defaultCertificateName } from '../naming';
import { fullChainPem, isSm2 } from '../material';
import { issue, refuseIfIssues, requirePrivateKey } from '../preflight';
import { listUploadedCertificates, uploadUserCertificate } from './client';
import { aliyunBindings, aliyunDetail, listAliyunCopies } from './inventory';
import { createAliyunDeployer } from './deploy';

// Alibaba Cloud Certificate Management Service (CAS) UploadUserCertificate.

/** The page's limit: "The name can contain up to 128 characters". */
export const NAME_MAX = 128;

/** Every UploadUserCertificate parameter besides the PEMs (seed page 004; Tags from the SDK model). */
export const aliyunOptionsSchema = z.object({
  name: z.string().trim().min(1),
  resourceGroupId: z.string().trim().min(1).optional(),
  tags: z.array(z.object({ key: z.string().trim().min(1), value: z.string() })).default([]),
});
export type AliyunOptions = z.infer<typeof aliyunOptionsSchema>;

const optionFields: readonly OptionField[] = [
  {
    key: 'name',
    kind: 'text',
    label: { en: 'Certificate name', 'zh-CN': '证书名称' },
    help: { en: 'Up to 128 characters, unique within the Alibaba Cloud account.', 'zh-CN': '最多 128 个字符，在阿里云账号内必须唯一。' },
  },
  { key: 'resourceGroupId', kind: 'text', label: { en: 'Resource group ID', 'zh-CN': '资源组 ID' } },
  { key: 'tags', kind: 'tags', label: { en: 'Tags', 'zh-CN': '标签' } },
];

const accountFields: readonly OptionField[] = [
  {
    key: 'resourceGroupId',
    kind: 'text',
    label: { en: 'Resource group ID', 'zh-CN': '资源组 ID' },
    help: { en: 'Default resource group for uploads (rg-...); empty for the default group.', 'zh-CN': '上传时默认使用的资源组（rg-...）；留空表示默认资源组。' },
  },
];

function validate(material: UploadMaterial, options: AliyunOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const length = [...options.name].length;
  if (length > NAME_MAX) {
    issues.push(issue('name', `The name has ${length} characters; Alibaba Cloud allows at most ${NAME_MAX}.`, `名称有 ${length} 个字符，阿里云最多允许 ${NAME_MAX} 个。`));
  }
  issues.push(...requirePrivateKey(material, { en: 'Alibaba Cloud', 'zh-CN': '阿里云' }));
  if (isSm2(material)) {
    if (!material.sm2Sign) {
      issues.push(
        issue(
          'sm2Sign',
          'An SM2 certificate goes to Alibaba Cloud as a pair: the encryption and the signing certificate with their keys. No signing certificate was given.',
          '国密（SM2）证书需要以双证书形式上传到阿里云（加密证书、签名证书及各自私钥），但未提供签名证书。',
        ),
      );
    } else if (!material.sm2Sign.privateKeyPem) {
      issues.push(issue('sm2Sign', 'The SM2 signing certificate has no private key.', '国密签名证书缺少私钥。'));
    }
  }
  return issues;
}

function defaultOptions(material: UploadMaterial, account: AccountConfig): AliyunOptions {
  const resourceGroupId = account.fields.resourceGroupId;
  return { name: defaultCertificateName(material.leaf, NAME_MAX), ...(resourceGroupId ? { resourceGroupId } : {}), tags: [] };
}

/** The API's parameters: Cert/Key, or the SM2 encrypt and sign pairs; the chain follows each certificate. */
export function uploadParams(material: UploadMaterial, options: AliyunOptions): Record<string, string> {
  const params: Record<string, string> = { Name: options.name };
  if (isSm2(material) && material.sm2Sign) {
    params.EncryptCert = fullChainPem(material.certificatePem, material.chainPem);
    if (material.privateKeyPem) params.EncryptPrivateKey = material.privateKeyPem;
    params.SignCert = fullChainPem(material.sm2Sign.certificatePem, material.chainPem);
    if (material.sm2Sign.privateKeyPem) params.SignPrivateKey = material.sm2Sign.privateKeyPem;
  } else {
    params.Cert = fullChainPem(material.certificatePem, material.chainPem);
    if (material.privateKeyPem) params.Key = material.privateKeyPem;
  }
  if (options.resourceGroupId) params.ResourceGroupId = options.resourceGroupId;
  options.tags.forEach((tag, index) => {
    // The SDK flattens the Tags array as Tags.1.Key / Tags.1.Value (1-based).
    params[`Tags.${index + 1}.Key`] = tag.key;
    params[`Tags.${index + 1}.Value`] = tag.value;
  });
  return params;
}

export const aliyun: CloudProvider<AliyunOptions> = {
  id: 'aliyun',
  displayName: { en: 'Alibaba Cloud Certificate Management Service', 'zh-CN': '阿里云数字证书管理服务' },
  // The UploadUserCertificate page: up to 100 calls per second per account.
  requestsPerSecond: 100,
  optionsSchema: aliyunOptionsSchema,
  optionFields,
  accountFields,
  defaultOptions,
  validate,
  async upload(ctx: CallContext, material: UploadMaterial, options: AliyunOptions) {
    refuseIfIssues('aliyun', validate(material, options));
    return uploadUserCertificate(ctx, uploadParams(material, options));
  },
  list: (ctx: CallContext, query?: ListQuery) => listUploadedCertificates(ctx, query?.search, ctx.account),
  listRemote: listAliyunCopies,
  remoteDetail: aliyunDetail,
  bindings: aliyunBindings,
  deployer: createAliyunDeployer(),
};
