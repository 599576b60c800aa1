// The seeding API tests use to put certificates and bound resources on an emulated account
// without going through an upload: what a real account already holds before Cert Vault ever saw it.

import { randomBytes } from 'node:crypto';
import { parseCertificate } from './certificate';
import type { BoundResource, EmulatorState } from './server';
import type { StoredCertificate } from './store';

export interface SeedInput {
  /** The access key id of the account that holds it. */
  readonly account: string;
  /** Leaf first, then any chain. */
  readonly certificatePem: string;
  readonly privateKeyPem?: string | null;
  readonly name?: string | null;
  /** The cloud's id; each emulator's seed function picks one in the cloud's format when absent. */
  readonly id?: string;
  /** Cloud-specific fields, as an upload's parameters would carry them. */
  readonly params?: Readonly<Record<string, unknown>>;
}

export function seedCertificate(state: EmulatorState, id: string, input: SeedInput): StoredCertificate {
  const certificate = parseCertificate(input.certificatePem);
  if (certificate === null) throw new Error('seedCertificate: the PEM does not parse');
  return state.store.add(
    {
      id,
      account: input.account,
      name: input.name ?? null,
      certificatePem: input.certificatePem,
      privateKeyPem: input.privateKeyPem ?? null,
      certificate,
      params: input.params ?? {},
    },
    state.now(),
  );
}

export function seedResource(state: EmulatorState, resource: BoundResource): BoundResource {
  state.resources.push(resource);
  return resource;
}

/** The resources of one account, optionally of one type, in seeding order. */
export function resourcesOf(state: EmulatorState, account: string, type?: string): BoundResource[] {
  return state.resources.filter((resource) => resource.account === account && (type === undefined || resource.type === type));
}

/** 32 lower-case hex digits: Huawei certificate ids, Volcengine ChainIDs. */
export function hexId(): string {
  return randomBytes(16).toString('hex');
}
