import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyServed, type VerifyAttempt, type VerifyClock } from '../../../main/core/tls';
import { TlsFront, emulatorLookup } from '../../emulators/tls-front';
import { EmulatorState } from '../../emulators/server';
import { seedCertificate, seedResource } from '../../emulators/seed';
import { makeTlsPki, SITE_NAMES, type TlsPki } from './pki';

// verifyServed against a TLS front fed by an emulator's bindings: a deployment moves the resource
// from OLD to NEW and the front keeps serving OLD for a while, as a CDN does.

let pki: TlsPki;
beforeAll(() => {
  pki = makeTlsPki();
});

/** An emulator account with one CDN resource for SITE_NAMES bound to OLD, NEW uploaded beside it. */
function emulator(): { state: EmulatorState; deploy: () => void } {
  const state = new EmulatorState(() => new Date());
  seedCertificate(state, 'old-id', { account: 'AK1', certificatePem: pki.old.chainPem, privateKeyPem: pki.old.keyPem });
  seedCertificate(state, 'new-id', { account: 'AK1', certificatePem: pki.new.chainPem, privateKeyPem: pki.new.keyPem });
  const resource = seedResource(state, { account: 'AK1', certificateId: 'old-id', type: 'cdn', region: '', instance: { Domains: [...SITE_NAMES] } });
  const deploy = () => {
    state.resources.splice(state.resources.indexOf(resource), 1, { ...resource, certificateId: 'new-id' });
  };
  return { state, deploy };
}

const domainsOf = (resource: { instance: Readonly<Record<string, unknown>> }) => resource.instance.Domains as string[];

/** Time that passes only when verifyServed sleeps; the sleeps are recorded. */
function fakeClock(): VerifyClock & { sleeps: number[] } {
  let now = 0;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += ms;
    },
  };
}

describe('verifyServed', () => {
  let fronts: TlsFront[] = [];
  afterAll(async () => {
    await Promise.all(fronts.map((front) => front.close()));
    fronts = [];
  });
  async function frontFor(state: EmulatorState, propagationDelayMs = 0): Promise<TlsFront> {
    const front = await TlsFront.start({ lookup: emulatorLookup(state, domainsOf), propagationDelayMs });
    fronts.push(front);
    return front;
  }

  it('retries while OLD is still served and succeeds once every domain serves NEW', async () => {
    const { state, deploy } = emulator();
    const front = await frontFor(state, 400);
    front.snapshot(SITE_NAMES);
    deploy();
    const attempts: VerifyAttempt[] = [];
    const results = await verifyServed({
      domains: [...SITE_NAMES],
      expectedFingerprint: pki.new.sha256.toUpperCase().replace(/(..)(?!$)/g, '$1:'),
      initialDelayMs: 100,
      timeoutMs: 30_000,
      resolve: front.resolver,
      onAttempt: (attempt) => attempts.push(attempt),
    });
    expect(results).toEqual(SITE_NAMES.map((domain) => ({ domain, served: pki.new.sha256, ok: true, error: null })));
    for (const domain of SITE_NAMES) {
      const mine = attempts.filter((a) => a.domain === domain);
      expect(mine[0]).toMatchObject({ attempt: 1, served: pki.old.sha256, ok: false, nextDelayMs: 100 });
      expect(mine.at(-1)).toMatchObject({ served: pki.new.sha256, ok: true, nextDelayMs: null });
    }
  });

  it('ends with "deployed but not yet served" when OLD is still served at the deadline', async () => {
    const { state } = emulator();
    const front = await frontFor(state);
    const clock = fakeClock();
    const [result] = await verifyServed({
      domains: [{ domain: 'www.site.test', port: 8443 }],
      expectedFingerprint: pki.new.sha256,
      timeoutMs: 60_000,
      initialDelayMs: 5_000,
      backoff: 2,
      maxDelayMs: 15_000,
      resolve: front.resolver,
      clock,
    });
    // 5, 10, then capped at 15 s, and the last pause only as long as the time left.
    expect(clock.sleeps).toEqual([5_000, 10_000, 15_000, 15_000, 15_000]);
    expect(result).toMatchObject({ domain: 'www.site.test', served: pki.old.sha256, ok: false });
    expect(result!.error!.code).toBe('tls.not_yet_served');
    expect(result!.error!.message).toContain(' after 60 s of checking ');
    expect(result!.error!.message).toContain('Deployed but not yet served');
    expect(result!.error!.hint!['zh-CN']).toContain('已部署但尚未生效');
  });

  it('reports the last TLS error for a domain that never answered', async () => {
    const { state } = emulator();
    const front = await frontFor(state);
    const clock = fakeClock();
    const [result] = await verifyServed({
      domains: ['unbound.site.test'],
      expectedFingerprint: pki.new.sha256,
      timeoutMs: 20_000,
      resolve: front.resolver,
      clock,
    });
    expect(result).toMatchObject({ domain: 'unbound.site.test', served: null, ok: false });
    expect(result!.error!.code).toBe('tls.handshake_failed');
  });

  it('stops when cancelled: domains not yet verified end as cancelled', async () => {
    const { state } = emulator();
    const front = await frontFor(state);
    const controller = new AbortController();
    const results = await verifyServed({
      domains: [...SITE_NAMES],
      expectedFingerprint: pki.new.sha256,
      initialDelayMs: 60_000,
      resolve: front.resolver,
      signal: controller.signal,
      concurrency: 1,
      onAttempt: () => controller.abort(),
    });
    expect(results.map((r) => [r.domain, r.error?.code])).toEqual(SITE_NAMES.map((domain) => [domain, 'cancelled']));
    expect(results[0]!.served).toBe(pki.old.sha256);
  });
});
