// What the Huawei and Volcengine emulators keep about deployments beside the shared resources:
// the fault knobs a test sets, and binding facts the BoundResource shape has no room for (a
// second certificate on an APIG domain, a Live domain's HTTPS switch). Kept per emulator state;
// `resetDeployState` (or a fresh emulator) clears it.

import type { ParsedCertificate } from './certificate';
import type { BoundResource, EmulatorState } from './server';

export interface DeployState {
  /** Domains whose bind calls the cloud refuses (a per-item failure). */
  readonly failingDomains: Set<string>;
  /**
   * Huawei: whether attaching a certificate to a domain that already carries one of the same
   * algorithm replaces it (unconfirmed, DEPLOY.md §3.5); false keeps both, the old one still served.
   */
  attachReplaces: boolean;
  /** Huawei: certificates bound to a domain besides the one it serves, by `bindingKey`. */
  readonly alsoBound: Map<string, string[]>;
  /** Volcengine: domains whose HTTPS a BindCert without HTTPS:true switched off, by `bindingKey`. */
  readonly httpsOff: Set<string>;
}

const states = new WeakMap<EmulatorState, DeployState>();

export function deployState(state: EmulatorState): DeployState {
  let found = states.get(state);
  if (!found) {
    found = { failingDomains: new Set(), attachReplaces: true, alsoBound: new Map(), httpsOff: new Set() };
    states.set(state, found);
  }
  return found;
}

export function resetDeployState(state: EmulatorState): void {
  states.delete(state);
}

export function bindingKey(resource: Pick<BoundResource, 'account' | 'type'>, id: string): string {
  return `${resource.account}|${resource.type}|${id}`;
}

/** Replaces a seeded resource by a changed copy (BoundResource is read-only): what state read-back sees. */
export function updateResource(state: EmulatorState, resource: BoundResource, changes: { readonly certificateId?: string; readonly instance?: Readonly<Record<string, unknown>> }): BoundResource {
  const index = state.resources.indexOf(resource);
  if (index < 0) throw new Error('updateResource: not a resource of this emulator');
  const updated: BoundResource = { ...resource, certificateId: changes.certificateId ?? resource.certificateId, instance: { ...resource.instance, ...changes.instance } };
  state.resources[index] = updated;
  return updated;
}

/** Whether a certificate's names cover a host name (one-label wildcards, case-insensitive). */
export function coversDomain(certificate: ParsedCertificate, domain: string): boolean {
  const host = domain.toLowerCase();
  const names = [...certificate.dnsNames, ...(certificate.dnsNames.length === 0 && certificate.commonName ? [certificate.commonName] : [])];
  return names.some((name) => {
    const pattern = name.toLowerCase();
    if (!pattern.startsWith('*.')) return pattern === host;
    const dot = host.indexOf('.');
    return dot > 0 && host.slice(dot) === pattern.slice(1);
  });
}
