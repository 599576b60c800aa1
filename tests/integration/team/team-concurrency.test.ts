import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { teamAudit } from '../../../main/core/team/audit';
import { approveRequest, createTeam, currentTeamKey, joinTeam, listMembers, removeMember } from '../../../main/core/team/membership';
import type { TeamEnvironment } from '../../../main/core/team/session';
import { MemorySecretStore } from '../../unit/vault/helpers/memory-secret-store';
import { startPgCluster, type PgCluster } from '../../support/pg-cluster';

// Members acting at the same moment: the audit chain stays one gapless chain, and key rotations
// racing approvals leave every operator with a wrap of the current key version.

let cluster: PgCluster;
const homes: string[] = [];

function computer(machine: string): TeamEnvironment {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `certvault-team-${machine}-`));
  homes.push(dataDir);
  return { dataDir, secrets: new MemorySecretStore(), now: () => new Date(), machine };
}

beforeAll(async () => {
  cluster = await startPgCluster();
});

afterAll(async () => {
  await cluster?.stop();
  for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
});

it('concurrent joins, approvals and removals keep one verified audit chain and a current key for every operator', async () => {
  const url = cluster.url({ query: 'sslmode=disable' });
  const admin = computer('admin');
  await createTeam(admin, { url, name: 'ops', memberName: 'Admin' });
  const joiners = Array.from({ length: 8 }, (_, i) => computer(`member-${i}`));
  const requests = await Promise.all(joiners.map((env, i) => joinTeam(env, { url, name: 'ops', memberName: `Member ${i}` })));
  // Approvals of the odd members race removals of the even ones (approved first, as operators).
  for (const [i, request] of requests.entries()) {
    if (i % 2 === 0) await approveRequest(admin, 'ops', { requestId: request.requestId, role: 'operator', phrase: request.fingerprintPhrase });
  }
  await Promise.all(
    requests.map((request, i) =>
      i % 2 === 0 ? removeMember(admin, 'ops', request.requestId) : approveRequest(admin, 'ops', { requestId: request.requestId, role: 'operator', phrase: request.fingerprintPhrase }),
    ),
  );
  const report = await teamAudit(admin, 'ops', true);
  expect(report.verdict).toMatchObject({ ok: true, rows: 1 + 8 + 4 + 8 });
  expect(report.rows.map((row) => Number(row.seq))).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));
  const members = await listMembers(admin, 'ops');
  expect(members.filter((m) => m.status === 'active')).toHaveLength(1 + 4);
  const adminKey = await currentTeamKey(admin, 'ops');
  expect(adminKey.keyVersion).toBe(1 + 4);
  for (const [i, env] of joiners.entries()) {
    if (i % 2 === 1) expect((await currentTeamKey(env, 'ops')).key.equals(adminKey.key)).toBe(true);
    else await expect(currentTeamKey(env, 'ops')).rejects.toMatchObject({ code: 'team.not_member' });
  }
});
