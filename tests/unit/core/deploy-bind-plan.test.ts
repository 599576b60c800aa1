import { describe, expect, it } from 'vitest';
import type { LibraryEntry } from '../../../shared/library';
import type { BindCandidate } from '../../../main/clouds/deploy';
import type { StoredCopy } from '../../../main/core/inventory/store';
import { bindDecision, bindRows, type BindContext } from '../../../main/core/deploy/bind-plan';

// The safety rules for binding NEW to a resource that does not serve OLD.

const entry: LibraryEntry = {
  id: 'new-entry', name: 'example.com 2027', commonName: 'example.com', dnsNames: ['example.com', '*.example.com'],
  subject: 'CN=example.com', issuer: 'CN=Test CA', issuerCommonName: 'Test CA', serialNumber: '02', fingerprintSha256: 'ff'.repeat(32),
  notBefore: '2026-11-01T00:00:00.000Z', notAfter: '2027-11-01T00:00:00.000Z', keyAlgorithm: 'EC', keySize: null, curve: 'P-256',
  isCA: false, hasKey: true, sm2Dual: false, tags: [], notes: '', sourceFile: null, importedAt: '2026-11-01T00:00:00.000Z', updatedAt: '2026-11-01T00:00:00.000Z',
};

function copy(remoteId: string, facts: Partial<StoredCopy>): StoredCopy {
  return {
    cloud: 'tencent', remoteId, name: null, commonName: null, dnsNames: [], notBefore: null, notAfter: null, fingerprintSha256: null, serial: null, issuer: null,
    bindings: [], accountId: 'acct', account: 'acct', libraryId: null, matchedBy: null, syncedAt: '2026-12-01T00:00:00.000Z', ...facts,
  };
}

const copies = [
  copy('NEW', { libraryId: 'new-entry', commonName: 'example.com', dnsNames: ['example.com', '*.example.com'], notAfter: entry.notAfter }),
  copy('OLD', { libraryId: 'old-entry', notAfter: '2026-12-20T00:00:00.000Z' }),
  copy('OLDEST', { libraryId: 'oldest-entry', notAfter: '2026-01-01T00:00:00.000Z' }),
  copy('UNMATCHED-OLDER', { commonName: 'example.com', dnsNames: ['example.com'], notAfter: '2026-12-30T00:00:00.000Z' }),
  copy('EXPIRED', { commonName: 'shop.example.com', dnsNames: ['shop.example.com', 'other.test'], notAfter: '2026-11-30T00:00:00.000Z' }),
  copy('FOREIGN', { commonName: 'shop.example.com', dnsNames: ['shop.example.com', 'other.test'], notAfter: '2027-06-01T00:00:00.000Z' }),
];

const context = (changes: Partial<BindContext> = {}): BindContext => ({
  entry,
  newRemoteId: 'NEW',
  oldRemoteIds: new Set(['OLD']),
  planned: new Set(),
  copies,
  predecessors: new Set(['old-entry', 'oldest-entry']),
  named: new Set(),
  now: new Date('2026-12-07T12:00:00Z'),
  ...changes,
});

function candidate(id: string, currentRemoteId: string | null, domains: readonly string[] = [id], unbindable: BindCandidate['unbindable'] = null): BindCandidate {
  return { type: 'cdn', id, name: domains[0] ?? null, domains, region: null, port: null, detail: {}, currentRemoteId, unbindable };
}

describe('which resources NEW is bound to although they do not serve OLD', () => {
  it('binds a resource serving no certificate', () => {
    expect(bindDecision(candidate('a.example.com', null), context())).toEqual({ action: 'bind', reason: { en: 'serves no certificate yet', 'zh-CN': '尚未配置证书' } });
  });

  it('binds a resource serving an older copy of this lineage that is not one of the plan’s OLD copies', () => {
    expect(bindDecision(candidate('a.example.com', 'OLDEST'), context())).toMatchObject({ action: 'bind', reason: { en: expect.stringContaining('older copy') } });
    // Not in the library but with the same or fewer names, expiring earlier: the lineage too.
    expect(bindDecision(candidate('example.com', 'UNMATCHED-OLDER'), context())).toMatchObject({ action: 'bind' });
  });

  it('binds a resource serving an expired certificate, whatever it is', () => {
    expect(bindDecision(candidate('shop.example.com', 'EXPIRED'), context())).toMatchObject({
      action: 'bind',
      reason: { en: 'serves EXPIRED, which expired on 2026-11-30', 'zh-CN': expect.stringContaining('已于 2026-11-30 过期') },
    });
  });

  it('skips a resource serving another valid certificate, saying which and how to bind it anyway', () => {
    const decision = bindDecision(candidate('shop.example.com', 'FOREIGN'), context());
    expect(decision).toEqual({
      action: 'skip',
      reason: {
        en: 'serves another certificate (FOREIGN, shop.example.com, valid until 2027-06-01); name it to bind the new one anyway (certvault deploy --bind shop.example.com)',
        'zh-CN': '正在使用另一张证书（FOREIGN，shop.example.com，有效期至 2027-06-01）；如仍要绑定新证书，请明确指定它（certvault deploy --bind shop.example.com）',
      },
    });
    // A certificate the inventory does not know is treated the same: nothing says it may be replaced.
    expect(bindDecision(candidate('shop.example.com', 'UNKNOWN'), context())).toMatchObject({ action: 'skip', reason: { en: expect.stringContaining('(UNKNOWN)') } });
  });

  it('binds a resource serving another certificate once the user names it', () => {
    expect(bindDecision(candidate('shop.example.com', 'FOREIGN'), context({ named: new Set(['shop.example.com']) }))).toMatchObject({
      action: 'bind',
      reason: { en: expect.stringContaining('named to be bound: replaces FOREIGN') },
    });
  });

  it('blocks what NEW does not cover and what the cloud cannot bind, even when named', () => {
    const named = context({ named: new Set(['a.b.example.com', 'lb']) });
    expect(bindDecision(candidate('a.b.example.com', null), named)).toMatchObject({ action: 'blocked', reason: { en: 'the new certificate does not cover a.b.example.com' } });
    const hint = { en: 'no region', 'zh-CN': '无地域' };
    expect(bindDecision(candidate('lb', 'FOREIGN', ['x.example.com'], hint), named)).toEqual({ action: 'blocked', reason: hint });
  });

  it('leaves to other rows what serves OLD or is already planned, and reports one already serving NEW as done', () => {
    expect(bindDecision(candidate('a.example.com', 'OLD'), context())).toBeNull();
    expect(bindDecision(candidate('a.example.com', null), context({ planned: new Set(['a.example.com']) }))).toBeNull();
    expect(bindDecision(candidate('a.example.com', 'NEW'), context())).toMatchObject({ action: 'skip', reason: { en: 'already serves the new certificate' } });
  });

  it('builds one row per resource with what it serves now, and a resource without the cloud-only field', () => {
    const rows = bindRows([candidate('a.example.com', null), candidate('a.example.com', null), candidate('shop.example.com', 'FOREIGN'), candidate('x.example.com', 'OLD')], context(), 'EC P-256');
    expect(rows.map((r) => [r.row.id, r.row.action, r.row.currentRemoteId])).toEqual([
      ['a.example.com', 'bind', null],
      ['shop.example.com', 'skip', 'FOREIGN'],
    ]);
    expect(rows[1]!.row.diff).toMatchObject({ uncovered: [], oldNotAfter: '2027-06-01T00:00:00.000Z', newNotAfter: entry.notAfter, newKey: 'EC P-256' });
    expect(rows[0]!.resource).not.toHaveProperty('unbindable');
    expect(rows[0]!.resource).toMatchObject({ id: 'a.example.com', currentRemoteId: null });
  });
});
