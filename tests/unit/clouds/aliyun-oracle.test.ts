import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { buildAliyunRequest, QUERY_LIMIT } from '../../../main/clouds/aliyun/client';
import { aliyunOptionsSchema, uploadParams } from '../../../main/clouds/aliyun';
import type { HttpRequest } from '../../../main/clouds/http';
import { material, pem } from './http-fake';

// The official SDK as an oracle: for generated requests, the Authorization our client sends equals
// what @alicloud/openapi-core's own signer (Utils.getAuthorization) computes over the request as it
// goes on the wire (query decoded from the URL, headers sent, hash of the body bytes sent).
// Dev dependency only; product code never imports it.

interface OpenApiRequest {
  method: string;
  pathname: string;
  query: Record<string, string>;
  headers: Record<string, string>;
}
const require = createRequire(import.meta.url);
const Utils = (
  require('@alicloud/openapi-core/dist/utils') as {
    default: { getAuthorization(request: OpenApiRequest, algorithm: string, payloadHash: string, ak: string, secret: string): string };
  }
).default;

function sdkAuthorization(request: HttpRequest, ak: string, secret: string): string {
  return Utils.getAuthorization(
    {
      method: request.method,
      pathname: request.url.pathname,
      query: Object.fromEntries(new URLSearchParams(request.url.search.slice(1))),
      headers: { ...request.headers },
    },
    'ACS3-HMAC-SHA256',
    createHash('sha256').update(request.body ?? '', 'utf8').digest('hex'),
    ak,
    secret,
  );
}

const base64Body = fc.base64String({ minLength: 4, maxLength: 3000, size: 'max' });
const pemChain = fc.array(base64Body, { minLength: 1, maxLength: 4 }).map((bodies) => bodies.map((body) => pem('CERTIFICATE', body)).join(''));
// Names mixing any code point with the characters encodeURIComponent leaves alone.
const name = fc
  .array(fc.oneof(fc.string({ unit: 'binary', maxLength: 8 }), fc.constantFrom("!'()*", ' ', '~', '+', '&=', '%20', '中文')), { minLength: 1, maxLength: 12 })
  // Cut by code point: a UTF-16 slice can split a surrogate pair, which no client can percent-encode.
  .map((parts) => [...parts.join('')].slice(0, 128).join(''))
  .filter((value) => value.trim() !== '');
const options = fc.record(
  {
    name,
    resourceGroupId: fc.stringMatching(/^rg-[a-z0-9]{4,20}$/),
    tags: fc.array(fc.record({ key: name, value: fc.string({ unit: 'binary', maxLength: 20 }) }), { maxLength: 4 }),
  },
  { requiredKeys: ['name'] },
);
const credentials = fc.record(
  {
    accessKeyId: fc.stringMatching(/^LTAI[A-Za-z0-9]{12,26}$/),
    accessKeySecret: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }),
    securityToken: fc.base64String({ minLength: 4, maxLength: 400 }),
  },
  { requiredKeys: ['accessKeyId', 'accessKeySecret'] },
);
const time = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });
const nonce = fc.stringMatching(/^[0-9a-f]{32}$/);
const region = fc.constantFrom(null, 'cn-hangzhou', 'cn-shanghai', 'ap-southeast-1', 'eu-central-1', 'me-east-1');
const endpoint = fc.constantFrom(null, 'http://127.0.0.1:9443', 'https://cas.internal.example.com:8443/gw/');

describe('Alibaba signer vs @alicloud/openapi-core getAuthorization', () => {
  it('UploadUserCertificate: same Authorization on generated requests, query and body forms', () => {
    let inBody = 0;
    let inQuery = 0;
    fc.assert(
      fc.property(credentials, time, nonce, region, endpoint, pemChain, fc.option(base64Body, { freq: 2 }), options, (keys, now, fresh, regionId, override, chain, key, rawOptions) => {
        const [leafPem, ...rest] = chain.split(/(?<=-----END CERTIFICATE-----\n)/);
        const upload = material({ certificatePem: leafPem!, chainPem: rest.join(''), privateKeyPem: key === null ? null : pem('PRIVATE KEY', key) });
        const params = uploadParams(upload, aliyunOptionsSchema.parse(rawOptions));
        const account = { cloud: 'aliyun' as const, region: regionId, endpoint: override, fields: {} };
        const request = buildAliyunRequest({ account, credentials: keys }, { action: 'UploadUserCertificate', params }, now, fresh);
        if (request.body !== undefined) inBody += 1;
        else inQuery += 1;
        const received = Object.fromEntries(new URLSearchParams(request.body ?? request.url.search.slice(1)));
        expect(received).toEqual(params);
        if (key !== null) expect(request.url.search).toBe('');
        expect(request.url.search.length).toBeLessThanOrEqual(QUERY_LIMIT + 1);
        expect(request.headers.authorization).toBe(sdkAuthorization(request, keys.accessKeyId, keys.accessKeySecret));
      }),
      { numRuns: 300 },
    );
    // Both placements were exercised (a short keyless request stays in the query; the list-call
    // oracle below pins the query form on every run).
    expect(inBody).toBeGreaterThan(20);
    expect(inQuery).toBeGreaterThan(0);
  });

  it('ListUserCertificateOrder: same Authorization with Unicode keywords', () => {
    fc.assert(
      fc.property(credentials, time, nonce, name, fc.integer({ min: 1, max: 1000 }), (keys, now, fresh, keyword, page) => {
        const account = { cloud: 'aliyun' as const, region: null, endpoint: null, fields: {} };
        const params = { OrderType: 'UPLOAD', CurrentPage: String(page), ShowSize: '50', Keyword: keyword };
        const request = buildAliyunRequest({ account, credentials: keys }, { action: 'ListUserCertificateOrder', params }, now, fresh);
        expect(request.headers.authorization).toBe(sdkAuthorization(request, keys.accessKeyId, keys.accessKeySecret));
      }),
      { numRuns: 200 },
    );
  });

  it("the oracle is discriminating: a body differing from the hashed one, or !'()* left raw, is caught", () => {
    const account = { cloud: 'aliyun' as const, region: null, endpoint: null, fields: {} };
    const keys = { accessKeyId: 'LTAIEXAMPLEACCESSKEY', accessKeySecret: 'secret' };
    const long = { Name: "x (1)!*'", Cert: 'c'.repeat(QUERY_LIMIT) };
    const body = buildAliyunRequest({ account, credentials: keys }, { action: 'UploadUserCertificate', params: long }, new Date(0), 'n1');
    expect(sdkAuthorization({ ...body, body: body.body!.replace('c', 'd') }, keys.accessKeyId, keys.accessKeySecret)).not.toBe(body.headers.authorization);

    const short = buildAliyunRequest({ account, credentials: keys }, { action: 'UploadUserCertificate', params: { Name: "x (1)!*'" } }, new Date(0), 'n2');
    expect(short.url.search).toBe('?Name=x%20%281%29%21%2A%27');
    // A client that left !'()* raw in the URL would have signed "x%20(1)!*'": the canonical forms differ.
    const sloppy = new URL(short.url);
    sloppy.search = `?Name=${encodeURIComponent("x (1)!*'")}`;
    expect(sloppy.search).not.toBe(short.url.search);
  });
});
