import type { CloudId } from '../../shared/model';
import { refusedBeforeSending, type Hint } from './cloud-error';
import { isSm2 } from './material';
import type { CloudError, UploadMaterial, ValidationIssue } from './provider';

// The pre-flight checks (provider.ts `validate`: no network) that several clouds share, in one
// wording, and the refusal of an upload whose pre-flight fails. Each index.ts adds its own rules.

export function issue(field: string, en: string, zh: string): ValidationIssue {
  return { field, message: { en, 'zh-CN': zh } };
}

/** `service` names the cloud's product in both languages ('Volcengine Live' / '火山引擎视频直播'). */
export function requirePrivateKey(material: UploadMaterial, service: Hint): ValidationIssue[] {
  if (material.privateKeyPem) return [];
  return [issue('privateKey', `${service.en} needs the private key of the certificate; none was given.`, `${service['zh-CN']}需要证书私钥，但未提供私钥。`)];
}

/** For upload APIs that take RSA and ECC only; `api` names the call ('Tencent UploadCertificate'). */
export function rejectSm2(material: UploadMaterial, api: Hint): ValidationIssue[] {
  if (!isSm2(material)) return [];
  return [issue('algorithm', `${api.en} does not accept SM2 (国密) certificates.`, `${api['zh-CN']} 接口不接受国密（SM2）证书。`)];
}

/** Pre-flight issues found again at upload time (a caller skipped validate): refuse before sending. */
function preflightError(cloud: CloudId, issues: readonly ValidationIssue[]): CloudError {
  return refusedBeforeSending(cloud, {
    code: 'preflight',
    kind: 'invalid',
    message: issues.map((found) => `${found.field}: ${found.message.en}`).join('; '),
    hint: {
      en: issues.map((found) => found.message.en).join(' '),
      'zh-CN': issues.map((found) => found.message['zh-CN']).join(' '),
    },
  });
}

/** Throws the preflight CloudError when there are issues; an upload calls it before building its request. */
export function refuseIfIssues(cloud: CloudId, issues: readonly ValidationIssue[]): void {
  if (issues.length > 0) throw preflightError(cloud, issues);
}
