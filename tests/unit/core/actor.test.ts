import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { actorName, actorOf, localActor, type Actor } from '../../../main/core/ipc/actor';

describe('actor', () => {
  it('is this computer and its OS user when the context names nobody', () => {
    expect(actorOf({})).toEqual({ machine: os.hostname(), user: os.userInfo().username, member: null });
    expect(actorName(localActor())).toBe(os.userInfo().username);
  });

  it("is the context's when it supplies one, and is named by the member", () => {
    const ann: Actor = { machine: 'ann-laptop', user: 'ann', member: { id: 'm-1', name: 'Ann Lee' } };
    expect(actorOf({ actor: () => ann })).toBe(ann);
    expect(actorName(ann)).toBe('Ann Lee');
  });
});
