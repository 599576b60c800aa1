// The accounts a certificate was last uploaded to, remembered per certificate on this machine
// (localStorage: a preference of this user, not vault data). Nothing is pre-checked for a
// certificate never uploaded: a habit of ticking every account must not carry a production key
// to accounts nobody chose for it.

const STORAGE_KEY = 'certvault.upload.targetsByCertificate';
/** Oldest forgotten first, so the map cannot grow with every certificate ever uploaded. */
const MAX_CERTIFICATES = 500;

export type RememberedTargets = Readonly<Record<string, readonly string[]>>;

/**
 * The targets to pre-check: those remembered for the first certificate of `lineage` that has
 * any (the certificate itself first, then what it renews, newest first), limited to accounts
 * that still exist.
 */
export function targetsFor(remembered: RememberedTargets, lineage: readonly string[], existing: ReadonlySet<string>): string[] {
  for (const certificateId of lineage) {
    const accountIds = remembered[certificateId];
    if (accountIds) return accountIds.filter((id) => existing.has(id));
  }
  return [];
}

/** `remembered` with `certificateId`'s targets replaced and moved to the newest end. */
export function withTargets(remembered: RememberedTargets, certificateId: string, accountIds: readonly string[]): RememberedTargets {
  const entries = Object.entries(remembered).filter(([id]) => id !== certificateId);
  entries.push([certificateId, [...accountIds]]);
  return Object.fromEntries(entries.slice(-MAX_CERTIFICATES));
}

export function loadRememberedTargets(): RememberedTargets {
  try {
    const parsed: unknown = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? '{}');
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return {};
    return Object.fromEntries(
      Object.entries(parsed).map(([id, ids]) => [id, Array.isArray(ids) ? ids.filter((x): x is string => typeof x === 'string') : []]),
    );
  } catch {
    return {};
  }
}

export function rememberTargets(certificateId: string, accountIds: readonly string[]): void {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(withTargets(loadRememberedTargets(), certificateId, accountIds)));
  } catch {
    // Storage full or disabled: the dialog still works, it just will not remember.
  }
}
