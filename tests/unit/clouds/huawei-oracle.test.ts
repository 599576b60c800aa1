import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import type { ICredential } from '@huaweicloud/huaweicloud-sdk-core/auth/ICredential';
import { sdkDate, signSdkHmac } from '../../../main/clouds/huawei/sign';
import { buildHuaweiRequest } from '../../../main/clouds/huawei/client';
import { certificateForm, defaultHuaweiName } from '../../../main/clouds/huawei';
import { arbitraryMaterial, pemBlock } from './huawei-volcengine-arbitraries';

// The official SDK's signer (@huaweicloud/huaweicloud-sdk-core AKSKSigner.sign) is the oracle:
// for generated requests our Authorization must be byte-identical to the one it computes.

function sdkCredential(ak: string, sk: string): ICredential {
  const credential: Pick<ICredential, 'getAk' | 'getSk'> = { getAk: () => ak, getSk: () => sk };
  return credential as ICredential;
}

function sdkAuthorization(signed: object): string {
  return (signed as Record<string, string>).Authorization!;
}

const keyText = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s !== '');
const unicodeText = fc.string({ unit: 'grapheme', maxLength: 60 });
const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });
const host = fc.oneof(
  fc.constantFrom('cn-north-4', 'ap-southeast-1', 'eu-west-101').map((r) => `apig.${r}.myhuaweicloud.com`),
  fc.integer({ min: 1, max: 65535 }).map((port) => `127.0.0.1:${port}`),
);
const projectId = fc.stringMatching(/^[0-9a-f]{32}$/);

describe('Huawei signer equals AKSKSigner.sign on generated requests', () => {
  it('CreateCertificateV2 POSTs: Unicode names, large PEM chains, SM2 pairs, temporary tokens', () => {
    fc.assert(
      fc.property(
        fc.record({
          host,
          projectId,
          name: unicodeText,
          chain: fc.array(fc.integer({ min: 200, max: 3000 }), { maxLength: 5 }),
          key: fc.integer({ min: 200, max: 4000 }),
          sm2: fc.boolean(),
          token: fc.option(fc.base64String({ minLength: 20, maxLength: 400 }), { nil: undefined }),
          ak: keyText,
          sk: keyText,
          now: date,
        }),
        ({ host, projectId, name, chain, key, sm2, token, ak, sk, now }) => {
          const data: Record<string, string> = {
            name,
            cert_content: chain.map((size, i) => pemBlock('CERTIFICATE', size, i)).join(''),
            private_key: pemBlock('PRIVATE KEY', key, 99),
            type: 'global',
            instance_id: 'common',
            ...(sm2 ? { algorithm_type: 'SM2', cert_content_sign: pemBlock('CERTIFICATE', 900, 7), private_key_sign: pemBlock('PRIVATE KEY', 300, 8) } : {}),
          };
          const headers: Record<string, string> = { 'Content-Type': 'application/json', 'X-Project-Id': projectId, ...(token ? { 'X-Security-Token': token } : {}) };
          const path = `/v2/${projectId}/apigw/certificates`;
          const ours = signSdkHmac({ method: 'POST', host, path, query: {}, sdkDate: sdkDate(now), headers, payload: JSON.stringify(data), accessKeyId: ak, accessKeySecret: sk });
          const theirs = AKSKSigner.sign(
            { method: 'POST', endpoint: `http://${host}${path}`, queryParams: {}, headers: { ...headers, 'X-Sdk-Date': sdkDate(now) }, data },
            sdkCredential(ak, sk),
          );
          expect(ours.authorization).toBe(sdkAuthorization(theirs));
        },
      ),
      { numRuns: 250 },
    );
  });

  it('ListCertificatesV2 / IAM GETs with random Unicode query parameters', () => {
    fc.assert(
      fc.property(
        fc.record({
          host,
          path: fc.constantFrom('/v3/projects', '/v2/0123456789abcdef0123456789abcdef/apigw/certificates'),
          // No `__proto__` (fast-check slips it in): copied by assignment it sets a prototype, not a parameter; no API has one of that name.
          query: fc.dictionary(keyText.filter((s) => s !== '__proto__'), unicodeText, { maxKeys: 8 }),
          ak: keyText,
          sk: keyText,
          now: date,
        }),
        ({ host, path, query, ak, sk, now }) => {
          const headers = { 'Content-Type': 'application/json' };
          const ours = signSdkHmac({ method: 'GET', host, path, query, sdkDate: sdkDate(now), headers, payload: '', accessKeyId: ak, accessKeySecret: sk });
          const theirs = AKSKSigner.sign(
            { method: 'GET', endpoint: `https://${host}${path}`, queryParams: { ...query }, headers: { ...headers, 'X-Sdk-Date': sdkDate(now) } },
            sdkCredential(ak, sk),
          );
          expect(ours.authorization).toBe(sdkAuthorization(theirs));
        },
      ),
      { numRuns: 250 },
    );
  });

  it('the request the client sends (headers and body bytes) is the request the SDK would sign the same way', () => {
    fc.assert(
      fc.property(arbitraryMaterial, fc.option(fc.base64String({ minLength: 20, maxLength: 200 }), { nil: undefined }), date, (material, token, now) => {
        const account = { cloud: 'huawei' as const, region: 'cn-north-4', endpoint: 'http://127.0.0.1:18080', fields: { projectId: '0123456789abcdef0123456789abcdef' } };
        const credentials = { accessKeyId: 'HWAKEXAMPLE0000000000', accessKeySecret: 'HwSecretKeyExample00000000000000000000000', ...(token ? { securityToken: token } : {}) };
        const form = certificateForm(material, { name: defaultHuaweiName(material), type: 'global', instanceId: 'common', algorithmType: 'RSA' });
        const request = buildHuaweiRequest(
          { account, credentials },
          { method: 'POST', service: 'apig', path: '/v2/0123456789abcdef0123456789abcdef/apigw/certificates', body: JSON.stringify(form), projectId: '0123456789abcdef0123456789abcdef' },
          now,
        );
        const { Authorization, Host, ...sent } = request.headers;
        expect(Host).toBe('127.0.0.1:18080');
        // The SDK hashes JSON.stringify(data): handing it the parsed sent body checks the bytes we hashed are the bytes we send.
        const theirs = AKSKSigner.sign({ method: 'POST', endpoint: request.url.href, headers: sent, data: JSON.parse(request.body!) as unknown }, sdkCredential(credentials.accessKeyId, credentials.accessKeySecret));
        expect(JSON.stringify(JSON.parse(request.body!))).toBe(request.body);
        expect(Authorization).toBe(sdkAuthorization(theirs));
      }),
      { numRuns: 100 },
    );
  });
});
