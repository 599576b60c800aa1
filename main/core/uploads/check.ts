import { VaultError } from '../../../shared/errors';
import type { CloudAccount, HistoryCheck, UploadFailure } from '../../../shared/uploads';
import type { HttpClient } from '../../clouds/http';
import { CloudError, type CloudCredentials } from '../../clouds/provider';
import type { Clock } from './clock';
import { accountConfig, type ProviderLookup } from '../accounts/account-store';
import { log } from '../log';
import type { Pacer } from './pacing';
import { failureFromVaultError, failureOf, ourFailure } from './failure';
import type { HistoryStore, UnresolvedAttempt } from './history-store';
import { findCertificate, searchTerm } from './match';

// "Check": settles history rows whose outcome nobody knows (the process died mid-request, or the
// listing could not be read after a timeout) by looking for the certificate in the cloud's list.
// Found: it was uploaded. Absent: the attempt created nothing. Unreadable: it stays unknown.

export interface CheckDeps {
  readonly accounts: {
    get(idOrName: string): Promise<CloudAccount>;
    credentials(account: CloudAccount): Promise<CloudCredentials>;
  };
  readonly providers: ProviderLookup;
  readonly history: HistoryStore;
  readonly http: HttpClient;
  readonly clock: Clock;
  readonly limiter: Pacer;
  readonly nonce: () => string;
}


const notFound = ourFailure(
  'check.not_found',
  'The certificate is not on the cloud: the interrupted upload did not create it. Upload it again.',
  '云端没有该证书：被中断的上传并未成功创建它。请重新上传。',
);

async function checkOne(deps: CheckDeps, row: UnresolvedAttempt): Promise<UploadFailure | null> {
  if (!row.accountId) {
    return ourFailure(
      'check.account_removed',
      `The account "${row.accountName}" was removed, so its certificate list cannot be read.`,
      `账号“${row.accountName}”已删除，无法读取其证书列表。`,
    );
  }
  let account: CloudAccount;
  try {
    account = await deps.accounts.get(row.accountId);
  } catch (error) {
    if (error instanceof VaultError) return failureFromVaultError(error);
    throw error;
  }
  const provider = deps.providers(account.cloud);
  try {
    const credentials = await deps.accounts.credentials(account);
    await deps.limiter.acquire(account.id, provider.requestsPerSecond);
    const search = searchTerm(row);
    const listing = await provider.list(
      { account: accountConfig(account), credentials, http: deps.http, now: () => new Date(deps.clock.now()), nonce: deps.nonce },
      search ? { search } : {},
    );
    const found = findCertificate(row, listing);
    await deps.history.resolve(row.id, found ? { status: 'uploaded', remoteId: found.remoteId, error: null } : { status: 'failed', remoteId: null, error: notFound });
    log.info('upload_check', { historyId: row.id, accountId: account.id, found: Boolean(found) });
    return null;
  } catch (error) {
    if (error instanceof CloudError) return failureOf(error.info);
    if (error instanceof VaultError) return failureFromVaultError(error);
    throw error;
  }
}

/** Checks every unknown row, or the given ones; rows that are not unknown are left alone. */
export async function checkUnknown(deps: CheckDeps, ids?: readonly string[]): Promise<HistoryCheck[]> {
  const rows = await deps.history.unresolved(ids);
  const outcomes = await Promise.all(rows.map((row) => checkOne(deps, row)));
  return Promise.all(rows.map(async (row, index) => ({ entry: (await deps.history.get(row.id))!, unresolvedBecause: outcomes[index] ?? null })));
}
