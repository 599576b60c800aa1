import type { CloudAccount, PlanIssue, PlanTarget } from '../../../shared/uploads';
import type { CloudProvider, UploadMaterial } from '../../clouds/provider';
import { accountConfig } from '../accounts/account-store';
import type { HistoryStore } from './history-store';

// The pre-flight of one target, shown before anything is sent: the options prefilled (the cloud's
// defaults for this certificate, then the account's defaults, then what the user changed), the
// cloud's own constraints, and what is wrong with the certificate itself.

export interface PlannedOptions {
  /** The options after the schema's defaults, or the merged input when it does not parse. */
  readonly options: Record<string, unknown>;
  readonly issues: PlanIssue[];
  readonly valid: boolean;
}

function both(en: string, zh: string) {
  return { en, 'zh-CN': zh };
}

export function resolveOptions(
  provider: CloudProvider,
  account: CloudAccount,
  material: UploadMaterial,
  overrides: Readonly<Record<string, unknown>> = {},
): PlannedOptions {
  const merged = { ...provider.defaultOptions(material, accountConfig(account)), ...account.defaultOptions, ...overrides };
  const parsed = provider.optionsSchema.safeParse(merged);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((issue) => {
      const field = issue.path.map(String).join('.') || 'options';
      return { field, severity: 'error' as const, message: both(`${field}: ${issue.message}`, `${field}：${issue.message}`) };
    });
    return { options: merged, issues, valid: false };
  }
  const options = parsed.data as Record<string, unknown>;
  const issues = provider.validate(material, options, accountConfig(account)).map((issue) => ({ field: issue.field, severity: 'error' as const, message: issue.message }));
  return { options, issues, valid: true };
}

/** Expiry and chain: the same for every cloud. */
export function certificateIssues(material: UploadMaterial, now: Date): PlanIssue[] {
  const issues: PlanIssue[] = [];
  const { leaf } = material;
  const day = (iso: string) => iso.slice(0, 10);
  if (Date.parse(leaf.notAfter) <= now.getTime()) {
    issues.push({
      field: 'certificate',
      severity: 'error',
      message: both(`The certificate expired on ${day(leaf.notAfter)}.`, `证书已于 ${day(leaf.notAfter)} 过期。`),
    });
  } else if (Date.parse(leaf.notBefore) > now.getTime()) {
    issues.push({
      field: 'certificate',
      severity: 'warning',
      message: both(`The certificate is not valid before ${day(leaf.notBefore)}; clients will reject it until then.`, `证书在 ${day(leaf.notBefore)} 之前尚未生效，在此之前客户端会拒绝它。`),
    });
  }
  // Clouds serve exactly the chain they are given; a leaf alone works only where clients already hold the intermediate.
  if (!leaf.selfSigned && material.chainPem.trim() === '') {
    issues.push({
      field: 'chain',
      severity: 'warning',
      message: both(
        `No intermediate certificate: the chain ends at the leaf, whose issuer "${leaf.issuerCommonName ?? leaf.issuer}" is missing. Many clients will fail to verify it.`,
        `缺少中间证书：证书链只有叶子证书，缺少其签发者“${leaf.issuerCommonName ?? leaf.issuer}”。许多客户端将无法验证。`,
      ),
    });
  }
  return issues;
}

export async function planTarget(
  provider: CloudProvider,
  account: CloudAccount,
  material: UploadMaterial,
  history: HistoryStore,
  now: Date,
  overrides?: Readonly<Record<string, unknown>>,
): Promise<PlanTarget> {
  const resolved = resolveOptions(provider, account, material, overrides);
  const present = await history.findPresent(account.id, material.leaf.fingerprintSha256);
  return {
    accountId: account.id,
    accountName: account.name,
    cloud: account.cloud,
    options: resolved.options,
    optionFields: provider.optionFields,
    issues: [...certificateIssues(material, now), ...resolved.issues],
    alreadyPresent: present ? { remoteId: present.remoteId, uploadedAt: present.finishedAt ?? present.startedAt } : null,
  };
}

export function isBlocked(target: PlanTarget): boolean {
  return target.issues.some((issue) => issue.severity === 'error');
}
