import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectContent } from '../../../main/core/inspect';
import { cloudVerdicts } from '../../../main/core/cloud-verdicts';
import type { Inspection } from '../../../shared/model';
import { sm2FixturesDir } from '../../fixtures/paths';

const generated = join(__dirname, '../../fixtures/generated');
const sm2 = sm2FixturesDir;
const now = new Date('2026-01-01T00:00:00Z');

async function inspect(...paths: string[]): Promise<Inspection> {
  const files = paths.map((path) => ({ name: path, data: readFileSync(path) }));
  return inspectContent(files, undefined, { now, verdicts: cloudVerdicts });
}

const verdictOf = (inspection: Inspection, cloud: string) => inspection.verdicts.find((v) => v.cloud === cloud);

describe('cloud verdicts in the inspector', () => {
  it('accepts an RSA chain with its key on every cloud', async () => {
    const inspection = await inspect(join(generated, 'rsa2048/fullchain.pem'), join(generated, 'rsa2048/leaf.key'));
    expect(inspection.verdicts.map((v) => v.cloud).sort()).toEqual(['aliyun', 'huawei', 'tencent', 'tencent-intl', 'volcengine']);
    expect(inspection.verdicts.every((v) => v.ok)).toBe(true);
  });

  it('says where a certificate without its key cannot go, in both languages', async () => {
    const inspection = await inspect(join(generated, 'rsa2048/fullchain.pem'));
    const tencent = verdictOf(inspection, 'tencent');
    expect(tencent?.ok).toBe(false);
    expect(tencent?.issues[0]?.field).toBe('privateKey');
    expect(tencent?.issues[0]?.message.en).toMatch(/key/i);
    expect(tencent?.issues[0]?.message['zh-CN']).toMatch(/私钥/);
  });

  it('accepts an SM2 dual certificate only where the API takes SM2', async () => {
    const inspection = await inspect(
      join(sm2, 'chain-ca.crt'),
      join(sm2, 'server_sign.crt'),
      join(sm2, 'server_sign.key'),
      join(sm2, 'server_enc.crt'),
      join(sm2, 'server_enc.key'),
    );
    const accepted = inspection.verdicts.filter((v) => v.ok).map((v) => v.cloud).sort();
    expect(accepted).toEqual(['aliyun', 'huawei']);
  });

  it('ignores account settings (region, project) that the upload form asks for', async () => {
    const inspection = await inspect(join(generated, 'p256/fullchain.pem'), join(generated, 'p256/leaf.key'));
    const huawei = verdictOf(inspection, 'huawei');
    expect(huawei?.issues.map((issue) => issue.field)).toEqual([]);
  });
});
