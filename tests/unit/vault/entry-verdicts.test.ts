import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { entryDetailWithVerdicts } from '../../../main/core/cloud-verdicts';
import { sm2FixturesDir } from '../../fixtures/paths';
import { makeCa, makeLeaf, type Issued } from './helpers/pki';
import { openTestVault, text, type TestVault } from './helpers/vault';

// The library's detail pane shows the same per-cloud verdict as the inspector, judged on what an
// upload of the stored entry would send.

let leaf: Issued;
let t: TestVault;
beforeAll(async () => {
  leaf = await makeLeaf(await makeCa('Verdict Test CA'), { commonName: 'verdicts.example.com' });
});
afterEach(() => t?.cleanup());

const okClouds = (verdicts: readonly { cloud: string; ok: boolean }[]) => verdicts.filter((v) => v.ok).map((v) => v.cloud).sort();

describe('cloud verdicts of a library entry', () => {
  it('accepts an entry with its sealed key everywhere', async () => {
    t = openTestVault();
    const { imported } = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    const detail = await entryDetailWithVerdicts(t.vault, imported[0]!.id);
    expect(okClouds(detail.inspection.verdicts)).toEqual(['aliyun', 'huawei', 'tencent', 'tencent-intl', 'volcengine']);
  });

  it('says the key is missing when the entry has none', async () => {
    t = openTestVault();
    const { imported } = await t.vault.importContent([text('cert.pem', leaf.certPem)]);
    const detail = await entryDetailWithVerdicts(t.vault, imported[0]!.id);
    expect(okClouds(detail.inspection.verdicts)).toEqual([]);
    expect(detail.inspection.verdicts.every((v) => v.issues.some((issue) => issue.field === 'privateKey'))).toBe(true);
  });

  it('treats an unrecoverable key as no key, without failing the detail view', async () => {
    t = openTestVault();
    const { imported } = await t.vault.importContent([text('bundle.pem', leaf.certPem, leaf.keyPem)]);
    t.secrets.secrets.clear();
    const detail = await entryDetailWithVerdicts(t.reopen(), imported[0]!.id);
    expect(detail.keyState).toBe('unrecoverable');
    expect(okClouds(detail.inspection.verdicts)).toEqual([]);
  });

  it('judges a stored SM2 dual certificate as the clouds that take SM2 would', async () => {
    t = openTestVault();
    const files = ['chain-ca.crt', 'server_sign.crt', 'server_sign.key', 'server_enc.crt', 'server_enc.key'];
    const { imported } = await t.vault.importContent(files.map((name) => ({ name, data: readFileSync(join(sm2FixturesDir, name)) })));
    const entry = imported.find((candidate) => !candidate.duplicate) ?? imported[0]!;
    const detail = await entryDetailWithVerdicts(t.vault, entry.id);
    expect(okClouds(detail.inspection.verdicts)).toEqual(['aliyun', 'huawei']);
  });
});
