import { describe, expect, it } from 'vitest';
import type { CloudAccount, CloudDescription } from '../../../shared/uploads';
import { inPickerOrder, pickerGroups } from '../../../renderer/src/routes/uploads/picker-order';
import { targetsFor, withTargets } from '../../../renderer/src/routes/uploads/remembered-targets';

describe('remembered upload targets', () => {
  const existing = new Set(['a', 'b', 'c']);

  it('pre-checks nothing for a certificate never uploaded, whatever others were uploaded to', () => {
    expect(targetsFor({ other: ['a', 'b', 'c'] }, ['new'], existing)).toEqual([]);
  });

  it("uses the certificate's own targets, else the first of its lineage that has some", () => {
    const remembered = { old: ['a'], older: ['b'], current: ['c'] };
    expect(targetsFor(remembered, ['current', 'old'], existing)).toEqual(['c']);
    expect(targetsFor(remembered, ['renewal', 'old', 'older'], existing)).toEqual(['a']);
  });

  it('drops accounts that no longer exist', () => {
    expect(targetsFor({ x: ['a', 'gone', 'c'] }, ['x'], existing)).toEqual(['a', 'c']);
  });

  it('replaces a certificate’s targets and keeps the newest certificates when full', () => {
    let remembered = withTargets({}, 'x', ['a']);
    remembered = withTargets(remembered, 'x', ['b']);
    expect(remembered).toEqual({ x: ['b'] });
    for (let i = 0; i < 600; i += 1) remembered = withTargets(remembered, `c${i}`, ['a']);
    expect(Object.keys(remembered)).toHaveLength(500);
    expect(remembered.x).toBeUndefined();
    expect(remembered.c599).toEqual(['a']);
  });
});

describe('picker order', () => {
  const cloud = (id: CloudDescription['id']) => ({ id }) as CloudDescription;
  const account = (id: string, cloudId: CloudAccount['cloud']) => ({ id, cloud: cloudId }) as CloudAccount;

  it('orders targets by cloud group, then by account, as the picker shows them', () => {
    // Accounts come sorted by name; the picker groups them by cloud in the clouds' order.
    const accounts = [account('aliyun-prod', 'aliyun'), account('huawei-prod', 'huawei'), account('tencent-prod', 'tencent'), account('tencent-test', 'tencent')];
    const groups = pickerGroups(accounts, [cloud('tencent'), cloud('aliyun'), cloud('huawei')]);
    const targets = ['aliyun-prod', 'tencent-test', 'huawei-prod', 'tencent-prod'].map((accountId) => ({ accountId }));
    expect(inPickerOrder(targets, groups).map((target) => target.accountId)).toEqual(['tencent-prod', 'tencent-test', 'aliyun-prod', 'huawei-prod']);
  });
});
