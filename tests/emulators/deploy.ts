// What every emulator's deploy actions share: the knobs a test turns (how long a task runs, which
// resources fail), per-cloud task stores cleared with the state, and the checks a cloud makes before
// moving a resource to a certificate (does it cover the resource's domains).

import type { ParsedCertificate } from './certificate';
import type { BoundResource, EmulatorState } from './server';

export class DeployEmulation {
  /** Polls a deploy, rollback or delete task answers "running" before it finishes. */
  pollsBeforeDone = 1;
  /** Calls an update answers "still preparing" before its task exists (Tencent DeployRecordId 0). */
  preparingCalls = 1;
  /** Resources that refuse a certificate, named by a domain they serve or by their id. */
  readonly failing = new Set<string>();
  private readonly stores = new Map<string, unknown>();

  /** One cloud's task store, made on first use and dropped by `reset`. */
  storeOf<T>(cloud: string, make: () => T): T {
    if (!this.stores.has(cloud)) this.stores.set(cloud, make());
    return this.stores.get(cloud) as T;
  }

  reset(): void {
    this.pollsBeforeDone = 1;
    this.preparingCalls = 1;
    this.failing.clear();
    this.stores.clear();
  }
}

/** RFC 6125 matching as the clouds apply it: exact, or one left-most label under a `*.` name. */
export function covers(certificate: ParsedCertificate, domain: string): boolean {
  const wanted = domain.toLowerCase();
  const names = [...certificate.dnsNames, ...(certificate.commonName === null ? [] : [certificate.commonName])].map((name) => name.toLowerCase());
  return names.some((name) => name === wanted || (name.startsWith('*.') && wanted.endsWith(name.slice(1)) && !wanted.slice(0, -name.length + 1).includes('.')));
}

/** The first of `domains` the certificate does not cover, or null. */
export function uncovered(certificate: ParsedCertificate, domains: readonly string[]): string | null {
  return domains.find((domain) => !covers(certificate, domain)) ?? null;
}

/**
 * Moves state.resources[index] to another certificate: the entry is replaced (BoundResource is
 * read-only) and every `CertId` field of its instance that named the old certificate follows.
 */
export function rebindResource(state: EmulatorState, index: number, certificateId: string): BoundResource {
  const previous = state.resources[index]!;
  const moved: BoundResource = { ...previous, certificateId, instance: renameCertId(previous.instance, previous.certificateId, certificateId) as Record<string, unknown> };
  state.resources[index] = moved;
  return moved;
}

function renameCertId(value: unknown, from: string, to: string): unknown {
  if (Array.isArray(value)) return value.map((item) => renameCertId(item, from, to));
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value).map(([key, field]) => [key, key === 'CertId' && String(field) === from ? (typeof field === 'number' ? Number(to) : to) : renameCertId(field, from, to)]),
  );
}

/** Whether a test marked the resource as failing, by any of its names. */
export function isFailing(state: EmulatorState, names: readonly (string | null | undefined)[]): boolean {
  return names.some((name) => name !== null && name !== undefined && name !== '' && state.deploy.failing.has(name));
}
