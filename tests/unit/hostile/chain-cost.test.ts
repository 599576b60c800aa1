// Chain building on a crafted input stays linear: hundreds of CAs sharing one name and leaves that
// verify under none of them cost a bounded number of signature checks, and the answer is still right.
import { describe, expect, it } from 'vitest';
import { inspectContent } from '../../../main/core/inspect';
import { MAX_ISSUER_CHECKS } from '../../../main/core/inspect/chain';
import { signaturesComputed } from '../../../main/core/inspect/signature';
import { sameNamedCas } from './hostile-pki';

describe('chain building on same-named CAs', () => {
  it('checks a bounded number of signatures and reports the chain as unverified', async () => {
    const text = await sameNamedCas(200, 200);
    expect(text.length).toBeGreaterThan(150_000);
    const before = signaturesComputed();
    const inspection = await inspectContent([], text, { now: new Date() });
    const spent = signaturesComputed() - before;
    // 200 self-signatures, the issuer search's budget, and the links of the one path shown.
    expect(spent).toBeLessThanOrEqual(200 + MAX_ISSUER_CHECKS + 10);
    expect(inspection.certificates).toHaveLength(400);
    expect(inspection.chain.order[0]).toMatch(/./);
    const leaf = inspection.certificates.find((c) => c.fingerprintSha256 === inspection.chain.order[0]);
    expect(leaf?.commonName).toMatch(/^leaf\d+\.test$/);
    expect(inspection.chain.links.every((link) => link.signatureValid)).toBe(false);
  });
});
