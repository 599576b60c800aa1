import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DeployOptions } from '../../../shared/deploy';
import type { BindCandidate } from '../../../main/clouds/deploy';
import { log } from '../../../main/core/log';
import { FakeDeployCloud } from './fake-deploy-cloud';
import { FakeClock } from '../../unit/uploads/support/fake-clock';
import { makeCerts, openWorld, type TestCert, type World } from './world';

// The engine's bind rows over the scripted cloud, where no task record can be read back: a start
// whose answer was lost is settled by what the resources serve (a bound resource counts as
// deployed once it serves NEW, as not moved while it does not), a rollback of a bind, and a step
// that only binds on an account that never held an older copy.
log.setSink(null);

/** The scripted cloud, also listing bind candidates: every resource of the account, with what it serves. */
function bindingCloud(clock: FakeClock): FakeDeployCloud {
  const cloud = new FakeDeployCloud(clock);
  cloud.deployer = {
    ...cloud.deployer,
    candidates: async (ctx): Promise<BindCandidate[]> =>
      [...(cloud.resources.get(ctx.credentials.accessKeyId)?.values() ?? [])].map((r) => ({ ...r.resource, currentRemoteId: r.certId || null, unbindable: null })),
  };
  return cloud;
}

let NEW: TestCert;
let worlds: World[] = [];
beforeAll(() => {
  [NEW] = makeCerts([{ names: ['a.bind.test', 'b.bind.test'], days: 365 }]) as [TestCert];
}, 60_000);
afterEach(() => {
  for (const w of worlds) w.close();
  worlds = [];
});

const keep: DeployOptions = { retire: 'keep', verify: false };

/** NEW in the library and already on account `prod`, where `a` and `b` serve nothing yet. */
async function firstDeployment(): Promise<{ w: World; cloud: FakeDeployCloud; entryId: string }> {
  const clock = new FakeClock(Date.parse('2026-01-01T00:00:00Z'));
  const cloud = bindingCloud(clock);
  const w = openWorld({ cloud, clock });
  worlds.push(w);
  const entry = await w.import(NEW);
  await w.addAccount('prod');
  cloud.addCert('prod', { remoteId: 'new-1', fingerprintSha256: entry.fingerprintSha256, commonName: entry.commonName, dnsNames: entry.dnsNames, notAfter: entry.notAfter });
  cloud.bind('prod', '', { id: 'a.bind.test' });
  cloud.bind('prod', '', { id: 'b.bind.test' });
  return { w, cloud, entryId: entry.id };
}

async function run(w: World, id: string) {
  const started = await w.clock.settle(w.deploy.start(id, keep));
  return { id: started.deploymentId, record: await w.clock.settle(started.done) };
}

describe('deploy engine: bind rows', () => {
  it('plans a step that only binds, tells the deployer which resources are binds, and rolls them back', async () => {
    const { w, cloud, entryId } = await firstDeployment();
    const plan = await w.clock.settle(w.deploy.plan(entryId, keep));
    expect(plan.accounts).toEqual([expect.objectContaining({ oldRemoteId: null, newRemoteId: 'new-1', uploadFirst: false, blockedBecause: null })]);
    expect(plan.accounts[0]!.resources.map((r) => [r.id, r.action])).toEqual([
      ['a.bind.test', 'bind'],
      ['b.bind.test', 'bind'],
    ]);
    const started = cloud.tasks.size;
    const { id, record } = await run(w, entryId);
    expect(record.accounts[0]).toMatchObject({ status: 'deployed', oldRemoteId: null, newRemoteId: 'new-1' });
    const task = [...cloud.tasks.values()][started]!;
    expect(task.step).toMatchObject({ oldRemoteId: '', newRemoteId: 'new-1', binds: ['a.bind.test', 'b.bind.test'] });
    expect(cloud.serving('prod')).toEqual({ 'a.bind.test': 'new-1', 'b.bind.test': 'new-1' });

    const back = await w.clock.settle(w.deploy.rollback(id));
    const rolled = await w.clock.settle(back.done);
    expect(rolled.accounts[0]).toMatchObject({ status: 'rolled-back', resources: [{ status: 'rolled-back' }, { status: 'rolled-back' }] });
    expect(cloud.serving('prod')).toEqual({ 'a.bind.test': '', 'b.bind.test': '' });
  });

  it('a lost answer: the bound resources now serve NEW, so they are deployed; nothing is sent twice', async () => {
    const { w, cloud, entryId } = await firstDeployment();
    cloud.startFault = 'lost';
    const { record } = await run(w, entryId);
    expect(record.accounts[0]).toMatchObject({ status: 'deployed', resources: [{ status: 'deployed' }, { status: 'deployed' }] });
    expect(cloud.ops('start')).toHaveLength(1);
  });

  it('an unclear answer stays unknown while a task may still run; check then finds them not moved', async () => {
    const { w, cloud, entryId } = await firstDeployment();
    cloud.startFault = 'unclear';
    const { id, record } = await run(w, entryId);
    expect(record.accounts[0]).toMatchObject({ status: 'unknown', resources: [{ status: 'unknown' }, { status: 'unknown' }] });

    const [checked] = await w.clock.settle(w.deploy.check([id]));
    expect(checked!.accounts[0]).toMatchObject({
      status: 'failed',
      resources: [{ status: 'failed', error: { code: 'deploy.not_moved' } }, { status: 'failed', error: { code: 'deploy.not_moved' } }],
    });
    expect(cloud.ops('start')).toHaveLength(1);
    expect(cloud.serving('prod')).toEqual({ 'a.bind.test': '', 'b.bind.test': '' });
  });
});
