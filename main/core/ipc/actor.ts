import os from 'node:os';

// Who an action runs as: the machine, the OS user and, on a team vault, the member. Locks and
// history rows name it, so another member is told who holds what. A team vault's context supplies
// it (`HandlerContext.actor`); the local vault's is this computer's user.

export interface Actor {
  readonly machine: string;
  readonly user: string;
  /** The team member this computer acts as; null on the local vault. */
  readonly member: { readonly id: string; readonly name: string } | null;
}

export function localActor(): Actor {
  return { machine: os.hostname(), user: osUserName(), member: null };
}

export function actorOf(ctx: { readonly actor?: () => Actor }): Actor {
  return ctx.actor?.() ?? localActor();
}

/** The name shown to others: the member's name on a team vault, the OS user otherwise. */
export function actorName(actor: Actor): string {
  return actor.member?.name ?? actor.user;
}

function osUserName(): string {
  try {
    return os.userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers): the environment still names the user.
    return process.env.USER ?? process.env.USERNAME ?? 'unknown';
  }
}
