import type { AccountPlan, PlannedResource } from '../../../../shared/deploy';

// A resource that serves a certificate other than OLD or NEW: the plan leaves it alone ('skip')
// unless the user names it to be bound anyway, and then binds it ('bind'). Either way it is not
// "already serving new", and its row offers the choice.

/** Serves another certificate than NEW (the plan lists what it serves only on bind candidates). */
export function servesAnother(resource: PlannedResource, plan: AccountPlan): boolean {
  return resource.currentRemoteId !== undefined && resource.currentRemoteId !== null && resource.currentRemoteId !== plan.newRemoteId;
}

/** Left alone because it serves another certificate, not because it already serves NEW. */
export function leftAlone(resource: PlannedResource, plan: AccountPlan): boolean {
  return resource.action === 'skip' && servesAnother(resource, plan);
}
