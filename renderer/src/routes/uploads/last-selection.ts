// The accounts last chosen in the upload dialog, remembered per window profile (localStorage):
// a preference of this machine's user, not vault data, so it stays out of the database.

const STORAGE_KEY = 'certvault.upload.lastAccounts';

export function loadLastSelection(): string[] {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

export function saveLastSelection(accountIds: readonly string[]): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(accountIds));
  } catch {
    // Storage full or disabled: the dialog still works, it just will not remember.
  }
}
