import { describe, expect, it } from 'vitest';
import { huawei } from '../../../main/clouds/huawei';
import type { CloudProvider } from '../../../main/clouds/provider';
import { providers } from '../../../main/clouds/registry';
import { resolveOptions } from '../../../main/core/uploads/plan';
import { context, json, material, pem, ScriptedHttp } from '../clouds/http-fake';
import { FakeClock } from './support/fake-clock';
import { testVault } from './support/vault';

// A PEM option (Huawei's trusted root CA) is drawn as a multi-line field, so a pasted certificate
// keeps its line breaks, and it reaches the cloud's request body with them, whether it comes from
// the account's defaults or from the upload form.

const PROJECT = '0123456789abcdef0123456789abcdef';
const ROOT_CA = pem('CERTIFICATE', `MIIB${'r'.repeat(150)}`);

/** The `trusted_root_ca` Huawei is sent, after the pre-flight merged account defaults and the form's edits. */
async function sentTrustedRoot(accountDefaults: Record<string, unknown>, edits: Record<string, unknown>): Promise<string> {
  const provider: CloudProvider = huawei;
  const vault = testVault(new FakeClock(), [provider]);
  const config = { region: 'cn-north-4', fields: { projectId: PROJECT } };
  const account = await vault.accounts.save({ cloud: 'huawei', name: 'hw', ...config, defaultOptions: accountDefaults }, { accessKeyId: 'HWAK', accessKeySecret: 'HWSK' });
  const resolved = resolveOptions(provider, account, material(), edits);
  expect(resolved.issues).toEqual([]);
  const http = new ScriptedHttp(json(200, { id: 'c1', name: 'n' }));
  await provider.upload(context(http, { cloud: 'huawei', ...config }), material(), resolved.options);
  return (JSON.parse(http.requests[0]!.body!) as { trusted_root_ca: string }).trusted_root_ca;
}

describe('multi-line options', () => {
  it('every option that holds a PEM is a multi-line field', () => {
    const pemFields = Object.values(providers).flatMap((provider) =>
      provider.optionFields.filter((field) => /PEM/.test(field.label.en)).map((field) => `${provider.id}.${field.key}:${field.kind}`),
    );
    expect(pemFields).toEqual(['huawei.trustedRootCa:multiline']);
  });

  it("a trusted root CA from the upload form reaches Huawei's request body with its line breaks", async () => {
    const sent = await sentTrustedRoot({}, { trustedRootCa: ROOT_CA });
    expect(sent).toBe(ROOT_CA.trim());
    expect(sent.split('\n')).toHaveLength(ROOT_CA.trim().split('\n').length);
    expect(sent.split('\n').length).toBeGreaterThan(3);
  });

  it('so does one saved as the account default', async () => {
    expect(await sentTrustedRoot({ trustedRootCa: ROOT_CA }, {})).toBe(ROOT_CA.trim());
  });
});
