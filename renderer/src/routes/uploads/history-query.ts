import type { CloudId } from '../../../../shared/model';
import type { HistoryEntry, HistoryFilter, HistoryStatus } from '../../../../shared/uploads';

// The history screen's filter form and groupings, as plain functions of its state.

export interface FilterForm {
  status: HistoryStatus | '';
  cloud: CloudId | '';
  accountId: string;
  /** `YYYY-MM-DD` from a date input; a day in UTC, as every time in the app is shown. */
  from: string;
  to: string;
}

export const emptyFilter: FilterForm = { status: '', cloud: '', accountId: '', from: '', to: '' };

export function toHistoryFilter(form: FilterForm): HistoryFilter {
  return {
    ...(form.status ? { status: [form.status] } : {}),
    ...(form.cloud ? { cloud: form.cloud } : {}),
    ...(form.accountId ? { accountId: form.accountId } : {}),
    ...(form.from ? { from: `${form.from}T00:00:00.000Z` } : {}),
    ...(form.to ? { to: `${form.to}T23:59:59.999Z` } : {}),
  };
}

export interface Group<K> {
  readonly key: K;
  readonly entries: HistoryEntry[];
}

/** Groups in order of first appearance (the list comes newest first, so the newest group leads). */
export function groupBy<K>(entries: readonly HistoryEntry[], keyOf: (entry: HistoryEntry) => K): Group<K>[] {
  const groups = new Map<K, HistoryEntry[]>();
  for (const entry of entries) {
    const key = keyOf(entry);
    const list = groups.get(key);
    if (list) list.push(entry);
    else groups.set(key, [entry]);
  }
  return [...groups].map(([key, list]) => ({ key, entries: list }));
}

export interface Placement {
  readonly accountName: string;
  readonly cloud: CloudId;
  readonly remoteId: string | null;
}

/** "Deployed to Tencent prod as abc123": the newest successful upload per account of one certificate. */
export function placements(entries: readonly HistoryEntry[]): Placement[] {
  const seen = new Map<string, Placement>();
  for (const entry of entries) {
    if (entry.status !== 'uploaded' && entry.status !== 'duplicate') continue;
    const account = `${entry.cloud}:${entry.accountId ?? entry.accountName}`;
    if (!seen.has(account)) seen.set(account, { accountName: entry.accountName, cloud: entry.cloud, remoteId: entry.remoteId });
  }
  return [...seen.values()];
}

export function csvFileName(now: Date): string {
  return `cert-vault-uploads-${now.toISOString().slice(0, 10)}.csv`;
}
