import type { CloudId } from '../../shared/model';
import { CloudError, type UploadMaterial, type ValidationIssue } from './provider';

// Small shared helpers over UploadMaterial for the cloud folders.

/** Leaf followed by the intermediates, each PEM block ending in exactly one LF. */
export function fullChainPem(certificatePem: string, chainPem: string): string {
  return [certificatePem, chainPem]
    .map((pem) => pem.trim())
    .filter((pem) => pem !== '')
    .map((pem) => `${pem}\n`)
    .join('');
}

export function isSm2(material: UploadMaterial): boolean {
  return material.leaf.keyAlgorithm === 'SM2' || material.sm2Sign !== null;
}

/** Pre-flight issues found again at upload time (a caller skipped validate): refuse before sending. */
export function preflightError(cloud: CloudId, issues: readonly ValidationIssue[]): CloudError {
  return new CloudError({
    cloud,
    code: 'preflight',
    message: issues.map((issue) => `${issue.field}: ${issue.message.en}`).join('; '),
    kind: 'invalid',
    retryable: false,
    requestId: null,
    httpStatus: null,
    mayHaveReachedServer: false,
    hint: {
      en: issues.map((issue) => issue.message.en).join(' '),
      'zh-CN': issues.map((issue) => issue.message['zh-CN']).join(' '),
    },
  });
}
