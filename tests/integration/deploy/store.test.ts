import { expect, it } from 'vitest';
import type { DeployOptions } from '../../../shared/deploy';
import type { UploadFailure } from '../../../shared/uploads';
import type { DeployResource } from '../../../main/clouds/deploy';
import type { VaultDb } from '../../../main/core/db/vault-db';
import { DeployStore, type NewStep } from '../../../main/core/deploy/store';
import { LEASE_MS, type RowOwner } from '../../../main/core/db/row-owner';
import { forEachEngine } from '../../support/engines';

// The deployment history on both engines (tests/support/engines.ts): what is on record before a
// request leaves, what a crash leaves, how a step settles, the rollback and retire records, the
// history's order and filters, and one running deployment per certificate and account even when
// two writers claim it at the same moment.

const AT = '2026-05-01T08:00:00.000Z';
const FINGERPRINT = 'AB'.repeat(32);
const OPTIONS: DeployOptions = { retire: 'keep', verify: false };
const failure: UploadFailure = { code: 'deploy.not_covered', message: 'not covered', requestId: null, hint: null };

async function account(vault: VaultDb, id: string): Promise<void> {
  await vault.db.insertInto('cloud_accounts').values({ id, name: id, cloud: 'tencent', created_at: AT, updated_at: AT }).execute();
}

// Sent back unchanged by a check or a rollback: every field must round-trip.
const resource = (id: string): DeployResource => ({ type: 'cdn', id, name: id, domains: [id, `*.${id}`], region: 'ap-guangzhou', port: 443, detail: { http2: true, billing: null } });

function step(accountId: string, resources: NewStep['resources'] = [{ resource: resource('a.test'), action: 'replace', status: 'pending', error: null }]): NewStep {
  return { accountId, accountName: accountId, cloud: 'tencent', mode: 'rebind', oldRemoteId: 'old-1', newRemoteId: null, resources };
}

const owner = (pid: number, machine = 'this-host', name = 'tester'): RowOwner => ({ pid, machine, name });

function storeAt(vault: VaultDb, pid = 1000, start = Date.parse(AT), who: RowOwner = owner(pid)): { store: DeployStore; tick(ms?: number): void } {
  let now = start;
  return { store: new DeployStore(vault, () => new Date(now), who), tick: (ms = 1000) => void (now += ms) };
}

const deployment = (certificateId = 'cert-1', rollbackOf: string | null = null) => ({ certificateId, fingerprintSha256: FINGERPRINT, commonName: 'a.test', rollbackOf, options: OPTIONS });

forEachEngine('deployment store', (open) => {
  it('records the deployment, its steps and resources before anything is sent', async () => {
    const vault = await open();
    await account(vault, 'acc-1');
    const { store } = storeAt(vault);
    const { id, stepIds } = await store.create(deployment(), [
      step('acc-1', [
        { resource: resource('a.test'), action: 'replace', status: 'pending', error: null },
        { resource: resource('b.test'), action: 'skip', status: 'deployed', error: null },
        { resource: resource('c.test'), action: 'blocked', status: 'failed', error: failure },
      ]),
    ]);
    const [stored] = await store.steps(id);
    expect(stored).toMatchObject({ id: stepIds[0], status: 'running', phase: 'planned', handle: null, sealed: null, startedAt: AT, retired: [] });
    expect(stored!.resources[0]!.resource).toEqual(resource('a.test'));
    expect(stored!.resources.map((r) => [r.resource.id, r.action, r.status, r.error?.code ?? null, r.source])).toEqual([
      ['a.test', 'replace', 'pending', null, null],
      ['b.test', 'skip', 'deployed', null, null],
      ['c.test', 'blocked', 'failed', 'deploy.not_covered', 'app'],
    ]);
    const found = await store.deployment(id);
    // The fingerprint is kept lowercase whatever case it came in.
    expect(found!.record).toMatchObject({ id, certificateId: 'cert-1', fingerprintSha256: FINGERPRINT.toLowerCase(), rollbackOf: null, finishedAt: null });
    expect(found!.options).toEqual(OPTIONS);

    await store.markSent(stepIds[0]!);
    expect((await store.steps(id))[0]).toMatchObject({ phase: 'sent', handle: null });
    await store.setHandle(stepIds[0]!, { ref: 'task-7', data: { region: 'ap' } });
    await store.setNewRemoteId(stepIds[0]!, 'new-1');
    expect((await store.steps(id))[0]).toMatchObject({ phase: 'sent', handle: { ref: 'task-7', data: { region: 'ap' } }, newRemoteId: 'new-1' });
  });

  it("a step whose process is gone becomes 'unknown' with its unfinished resources; a live one stays running", async () => {
    const vault = await open();
    await account(vault, 'acc-1');
    await account(vault, 'acc-2');
    const crashed = storeAt(vault, 111).store;
    const live = storeAt(vault, 222).store;
    const { id } = await crashed.create(deployment('cert-1'), [
      step('acc-1', [
        { resource: resource('a.test'), action: 'replace', status: 'pending', error: null },
        { resource: resource('b.test'), action: 'skip', status: 'deployed', error: null },
      ]),
    ]);
    const { id: liveId } = await live.create(deployment('cert-2'), [step('acc-2')]);
    const reopened = storeAt(vault, 333).store;
    expect(await reopened.markAbandoned((pid) => pid === 222)).toBe(1);
    const [stepAfter] = await reopened.steps(id);
    expect(stepAfter!.status).toBe('unknown');
    expect(stepAfter!.resources.map((r) => r.status)).toEqual(['unknown', 'deployed']);
    expect((await reopened.steps(liveId))[0]!.status).toBe('running');
    expect(await reopened.unresolved()).toEqual([id]);
    // Nothing left to mark the second time.
    expect(await reopened.markAbandoned((pid) => pid === 222)).toBe(0);
  });

  it("another machine's step is judged by its heartbeat, never by a process id of this machine", async () => {
    const vault = await open();
    await account(vault, 'acc-1');
    let now = Date.parse(AT);
    const clock = () => new Date(now);
    const ann = new DeployStore(vault, clock, owner(111, 'ann-laptop', 'Ann'));
    const bob = new DeployStore(vault, clock, owner(222, 'bob-desktop', 'Bob'));
    const { id } = await ann.create(deployment(), [step('acc-1')]);
    // Pid 111 is not alive here, but it is Ann's pid on her machine: it says nothing.
    const noPidOnThisMachine = (pid: number) => {
      throw new Error(`asked about pid ${pid}`);
    };
    now += LEASE_MS - 1000;
    expect(await bob.markAbandoned(noPidOnThisMachine)).toBe(0);
    // Ann's heartbeat renews the lease; Bob's own (none running) touches nothing of hers.
    await ann.heartbeat();
    await bob.heartbeat();
    now += LEASE_MS;
    expect(await bob.markAbandoned(noPidOnThisMachine)).toBe(0);
    expect((await bob.steps(id))[0]!.status).toBe('running');
    // Ann's app crashed: no more heartbeats, and once the lease has run out the step is unknown.
    now += 2000;
    expect(await bob.markAbandoned(noPidOnThisMachine)).toBe(1);
    expect((await bob.steps(id))[0]!.status).toBe('unknown');
    expect(await bob.activeStep(FINGERPRINT, 'acc-1')).toMatchObject({ status: 'unknown', holder: { name: 'Ann', machine: 'ann-laptop' } });
  });

  it('settles a step: resource outcomes with their source, the rest taking its fate, the end and the retire on record', async () => {
    const vault = await open();
    await account(vault, 'acc-1');
    const { store, tick } = storeAt(vault);
    const { id, stepIds } = await store.create(deployment(), [
      step('acc-1', [
        { resource: resource('a.test'), action: 'replace', status: 'pending', error: null },
        { resource: resource('b.test'), action: 'replace', status: 'pending', error: null },
        { resource: resource('c.test'), action: 'replace', status: 'pending', error: null },
      ]),
    ]);
    const stepId = stepIds[0]!;
    await store.updateResources(stepId, [
      { resourceId: 'a.test', status: 'deployed', error: null },
      { resourceId: 'b.test', status: 'failed', error: failure, source: 'cloud' },
    ]);
    await store.settleUnfinished(stepId, 'failed');
    // A retire is on record before it is sent, and stays when the end says nothing of it.
    const retiring = [{ remoteId: 'old-1', action: 'delete' as const, done: false, error: failure }];
    await store.noteRetiring(stepId, retiring);
    tick();
    await store.finishStep(stepId, { status: 'partial', error: failure, verified: [{ domain: 'a.test', served: 'ab'.repeat(32), ok: true, error: null }] });
    await store.finishDeployment(id);
    const record = (await store.deployment(id))!.record;
    const [accountRecord] = record.accounts;
    expect(accountRecord!.resources.map((r) => [r.id, r.status, r.source])).toEqual([
      ['a.test', 'deployed', null],
      ['b.test', 'failed', 'cloud'],
      ['c.test', 'failed', null],
    ]);
    expect(accountRecord).toMatchObject({ status: 'partial', retired: retiring, error: { code: 'deploy.not_covered' }, finishedAt: '2026-05-01T08:00:01.000Z' });
    expect(accountRecord!.verified).toEqual([{ domain: 'a.test', served: 'ab'.repeat(32), ok: true, error: null }]);
    expect(record.finishedAt).toBe('2026-05-01T08:00:01.000Z');
    // A retire the end reports replaces the noted one.
    await store.finishStep(stepId, { status: 'partial', error: null, retired: [{ remoteId: 'old-1', action: 'delete', done: true, error: null }] });
    expect((await store.steps(id))[0]!.retired).toEqual([{ remoteId: 'old-1', action: 'delete', done: true, error: null }]);
  });

  it('keeps the sealed rollback material byte for byte, records the rollback and marks the step it undid', async () => {
    const vault = await open();
    await account(vault, 'acc-1');
    const { store, tick } = storeAt(vault);
    const { id, stepIds } = await store.create(deployment(), [step('acc-1')]);
    const sealed = { nonce: Buffer.from([0, 1, 2, 255, 0]), ciphertext: Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) % 256)) };
    await store.setSealed(stepIds[0]!, sealed);
    await store.finishStep(stepIds[0]!, { status: 'deployed', error: null });
    const back = (await store.steps(id))[0]!.sealed!;
    expect(Buffer.compare(Buffer.from(back.nonce), sealed.nonce)).toBe(0);
    expect(Buffer.compare(Buffer.from(back.ciphertext), sealed.ciphertext)).toBe(0);

    tick();
    const rollback = await store.create(deployment('cert-1', id), [step('acc-1')]);
    await store.finishStep(rollback.stepIds[0]!, { status: 'deployed', error: null });
    await store.markRolledBack(stepIds[0]!);
    expect((await store.deployment(rollback.id))!.record.rollbackOf).toBe(id);
    expect((await store.deployment(id))!.record.accounts[0]!.status).toBe('rolled-back');
  });

  it('lists the history newest first, by certificate and up to a limit, and resolves ids from a unique prefix', async () => {
    const vault = await open();
    await account(vault, 'acc-1');
    const { store, tick } = storeAt(vault);
    const first = await store.create(deployment('cert-1'), [step('acc-1')]);
    tick();
    const second = await store.create(deployment('cert-2'), [step('acc-1')]);
    tick();
    const third = await store.create(deployment('cert-1'), []);
    expect((await store.list()).map((d) => d.id)).toEqual([third.id, second.id, first.id]);
    expect((await store.list({ certificateId: 'cert-1' })).map((d) => d.id)).toEqual([third.id, first.id]);
    expect((await store.list({ limit: 1 })).map((d) => d.id)).toEqual([third.id]);
    expect((await store.list({ certificateId: 'nope' }))).toEqual([]);
    expect((await store.list())[0]!.accounts).toEqual([]);

    expect(await store.resolveId(second.id)).toBe(second.id);
    expect(await store.resolveId(second.id.slice(0, 8))).toBe(second.id);
    expect(await store.resolveId('')).toBeNull();
    // LIKE's wildcards are taken literally.
    expect(await store.resolveId('%')).toBeNull();
    expect(await store.resolveId('_')).toBeNull();
    expect(await store.resolveId('missing')).toBeNull();
  });

  it('finds the running or unresolved step of a certificate on an account, and a refusing guard writes nothing', async () => {
    const vault = await open();
    await account(vault, 'acc-1');
    await account(vault, 'acc-2');
    const { store } = storeAt(vault);
    const { id, stepIds } = await store.create(deployment(), [step('acc-1')]);
    const holder = { name: 'tester', machine: 'this-host', since: AT };
    expect(await store.activeStep(FINGERPRINT.toLowerCase(), 'acc-1')).toEqual({ deploymentId: id, status: 'running', holder });
    expect(await store.activeStep(FINGERPRINT, 'acc-2')).toBeNull();
    await expect(
      store.create(deployment(), [step('acc-1')], async (active) => {
        if (await active(FINGERPRINT, 'acc-1')) throw new Error('held');
      }),
    ).rejects.toThrow('held');
    expect(await store.list()).toHaveLength(1);
    await store.finishStep(stepIds[0]!, { status: 'unknown', error: null });
    // Who ran it stays on record after the claim ends.
    expect(await store.activeStep(FINGERPRINT, 'acc-1')).toEqual({ deploymentId: id, status: 'unknown', holder });
    await store.finishStep(stepIds[0]!, { status: 'deployed', error: null });
    expect(await store.activeStep(FINGERPRINT, 'acc-1')).toBeNull();
  });

  it('two writers claiming one certificate on one account at the same moment: exactly one records it', async () => {
    const vault = await open();
    await account(vault, 'acc-1');
    const one = storeAt(vault, 111).store;
    const other = storeAt(vault, 222).store;
    // Each checks, then lingers before inserting: without a lock held from check to insert, both would find nothing and both record.
    const claim = (store: DeployStore) =>
      store.create(deployment(), [step('acc-1')], async (active) => {
        const found = await active(FINGERPRINT, 'acc-1');
        if (found) throw new Error(`held by ${found.deploymentId}`);
        await new Promise((resolve) => setTimeout(resolve, 150));
      });
    const results = await Promise.allSettled([claim(one), claim(other)]);
    const won = results.filter((r) => r.status === 'fulfilled');
    const lost = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    const winner = (won[0] as PromiseFulfilledResult<{ id: string }>).value.id;
    expect(String(lost[0]!.reason)).toContain(`held by ${winner}`);
    expect((await one.list()).map((d) => d.id)).toEqual([winner]);
  });
});
