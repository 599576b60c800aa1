import type { HttpClient, HttpRequest, HttpResponse } from '../main/clouds/http';
import { createHttpClient } from '../main/clouds/http-client';
import { startTencentEmulator } from '../tests/emulators/tencent';
import { makeLeaves } from '../tests/integration/uploads/certs';
import { writeSection } from './report';
import { benchCredentials, materialOf, openRig } from './upload-rig';

// Claim: 100 certificates uploaded to one Tencent account, whose API allows 10 requests per
// second, finish without a single throttling answer. Between the client and the emulator sits a
// gate that behaves like a strict cloud: an 11th request within any 1000 ms window is refused
// with Tencent's own RequestLimitExceeded answer instead of being forwarded.

const CERTIFICATES = 100;
const LIMIT = 10;
const WINDOW_MS = 1000;

class ThrottlingGate implements HttpClient {
  readonly sent: number[] = [];
  throttled = 0;
  constructor(private readonly inner: HttpClient) {}

  async send(request: HttpRequest): Promise<HttpResponse> {
    const now = performance.now();
    const recent = this.sent.filter((at) => now - at < WINDOW_MS).length;
    this.sent.push(now);
    if (recent >= LIMIT) {
      this.throttled += 1;
      const body = { Response: { Error: { Code: 'RequestLimitExceeded', Message: `Your current request times exceeds the frequency limit \`${LIMIT}\` for a second.` }, RequestId: `gate-${this.throttled}` } };
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
    }
    return this.inner.send(request);
  }

  /** The most requests that fell within any window of WINDOW_MS. */
  peak(): number {
    let best = 0;
    for (let i = 0, j = 0; j < this.sent.length; j += 1) {
      while (this.sent[j]! - this.sent[i]! >= WINDOW_MS) i += 1;
      best = Math.max(best, j - i + 1);
    }
    return best;
  }
}

export async function run(): Promise<void> {
  const [credential] = benchCredentials('tencent', 1);
  const emulator = await startTencentEmulator({ credentials: [credential!] });
  const gate = new ThrottlingGate(createHttpClient({ timeoutMs: 30_000 }));
  const rig = openRig(gate);
  try {
    const account = await rig.addAccount('tencent', 'tencent-bench', emulator.url, credential!);
    const materials = [];
    for (const leaf of makeLeaves(CERTIFICATES, { prefix: 'rate' })) materials.push(await materialOf(leaf, rig.dataDir));

    let retries = 0;
    const started = performance.now();
    const jobs = materials.map(async (material) => {
      const targets = await rig.service.resolveTargets(material, [{ accountId: account.id }]);
      return rig.service.jobs.start({ certificateId: null, fingerprintSha256: material.leaf.fingerprintSha256, loadMaterial: async () => material, targets }, material, (progress) => {
        if (progress.state === 'retrying') retries += 1;
      }).done;
    });
    const summaries = await Promise.all(jobs);
    const seconds = (performance.now() - started) / 1000;
    const results = summaries.flatMap((summary) => summary.results);
    const uploaded = results.filter((r) => r.status === 'uploaded').length;
    const requests = gate.sent.length;
    console.log(`${uploaded}/${CERTIFICATES} uploaded in ${seconds.toFixed(1)} s, ${requests} requests, peak ${gate.peak()} per ${WINDOW_MS} ms, ${gate.throttled} throttled, ${retries} retries`);
    writeSection(
      'Upload: rate limit',
      `${CERTIFICATES} certificates (EC P-256 leaf + intermediate + key) started at once, each to the same Tencent account
(documented limit ${LIMIT} requests/s), against the Tencent emulator behind a gate that refuses the ${LIMIT + 1}th request
in any ${WINDOW_MS} ms window with Tencent's \`RequestLimitExceeded\`. Each certificate costs two requests: the
list call that dedupes, then the upload; both are paced per account at 10% under the limit, by the clock
at the moment each request leaves (main/core/uploads/pacing.ts). On this shared machine, slots reserved in
advance (a token bucket) at exactly ${LIMIT}/s got 175 throttling answers and 5 failed uploads, and at 9/s still 3
after a stall bunched late wake-ups together; measuring at release time keeps every second within the limit. Node ${process.version}, ${new Date().toISOString().slice(0, 10)}, on a shared 2-core machine.

| Certificates uploaded | Requests | Total time (s) | Requests/s | Peak requests in any ${WINDOW_MS} ms | Throttling answers received | Retries |
| ---: | ---: | ---: | ---: | ---: | ---: | ---: |
| ${uploaded}/${CERTIFICATES} | ${requests} | ${seconds.toFixed(1)} | ${(requests / seconds).toFixed(1)} | ${gate.peak()} | ${gate.throttled} | ${retries} |

Target: zero throttling errors received. ${gate.throttled === 0 ? 'Met' : 'Missed'}.`,
    );
  } finally {
    rig.close();
    await emulator.close();
  }
}
