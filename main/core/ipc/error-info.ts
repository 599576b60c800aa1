import { VaultError, type ErrorInfo } from '../../../shared/errors';
import { log } from '../log';

/** What may cross a boundary for anything thrown: a VaultError as it is, anything else logged and "internal". */
export function toErrorInfo(error: unknown, where: string): ErrorInfo {
  if (error instanceof VaultError) return error.toInfo();
  log.error('unexpected_error', { where, error });
  return new VaultError('internal').toInfo();
}
