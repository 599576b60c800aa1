import type { ConnectionTest, ConnectionVerdict } from '../../../shared/uploads';
import { CloudError, type CallContext, type CloudErrorInfo, type CloudProvider } from '../../clouds/provider';
import { failureOf } from '../uploads/failure';

// "Test connection" is the cloud's read-only list call; its outcome is sorted into the few
// verdicts a user can act on. The cloud's code and message stay beside the verdict.

// Each cloud's "signature expired / timestamp out of window" codes (REFERENCE.md 2.3, 3.3, 4.3, 5.3).
const CLOCK_SKEW = /SignatureExpire|InvalidTimeStamp\.Expired|^InvalidTimestamp$|APIG\.0303|RequestExpired|signature (has )?expired|request (has )?expired|token expires/i;
// Authenticated, but the key lacks the policy for this action.
const NO_PERMISSION =
  /UnauthorizedOperation|CAMAuthorizedFail|NoPermission|NoProjectPermission|Forbidden|LackPolicy|AccessDenied|APIG\.1005|NotAuthorized/i;

/** Sorts an authentication failure into the three things a user can fix. */
export function authVerdict(info: CloudErrorInfo): Extract<ConnectionVerdict, 'wrong_key' | 'no_permission' | 'clock_skew'> {
  if (CLOCK_SKEW.test(info.code) || CLOCK_SKEW.test(info.message)) return 'clock_skew';
  if (NO_PERMISSION.test(info.code) || info.httpStatus === 403) return 'no_permission';
  return 'wrong_key';
}

export function connectionVerdict(info: CloudErrorInfo): ConnectionVerdict {
  if (info.kind === 'network') return 'unreachable';
  if (info.kind === 'auth') return authVerdict(info);
  // Some gateways report an expired signature as a plain invalid request.
  if (CLOCK_SKEW.test(info.code)) return 'clock_skew';
  return 'error';
}

export async function testConnection(provider: CloudProvider, ctx: CallContext): Promise<ConnectionTest> {
  try {
    const certificates = await provider.list(ctx);
    return { verdict: 'works', certificates: certificates.length, error: null };
  } catch (error) {
    if (!(error instanceof CloudError)) throw error;
    return { verdict: connectionVerdict(error.info), certificates: null, error: failureOf(error.info) };
  }
}
