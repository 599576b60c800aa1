import { VaultError } from '../../../shared/errors';
import { translate } from '../../../shared/i18n';
import type { UploadFailure } from '../../../shared/uploads';
import type { CloudErrorInfo } from '../../clouds/provider';

// A failed target as the history keeps it: the cloud's own code, message and request id verbatim
// (already scrubbed by the client), with our hint beside them. Failures that are ours (cancel,
// a missing secret, an unresolved check) carry our error code and catalog text.

export function failureOf(info: CloudErrorInfo): UploadFailure {
  return { code: info.code, message: info.message, requestId: info.requestId, hint: info.hint };
}

export function failureFromVaultError(error: VaultError): UploadFailure {
  return {
    code: error.code,
    message: error.message,
    requestId: null,
    hint: { en: translate('en', `error.${error.code}`, error.params), 'zh-CN': translate('zh-CN', `error.${error.code}`, error.params) },
  };
}

export function ourFailure(code: string, en: string, zhCN: string): UploadFailure {
  return { code, message: en, requestId: null, hint: { en, 'zh-CN': zhCN } };
}
