// Chains complete from what is trusted: a chain that stops short of its root (certbot's chain.pem)
// ends at a root from the platform's trust store or the library, and says which; a root that is
// nowhere leaves it incomplete.
import { readFileSync } from 'node:fs';
import { describe, expect, it, beforeAll } from 'vitest';
import { anchorsWith, inspectContent, TrustAnchors } from '../../../main/core/inspect';
import { makeCa, makeLeaf, type Issued } from '../vault/helpers/pki';
import { certvault } from '../cli/io';
import { openTestVault } from '../vault/helpers/vault';
import { dispatch } from '../../../main/core/ipc/dispatch';
import type { HandlerContext } from '../../../main/core/ipc/context';
import type { Inspection } from '../../../shared/model';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const now = new Date();
const MOZILLA = '/usr/share/ca-certificates/mozilla';
let root: Issued;
let leaf: Issued;
const pem = (name: string, text: string) => ({ name, data: Buffer.from(text) });
const derOf = (issued: Issued) => new Uint8Array(issued.cert.rawData);

beforeAll(async () => {
  root = await makeCa('Trust Test Root');
  leaf = await makeLeaf(root, { commonName: 'trust.example.com' });
});

describe('chains completed from trust anchors', () => {
  it('ends a chain without its root at the trusted root and says so', async () => {
    const anchors = new TrustAnchors(() => [{ der: derOf(root), source: 'system' }]);
    const inspection = await inspectContent([pem('cert.pem', leaf.certPem)], undefined, { now, anchors });
    expect(inspection.chain.complete).toBe(true);
    expect(inspection.chain.verified).toBe(true);
    expect(inspection.chain.order).toHaveLength(2);
    expect(inspection.chain.root).toMatchObject({ name: 'Trust Test Root', trustedBy: 'system', fromInput: false });
    expect(inspection.certificates.map((c) => c.commonName)).toEqual(['trust.example.com', 'Trust Test Root']);
    expect(inspection.problems.map((p) => p.code)).not.toContain('chain.incomplete');
  });

  it('prefers a CA certificate from the library, and names it as such', async () => {
    const inspection = await inspectContent([pem('cert.pem', leaf.certPem)], undefined, { now, anchors: anchorsWith([derOf(root)]) });
    expect(inspection.chain.root).toMatchObject({ trustedBy: 'library', fromInput: false });
  });

  it('leaves a chain whose root is nowhere incomplete', async () => {
    const inspection = await inspectContent([pem('cert.pem', leaf.certPem)], undefined, { now });
    expect(inspection.chain.complete).toBe(false);
    expect(inspection.chain.root).toBeUndefined();
    expect(inspection.problems.map((p) => p.code)).toContain('chain.incomplete');
  });

  it('does not take an anchor whose key does not verify the signature', async () => {
    const impostor = await makeCa('Trust Test Root');
    const inspection = await inspectContent([pem('cert.pem', leaf.certPem)], undefined, { now, anchors: new TrustAnchors(() => [{ der: derOf(impostor), source: 'system' }]) });
    expect(inspection.chain.complete).toBe(false);
  });

  it('says a real Mozilla root is trusted by the system, and a self-made one only by the input', async () => {
    const isrg = readFileSync(`${MOZILLA}/ISRG_Root_X1.crt`, 'utf8');
    const real = await inspectContent([pem('isrg.crt', isrg)], undefined, { now });
    expect(real.chain.root).toMatchObject({ name: 'ISRG Root X1', trustedBy: 'system', fromInput: true });
    const own = await inspectContent([pem('chain.pem', leaf.certPem + root.certPem)], undefined, { now });
    expect(own.chain.root).toMatchObject({ name: 'Trust Test Root', trustedBy: 'input', fromInput: true });
  });
});

describe('certvault inspect', () => {
  it('says where the chain ends and who trusts it, in text and JSON', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-trust-'));
    const file = `${MOZILLA}/ISRG_Root_X1.crt`;
    const text = await certvault(['inspect', file], { home });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/Complete +yes, ends at ISRG Root X1, trusted by the system\n/);
    const json = JSON.parse((await certvault(['inspect', '--json', file], { home })).stdout);
    expect(json.chain).toMatchObject({ complete: true, root: { name: 'ISRG Root X1', trustedBy: 'system', fromInput: true } });
    const leafFile = path.join(home, 'cert.pem');
    fs.writeFileSync(leafFile, leaf.certPem);
    expect((await certvault(['inspect', leafFile], { home })).stdout).toMatch(/Complete +no, issuer not found: CN=Trust Test Root\n/);
    fs.rmSync(home, { recursive: true, force: true });
  });
});

describe('the library as a trust anchor', () => {
  it('completes a leaf entry and an inspection from a CA certificate already in the library', async () => {
    const t = openTestVault();
    try {
      await t.vault.importContent([pem('root.pem', root.certPem)]);
      const { imported } = await t.vault.importContent([pem('cert.pem', leaf.certPem)]);
      const detail = await t.vault.detail(imported[0]!.id);
      expect(detail.inspection.chain.complete).toBe(true);
      expect(detail.inspection.chain.root).toMatchObject({ name: 'Trust Test Root', trustedBy: 'library', fromInput: false });
      const ctx = { dataDir: t.dir, now: () => new Date(), vault: () => t.vault } as unknown as HandlerContext;
      const result = await dispatch(ctx, 'inspect.content', { files: [], text: leaf.certPem });
      expect((result as { value: Inspection }).value.chain.root).toMatchObject({ trustedBy: 'library' });
    } finally {
      t.cleanup();
    }
  });
});
