import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { buildTencentRequest, type TencentCloudId } from '../../../main/clouds/tencent/client';
import { tencentOptionsSchema, uploadParams } from '../../../main/clouds/tencent';
import { material, leafInfo, pem } from './http-fake';

// The official SDK as an oracle: for generated requests, the Authorization our client sends equals
// what tencentcloud-sdk-nodejs-common's own signer (Sign.sign3) computes over the same wire request.
// Dev dependency only; product code never imports it.

interface Sign3Input {
  method: string;
  url: string;
  payload: Buffer;
  timestamp: number;
  service: string;
  secretId: string;
  secretKey: string;
  headers: Record<string, string>;
}
const require = createRequire(import.meta.url);
const Sign = (require('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign') as { default: { sign3(input: Sign3Input): string } }).default;

const base64Body = fc.base64String({ minLength: 4, maxLength: 4000, size: 'max' });
const pemChain = fc.array(base64Body, { minLength: 1, maxLength: 4 }).map((bodies) => bodies.map((body) => pem('CERTIFICATE', body)).join(''));
const unicode = fc.string({ unit: 'binary', maxLength: 40 });
const options = fc.record(
  {
    certificateType: fc.constantFrom('SVR', 'CA'),
    alias: unicode,
    projectId: fc.nat({ max: 10_000_000 }),
    certificateUse: fc.constantFrom('CLB', 'CDN', 'WAF', 'LIVE', 'DDOS'),
    tags: fc.array(fc.record({ key: unicode.filter((key) => key.trim() !== ''), value: unicode }), { maxLength: 5 }),
    repeatable: fc.boolean(),
  },
  { requiredKeys: ['certificateType', 'repeatable'] },
);
const credentials = fc.record({
  accessKeyId: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).filter((id) => !/[\s/]/.test(id)),
  accessKeySecret: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
});
// Any second from 1970 to 2100, so UTC-date boundaries are crossed often.
const timestamp = fc.integer({ min: 0, max: 4_102_444_800 });
const cloud = fc.constantFrom<TencentCloudId>('tencent', 'tencent-intl');

function sdkAuthorization(request: ReturnType<typeof buildTencentRequest>, secretId: string, secretKey: string): string {
  return Sign.sign3({
    method: 'POST',
    url: request.url.href,
    payload: Buffer.from(request.body ?? '', 'utf8'),
    timestamp: Number(request.headers['x-tc-timestamp']),
    service: 'ssl',
    secretId,
    secretKey,
    headers: { 'Content-Type': request.headers['content-type']! },
  });
}

describe('Tencent signer vs tencentcloud-sdk-nodejs-common Sign.sign3', () => {
  it('UploadCertificate: same Authorization on generated requests (Unicode, large chains, any time)', () => {
    let largest = 0;
    fc.assert(
      fc.property(cloud, credentials, timestamp, pemChain, base64Body, options, (target, keys, time, chain, key, rawOptions) => {
        const [leafPem, ...rest] = chain.split(/(?<=-----END CERTIFICATE-----\n)/);
        const upload = material({ leaf: leafInfo({ isCA: rawOptions.certificateType === 'CA' }), certificatePem: leafPem!, chainPem: rest.join(''), privateKeyPem: pem('PRIVATE KEY', key) });
        const params = uploadParams(upload, tencentOptionsSchema.parse(rawOptions));
        const account = { cloud: target, region: null, endpoint: null, fields: {} };
        const request = buildTencentRequest(target, { account, credentials: keys }, 'UploadCertificate', params, time);
        expect(JSON.parse(request.body!)).toEqual(params);
        largest = Math.max(largest, request.body!.length);
        expect(request.headers.authorization).toBe(sdkAuthorization(request, keys.accessKeyId, keys.accessKeySecret));
      }),
      { numRuns: 300 },
    );
    // Chains of several kilobytes were among the inputs.
    expect(largest).toBeGreaterThan(8000);
  });

  it('DescribeCertificates: same Authorization with Unicode search keys and paging', () => {
    fc.assert(
      fc.property(cloud, credentials, timestamp, unicode, fc.nat({ max: 100_000 }), (target, keys, time, search, offset) => {
        const account = { cloud: target, region: null, endpoint: null, fields: {} };
        const params = { Offset: offset, Limit: 1000, SearchKey: search };
        const request = buildTencentRequest(target, { account, credentials: keys }, 'DescribeCertificates', params, time);
        expect(request.headers.authorization).toBe(sdkAuthorization(request, keys.accessKeyId, keys.accessKeySecret));
      }),
      { numRuns: 200 },
    );
  });

  it('the oracle is discriminating: one flipped body byte gives a different SDK signature', () => {
    const account = { cloud: 'tencent' as const, region: null, endpoint: null, fields: {} };
    const keys = { accessKeyId: 'AKIDEXAMPLE', accessKeySecret: 'secret' };
    const request = buildTencentRequest('tencent', { account, credentials: keys }, 'UploadCertificate', { Alias: 'a' }, 1700000000);
    const tampered = { ...request, body: request.body!.replace('"a"', '"b"') };
    expect(sdkAuthorization(tampered, keys.accessKeyId, keys.accessKeySecret)).not.toBe(request.headers.authorization);
  });
});
