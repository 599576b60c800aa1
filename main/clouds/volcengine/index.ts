import { z } from 'zod';
import type { AccountConfig, CallContext, CloudProvider, ListQuery, OptionField, UploadMaterial, ValidationIssue } from '../provider';
import { fullChainPem, isEncryptedKey } from '../material';
import { issue, refuseIfIssues, rejectSm2, requirePrivateKey } from '../preflight';
import { defaultCertificateName } from '../naming';
import { createCert, listCerts, type CreateCertBody } from './client';
import { volcengineDeployer } from './deploy';
import { listVolcengineCopies, volcengineBindings, volcengineDetail } from './inventory';

// Volcengine Live certificates: CreateCert 2023-01-01 (add, or replace the certificate of an
// existing chain through ChainID) and ListCertV2.
//
// The key pair goes in `Rsa.Pubkey` / `Rsa.Prikey`. The CreateCert page's example writes
// `PubKey`/`PriKey`, but its parameter table and the official SDK models (volc-sdk-golang
// service/live/v20230101 `CreateCertBodyRsa`, json tags "Pubkey"/"Prikey") use the lower-case k,
// and so did the SDK capture the emulator replays (REFERENCE.md §4.4); the table is the contract.

/** Every CreateCert parameter besides the PEMs (seed 003). */
export const volcengineOptionsSchema = z.object({
  certName: z.string().trim().optional(),
  projectName: z.string().trim().default('default'),
  /** Replace the certificate of this existing chain instead of adding a new one. */
  chainId: z.string().trim().optional(),
  /** The only documented use. */
  useWay: z.literal('https').default('https'),
});
export type VolcengineOptions = z.infer<typeof volcengineOptionsSchema>;

const optionFields: readonly OptionField[] = [
  { key: 'certName', kind: 'text', label: { en: 'Certificate name', 'zh-CN': '证书名称' } },
  {
    key: 'projectName',
    kind: 'text',
    label: { en: 'Project', 'zh-CN': '项目名称' },
    help: { en: '"default" unless the account uses IAM projects.', 'zh-CN': '默认为 default；可在访问控制中查看项目名称。' },
  },
  {
    key: 'chainId',
    kind: 'text',
    label: { en: 'Replace chain ID', 'zh-CN': '替换的证书链 ID' },
    help: {
      en: 'Optional: the ChainID of an uploaded certificate to replace (domains bound to it switch to the new one). Empty: add a new certificate.',
      'zh-CN': '可选：填写已上传证书的证书链 ID 以替换该证书（绑定的域名随之切换）。留空则新增证书。',
    },
  },
  { key: 'useWay', kind: 'choice', choices: ['https'], label: { en: 'Use', 'zh-CN': '证书用途' } },
];

const accountFields: readonly OptionField[] = [
  {
    key: 'projectName',
    kind: 'text',
    label: { en: 'Project', 'zh-CN': '项目名称' },
    help: { en: 'Default project for uploads and listings; empty means "default".', 'zh-CN': '上传和查询时默认使用的项目；留空表示 default。' },
  },
];

function validate(material: UploadMaterial, options: VolcengineOptions): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  issues.push(...requirePrivateKey(material, { en: 'Volcengine Live', 'zh-CN': '火山引擎视频直播' }));
  if (material.privateKeyPem && isEncryptedKey(material.privateKeyPem)) {
    issues.push(issue('privateKey', 'Volcengine does not accept a password-protected private key; export the key without a password.', '火山引擎不接受设置了密码的私钥；请导出不带密码的私钥。'));
  }
  issues.push(...rejectSm2(material, { en: 'Volcengine Live CreateCert', 'zh-CN': '火山引擎视频直播 CreateCert' }));
  if (options.chainId !== undefined && options.chainId !== '' && /\s/.test(options.chainId)) {
    issues.push(issue('chainId', 'The chain ID must not contain spaces; copy it from the certificate list.', '证书链 ID 不能包含空格；请从证书列表中复制。'));
  }
  if (options.projectName === '') {
    issues.push(issue('projectName', 'The project name must not be empty; use "default" for the default project.', '项目名称不能为空；默认项目请填写 default。'));
  }
  return issues;
}

function defaultOptions(material: UploadMaterial, account: AccountConfig): VolcengineOptions {
  return {
    certName: defaultCertificateName(material.leaf, 128),
    projectName: account.fields.projectName?.trim() || 'default',
    useWay: 'https',
  };
}

export function createCertBody(material: UploadMaterial, options: VolcengineOptions): CreateCertBody {
  return {
    ...(options.certName ? { CertName: options.certName } : {}),
    ProjectName: options.projectName,
    ...(options.chainId ? { ChainID: options.chainId } : {}),
    UseWay: options.useWay,
    Rsa: { Pubkey: fullChainPem(material.certificatePem, material.chainPem), Prikey: material.privateKeyPem ?? '' },
  };
}

export const volcengine: CloudProvider<VolcengineOptions> = {
  id: 'volcengine',
  displayName: { en: 'Volcengine Live', 'zh-CN': '火山引擎视频直播' },
  // CreateCert: "单用户请求频率限制为 10 次/秒".
  requestsPerSecond: 10,
  optionsSchema: volcengineOptionsSchema,
  optionFields,
  accountFields,
  defaultOptions,
  validate,
  async upload(ctx: CallContext, material: UploadMaterial, options: VolcengineOptions) {
    refuseIfIssues('volcengine', validate(material, options));
    return createCert(ctx, createCertBody(material, options));
  },
  list: (ctx: CallContext, query?: ListQuery) => listCerts(ctx, ctx.account.fields.projectName?.trim() || null, query?.search),
  listRemote: listVolcengineCopies,
  remoteDetail: volcengineDetail,
  bindings: volcengineBindings,
  deployer: volcengineDeployer,
};
