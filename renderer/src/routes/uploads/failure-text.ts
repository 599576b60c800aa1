import type { UploadFailure } from '../../../../shared/uploads';

// Whose words a failure's message is. A cloud's answer is shown verbatim and labelled as the
// cloud's; our own failures are shown in the UI's language. History rows carry no flag for this,
// so it is read from the failure's shape, which main keeps stable:
// - catalog failures (ourFailure, failureFromVaultError in main/core/uploads/failure.ts) have the
//   English catalog text as their message;
// - failures raised before or without a cloud's answer (main/clouds: transport.ts, http-client.ts,
//   cloud-error.ts, the clients' local checks) use lowercase codes ('timeout', 'response.malformed')
//   or Node's system error codes ('ECONNREFUSED', 'ERR_NETWORK');
// - clouds' codes are their own capitalised ones ('AuthFailure.SignatureFailure', 'APIG.2001')
//   and HTTP<status> for an answer without the cloud's error shape;
// - a deployment's per-resource failure ('deploy.resource-failed', main/clouds/tencent/deploy.ts)
//   carries the cloud's own message for that resource under our code, with our hint beside it.

const NODE_ERROR_CODE = /^(E[A-Z0-9]+|ERR_[A-Z0-9_]+)$/;
const CLOUD_MESSAGE_UNDER_OUR_CODE: ReadonlySet<string> = new Set(['deploy.resource-failed']);

export function isCloudMessage(failure: UploadFailure): boolean {
  if (failure.hint !== null && failure.message === failure.hint.en) return false;
  if (CLOUD_MESSAGE_UNDER_OUR_CODE.has(failure.code)) return true;
  if (/^[a-z]/.test(failure.code)) return false;
  return !NODE_ERROR_CODE.test(failure.code);
}
