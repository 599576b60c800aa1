import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { teamAudit } from '../../../main/core/team/audit';
import { memberSelf } from '../../../main/core/team/member-self';
import { approveRequest, changeRole, createTeam, currentTeamKey, joinTeam, listRequests, rejectRequest, roster } from '../../../main/core/team/membership';
import type { TeamEnvironment } from '../../../main/core/team/session';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';

// An admin and a second member on one throwaway PostgreSQL: a join request rejected (and the
// requester's app told so), then roles changed both ways, with the team key following the role.

let cluster: PgCluster;
const homes: string[] = [];

function computer(machine: string): TeamEnvironment {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `certvault-team-${machine}-`));
  homes.push(dataDir);
  return { dataDir, secrets: new MemorySecretStore(), now: () => new Date(), machine };
}

const selfOf = async (env: TeamEnvironment) => {
  const { members, ownRequest } = await roster(env, 'ops');
  return memberSelf(env, 'ops', members, ownRequest);
};

let url: string;
let ann: TeamEnvironment;

beforeAll(async () => {
  cluster = await startPgCluster();
  url = cluster.url({ query: 'sslmode=disable' });
  ann = computer('ann-laptop');
  await createTeam(ann, { url, name: 'ops', memberName: 'Ann' });
});

afterAll(async () => {
  await cluster?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

describe('team admin: reject and change role', () => {
  it("rejects a join request: it leaves the list, the requester's app says rejected, the audit says who; it cannot be approved after", async () => {
    const eve = computer('eve-box');
    const request = await joinTeam(eve, { url, name: 'ops', memberName: 'Eve' });
    expect(await selfOf(eve)).toEqual({ state: 'pending', fingerprintPhrase: request.fingerprintPhrase });

    const rejected = await rejectRequest(ann, 'ops', request.requestId);
    expect(rejected).toMatchObject({ id: request.requestId, member: 'Eve', machine: 'eve-box' });
    expect(await listRequests(ann, 'ops')).toEqual([]);
    expect(await selfOf(eve)).toEqual({ state: 'rejected' });
    await expect(approveRequest(ann, 'ops', { requestId: request.requestId, role: 'operator', phrase: request.fingerprintPhrase })).rejects.toMatchObject({ code: 'team.request_not_found' });
    await expect(rejectRequest(ann, 'ops', request.requestId)).rejects.toMatchObject({ code: 'team.request_not_found' });
    const { rows, verdict } = await teamAudit(ann, 'ops', true);
    expect(verdict).toMatchObject({ ok: true });
    expect(rows.at(-1)).toMatchObject({ action: 'member.reject', member_name: 'Ann', machine: 'ann-laptop', subject: request.requestId, detail: { member: 'Eve', machine: 'eve-box' } });
  });

  it('a viewer promoted to operator is given the team key; demoted to viewer, the key is rotated and theirs opens nothing current', async () => {
    const bob = computer('bob-desktop');
    const request = await joinTeam(bob, { url, name: 'ops', memberName: 'Bob' });
    await approveRequest(ann, 'ops', { requestId: request.requestId, role: 'viewer', phrase: request.fingerprintPhrase });
    await expect(currentTeamKey(bob, 'ops')).rejects.toMatchObject({ code: 'team.no_team_key' });
    await expect(changeRole(bob, 'ops', 'Ann', 'viewer')).rejects.toMatchObject({ code: 'team.not_admin' });

    const promoted = await changeRole(ann, 'ops', 'Bob', 'operator');
    expect(promoted).toMatchObject({ member: { name: 'Bob', role: 'operator' }, from: 'viewer', rotated: false });
    const annKey = await currentTeamKey(ann, 'ops');
    expect(promoted.keyVersion).toBe(annKey.keyVersion);
    expect((await currentTeamKey(bob, 'ops')).key.equals(annKey.key)).toBe(true);

    // Operator to admin: no key change; the same role again changes nothing and writes no audit row.
    expect(await changeRole(ann, 'ops', 'Bob', 'admin')).toMatchObject({ from: 'operator', rotated: false, keyVersion: annKey.keyVersion });
    const before = (await teamAudit(ann, 'ops', false)).rows.length;
    expect(await changeRole(ann, 'ops', 'Bob', 'admin')).toMatchObject({ from: 'admin', rotated: false });
    expect((await teamAudit(ann, 'ops', false)).rows).toHaveLength(before);

    const demoted = await changeRole(ann, 'ops', 'Bob', 'viewer');
    expect(demoted).toMatchObject({ member: { role: 'viewer' }, from: 'admin', rotated: true, keyVersion: annKey.keyVersion + 1 });
    const rotated = await currentTeamKey(ann, 'ops');
    expect(rotated.keyVersion).toBe(annKey.keyVersion + 1);
    expect(rotated.key.equals(annKey.key)).toBe(false);
    await expect(currentTeamKey(bob, 'ops')).rejects.toMatchObject({ code: 'team.no_team_key' });
    expect(await selfOf(bob)).toMatchObject({ state: 'member', member: { role: 'viewer' } });

    const { rows, verdict } = await teamAudit(ann, 'ops', true);
    expect(verdict).toMatchObject({ ok: true });
    expect(rows.filter((row) => row.action === 'member.role').map((row) => row.detail)).toEqual([
      { member: 'Bob', from: 'viewer', to: 'operator', keyVersion: annKey.keyVersion, rotated: false },
      { member: 'Bob', from: 'operator', to: 'admin', keyVersion: annKey.keyVersion, rotated: false },
      { member: 'Bob', from: 'admin', to: 'viewer', keyVersion: annKey.keyVersion + 1, rotated: true },
    ]);
  });

  it('the last admin can be neither demoted nor demote themselves; with a second admin, they can', async () => {
    await expect(changeRole(ann, 'ops', 'Ann', 'operator')).rejects.toMatchObject({ code: 'team.last_admin', params: { member: 'Ann' } });
    await changeRole(ann, 'ops', 'Bob', 'admin');
    const stepDown = await changeRole(ann, 'ops', 'Ann', 'operator');
    expect(stepDown).toMatchObject({ member: { name: 'Ann', role: 'operator' }, from: 'admin', rotated: false });
    await expect(changeRole(ann, 'ops', 'Bob', 'viewer')).rejects.toMatchObject({ code: 'team.not_admin' });
  });
});
