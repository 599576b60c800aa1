import type { CloudAccount, CloudDescription } from '../../../../shared/uploads';

// The order the target picker shows accounts in (grouped by cloud, in the clouds' order), which
// the pre-flight list and the progress list follow too, so a target is found where it was ticked.

export interface PickerGroup {
  readonly cloud: CloudDescription;
  readonly accounts: readonly CloudAccount[];
}

export function pickerGroups(accounts: readonly CloudAccount[], clouds: readonly CloudDescription[]): PickerGroup[] {
  return clouds
    .map((cloud) => ({ cloud, accounts: accounts.filter((account) => account.cloud === cloud.id) }))
    .filter((group) => group.accounts.length > 0);
}

/** `items` (targets of any shape) sorted as their accounts appear in the picker. */
export function inPickerOrder<T extends { readonly accountId: string }>(items: readonly T[], groups: readonly PickerGroup[]): T[] {
  const position = new Map(groups.flatMap((group) => group.accounts).map((account, index) => [account.id, index]));
  const at = (item: T) => position.get(item.accountId) ?? Number.MAX_SAFE_INTEGER;
  return [...items].sort((a, b) => at(a) - at(b));
}
