import type { DeployResource, ResourceState } from '../deploy';
import { stringsOf, textOf, type JsonObject } from '../json';

// What Tencent's deploy and update records say, read the same way for both families (DEPLOY.md
// §1.5, §1.6): the item status enum, record ids (numbers or digit strings), and which resource an
// item names.

/** UpdateRecordDetail.Status: 0 pending, 1 success, 2 failed, 3 deploying, 4 rollback success, 5 rollback failed, 6 nothing to deploy. */
export const ITEM_STATES: Readonly<Record<number, ResourceState>> = { 0: 'pending', 1: 'deployed', 2: 'failed', 3: 'running', 4: 'rolled-back', 5: 'rollback-failed', 6: 'failed' };
/**
 * In a rollback record the items are documented to end in 4 or 5; whether one may also report the
 * plain 1/2 is unconfirmed, so those are read as the rollback's success and failure.
 */
export const ROLLBACK_STATES: Readonly<Record<number, ResourceState>> = { ...ITEM_STATES, 1: 'rolled-back', 2: 'rollback-failed', 6: 'rollback-failed' };

/** Worst first: a resource several items describe takes the worst of them. */
export const SEVERITY: readonly ResourceState[] = ['failed', 'rollback-failed', 'running', 'pending', 'rolled-back', 'deployed'];

export function recordIdOf(value: unknown): number | null {
  const id = typeof value === 'number' ? value : typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : null;
  return id !== null && Number.isSafeInteger(id) && id >= 0 ? id : null;
}

/**
 * Which of a resource's tuple parts (inventory.ts) an update item names, by position: a string, a
 * list of domains any of which may be it, or null where the item does not say. Items name their
 * instance in per-type fields (InstanceId is the CLB, DDoS, API gateway, TKE or TSE instance).
 */
function itemParts(type: string, item: JsonObject): readonly (string | readonly string[] | null)[] {
  const text = (name: string) => textOf(item[name]);
  const domains = stringsOf(item.Domains);
  switch (type) {
    case 'clb':
      return [text('InstanceId'), text('ListenerId'), domains];
    case 'ddos':
      return [text('InstanceId'), domains, text('Port')];
    case 'apigateway':
      return [text('InstanceId'), domains];
    case 'cos':
      return [text('Region'), text('Bucket'), domains];
    case 'tke':
      return [text('InstanceId'), text('Namespace'), text('SecretName')];
    case 'tcb':
      return [text('TCBType'), text('Region'), text('EnvId'), domains];
    case 'tse':
      return [text('InstanceId'), null];
    case 'scf':
      return [text('Region'), domains];
    default:
      return [domains];
  }
}

export function itemMatches(resource: DeployResource, item: JsonObject): boolean {
  const parts = resource.id.split('|');
  const named = itemParts(resource.type, item);
  let compared = 0;
  for (const [index, part] of parts.entries()) {
    const said = named[index];
    if (said === undefined || said === null || (Array.isArray(said) && said.length === 0)) continue;
    compared += 1;
    if (Array.isArray(said) ? !said.includes(part) : said !== part) return false;
  }
  return compared > 0;
}
