import { describe, expect, it } from 'vitest';
import { failureFromVaultError, failureOf, ourFailure } from '../../../main/core/uploads/failure';
import { VaultError } from '../../../shared/errors';
import { isCloudMessage } from '../../../renderer/src/routes/uploads/failure-text';

const hint = { en: 'Check the key.', 'zh-CN': '请检查密钥。' };
const cloudInfo = (code: string, message: string) =>
  ({ cloud: 'tencent', code, message, kind: 'auth', retryable: false, requestId: 'r-1', httpStatus: 200, mayHaveReachedServer: true, hint, retryAfterMs: null }) as const;

describe('isCloudMessage', () => {
  it("labels a cloud's own answer as the cloud's", () => {
    expect(isCloudMessage(failureOf(cloudInfo('AuthFailure.SignatureFailure', 'The provided credentials could not be validated.')))).toBe(true);
    expect(isCloudMessage(failureOf(cloudInfo('APIG.2001', 'The request parameters are invalid.')))).toBe(true);
    expect(isCloudMessage(failureOf(cloudInfo('HTTP503', '<html>Service Unavailable</html>')))).toBe(true);
  });

  it("labels a deployment's per-resource failure as the cloud's: our code, the cloud's message for that resource", () => {
    expect(isCloudMessage(failureOf(cloudInfo('deploy.resource-failed', 'The certificate does not match the domain www.example.test')))).toBe(true);
    // Our fallback text under the same code (no ErrorMsg from the cloud) has our hint as its message: ours.
    expect(isCloudMessage(ourFailure('deploy.resource-failed', 'Item status 3', 'Item status 3'))).toBe(false);
  });

  it('does not put our own words in the cloud’s mouth', () => {
    expect(isCloudMessage(failureFromVaultError(new VaultError('cancelled')))).toBe(false);
    expect(isCloudMessage(ourFailure('upload.unknown_outcome', 'Outcome unknown.', '结果未知。'))).toBe(false);
    expect(isCloudMessage(failureOf(cloudInfo('ECONNREFUSED', 'cannot connect to 127.0.0.1:9')))).toBe(false);
    expect(isCloudMessage(failureOf(cloudInfo('ERR_NETWORK', 'cannot connect to example.test')))).toBe(false);
    expect(isCloudMessage(failureOf(cloudInfo('timeout', 'no answer within 30 s')))).toBe(false);
    expect(isCloudMessage(failureOf(cloudInfo('response.malformed', 'The answer has no ChainID')))).toBe(false);
  });
});
