import type { PlannedResource, ResourceDiff } from '../../../shared/deploy';
import type { LibraryEntry } from '../../../shared/library';
import type { Localized } from '../../../shared/uploads';
import type { BindCandidate, DeployResource } from '../../clouds/deploy';
import type { StoredCopy } from '../inventory/store';
import { lineageNames } from '../library/lineage';
import { uncovered } from './names';

// Which resources NEW is bound to although they do not serve OLD (a cloud's `candidates`): the
// safety rules. Bound by default: a resource serving no certificate, an older copy of this entry's
// lineage, or an expired certificate. A resource serving another certificate that is still valid
// may be someone else's on purpose: skipped, with why, unless the user names it (`options.bind`).

export interface BindContext {
  readonly entry: LibraryEntry;
  readonly newRemoteId: string;
  /** The copies the account's replace steps move from: their resources are replace rows already. */
  readonly oldRemoteIds: ReadonlySet<string>;
  /** Resource ids already on a row of this account's plan (replace, or already serving NEW). */
  readonly planned: ReadonlySet<string>;
  readonly copies: readonly StoredCopy[];
  /** Library entries NEW renews. */
  readonly predecessors: ReadonlySet<string>;
  /** Resource ids the user named to be bound whatever they serve. */
  readonly named: ReadonlySet<string>;
  readonly now: Date;
}

export interface BindRow {
  readonly resource: DeployResource;
  readonly row: PlannedResource;
}

const localized = (en: string, zh: string): Localized => ({ en, 'zh-CN': zh });

/** A copy of this entry's lineage: matched to a predecessor, or the same or fewer names expiring earlier. */
function inLineage(copy: StoredCopy, entry: LibraryEntry, predecessors: ReadonlySet<string>): boolean {
  if (copy.libraryId !== null) return predecessors.has(copy.libraryId);
  const names = new Set(lineageNames(entry.commonName, entry.dnsNames));
  const copyNames = lineageNames(copy.commonName, copy.dnsNames);
  return copyNames.length > 0 && copy.notAfter !== null && copy.notAfter < entry.notAfter && copyNames.every((name) => names.has(name));
}

function describe(copy: StoredCopy | undefined, remoteId: string): string {
  if (!copy) return remoteId;
  const name = copy.commonName ?? copy.name;
  return [remoteId, name, copy.notAfter ? `valid until ${copy.notAfter.slice(0, 10)}` : null].filter(Boolean).join(', ');
}

function describeZh(copy: StoredCopy | undefined, remoteId: string): string {
  if (!copy) return remoteId;
  const name = copy.commonName ?? copy.name;
  return [remoteId, name, copy.notAfter ? `有效期至 ${copy.notAfter.slice(0, 10)}` : null].filter(Boolean).join('，');
}

/** Why (and whether) NEW is bound to a candidate; null when another row of the plan covers it. */
export function bindDecision(candidate: BindCandidate, ctx: BindContext): { action: PlannedResource['action']; reason: Localized } | null {
  const current = candidate.currentRemoteId;
  if (ctx.planned.has(candidate.id) || (current !== null && ctx.oldRemoteIds.has(current))) return null;
  if (current === ctx.newRemoteId) return { action: 'skip', reason: localized('already serves the new certificate', '已在使用新证书') };
  const missing = uncovered(lineageNames(ctx.entry.commonName, ctx.entry.dnsNames), candidate.domains);
  if (missing.length > 0) {
    const list = missing.join(', ');
    return { action: 'blocked', reason: localized(`the new certificate does not cover ${list}`, `新证书不覆盖 ${list}`) };
  }
  if (candidate.unbindable) return { action: 'blocked', reason: candidate.unbindable };
  if (current === null) return { action: 'bind', reason: localized('serves no certificate yet', '尚未配置证书') };
  const copy = ctx.copies.find((c) => c.remoteId === current);
  if (copy && inLineage(copy, ctx.entry, ctx.predecessors)) {
    return { action: 'bind', reason: localized(`serves ${current}, an older copy of this certificate`, `正在使用本证书的旧副本 ${current}`) };
  }
  if (copy?.notAfter && copy.notAfter <= ctx.now.toISOString()) {
    return { action: 'bind', reason: localized(`serves ${current}, which expired on ${copy.notAfter.slice(0, 10)}`, `正在使用的证书 ${current} 已于 ${copy.notAfter.slice(0, 10)} 过期`) };
  }
  if (ctx.named.has(candidate.id)) {
    return { action: 'bind', reason: localized(`named to be bound: replaces ${describe(copy, current)}`, `已指定绑定：替换 ${describeZh(copy, current)}`) };
  }
  return {
    action: 'skip',
    reason: localized(
      `serves another certificate (${describe(copy, current)}); name it to bind the new one anyway (certvault deploy --bind ${candidate.id})`,
      `正在使用另一张证书（${describeZh(copy, current)}）；如仍要绑定新证书，请明确指定它（certvault deploy --bind ${candidate.id}）`,
    ),
  };
}

function bindDiff(candidate: BindCandidate, copy: StoredCopy | undefined, entry: LibraryEntry, newKey: string): ResourceDiff {
  return {
    uncovered: uncovered(lineageNames(entry.commonName, entry.dnsNames), candidate.domains),
    oldKey: null,
    newKey,
    oldNotAfter: copy?.notAfter ?? null,
    newNotAfter: entry.notAfter,
    oldSm2: null,
    newSm2: entry.sm2Dual,
    remarks: [],
  };
}

/** The plan rows of an account's bind candidates, in the order the cloud listed them. */
export function bindRows(candidates: readonly BindCandidate[], ctx: BindContext, newKey: string): BindRow[] {
  const seen = new Set<string>();
  return candidates.flatMap((candidate) => {
    if (seen.has(candidate.id)) return [];
    seen.add(candidate.id);
    const decision = bindDecision(candidate, ctx);
    if (!decision) return [];
    const { unbindable: _unbindable, ...resource } = candidate;
    const copy = candidate.currentRemoteId === null ? undefined : ctx.copies.find((c) => c.remoteId === candidate.currentRemoteId);
    const row: PlannedResource = {
      type: candidate.type,
      id: candidate.id,
      name: candidate.name,
      domains: candidate.domains,
      port: candidate.port,
      action: decision.action,
      reason: decision.reason,
      diff: bindDiff(candidate, copy, ctx.entry, newKey),
      currentRemoteId: candidate.currentRemoteId,
    };
    return [{ resource, row }];
  });
}
