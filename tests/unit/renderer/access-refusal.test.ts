import { describe, expect, it } from 'vitest';
import type { TeamStanding, TeamVaultStatus } from '../../../shared/team';
import { refusalIn } from '../../../renderer/src/lib/access-refusal';

const now = new Date(2026, 11, 7, 15, 0);
const online = (standing: TeamStanding): TeamVaultStatus => ({ online: true, server: 'db.example:5432', snapshotAt: null, offlineSince: null, standing });
const member = (role: 'viewer' | 'operator' | 'admin'): TeamStanding => ({ state: 'member', name: 'Vic', role });

describe('refusalIn', () => {
  it('lets every change through on the local vault, and on a team vault before main said how it stands', () => {
    expect(refusalIn(null, 'en', now)).toBeNull();
    expect(refusalIn({ name: 'ops', status: null }, 'en', now)).toBeNull();
  });

  it('lets an operator and an admin change the vault, and tells a viewer whom to ask, in both languages', () => {
    expect(refusalIn({ name: 'ops', status: online(member('operator')) }, 'en', now)).toBeNull();
    expect(refusalIn({ name: 'ops', status: online(member('admin')) }, 'en', now)).toBeNull();
    expect(refusalIn({ name: 'ops', status: online(member('viewer')) }, 'en', now)).toBe('Viewers can browse and export certificates; ask an admin of ops for the operator role.');
    expect(refusalIn({ name: 'ops', status: online(member('viewer')) }, 'zh-CN', now)).toBe('查看者可以浏览和导出证书；如需操作员角色，请联系 ops 的管理员。');
  });

  it('refuses every role while the vault is offline, naming when its read-only copy was taken', () => {
    const snapshotAt = new Date(2026, 11, 7, 14, 5).toISOString();
    const offline: TeamVaultStatus = { ...online(member('admin')), online: false, snapshotAt, offlineSince: snapshotAt };
    expect(refusalIn({ name: 'ops', status: offline }, 'en', now)).toBe('Team vault ops is offline — read-only, copy from 14:05. Nothing can be changed until it reconnects.');
    expect(refusalIn({ name: 'ops', status: { ...offline, snapshotAt: null } }, 'zh-CN', now)).toContain('副本时间 —');
  });

  it('says who removed the member, before anything else; and waits while the role is still being read', () => {
    const removed = online({ state: 'removed', team: 'ops', by: 'Ann' });
    expect(refusalIn({ name: 'ops', status: { ...removed, online: false } }, 'en', now)).toBe('You were removed from ops by Ann: nothing can be changed here.');
    expect(refusalIn({ name: 'ops', status: online({ state: 'unknown' }) }, 'en', now)).toBe('Reading your role in ops; try again in a moment.');
  });
});
