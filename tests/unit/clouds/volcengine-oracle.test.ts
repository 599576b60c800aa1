import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import Signer from '@volcengine/openapi/lib/base/sign';
import { sha256Hex } from '../../../main/clouds/hash';
import { signVolc, xDate } from '../../../main/clouds/volcengine/sign';
import { buildVolcengineRequest } from '../../../main/clouds/volcengine/client';
import { createCertBody, volcengine } from '../../../main/clouds/volcengine';
import { arbitraryMaterial, pemBlock } from './huawei-volcengine-arbitraries';

// The official SDK's signer (@volcengine/openapi Signer.addAuthorization) is the oracle: given the
// same Host, date, token and body it must produce our Authorization byte for byte.

interface SdkInput {
  readonly method: 'GET' | 'POST';
  readonly host: string;
  readonly query: Record<string, string>;
  readonly body: string;
  readonly region: string;
  readonly service: string;
  readonly ak: string;
  readonly sk: string;
  readonly token: string | undefined;
  readonly now: Date;
}

function sdkAuthorization(input: SdkInput): string {
  const request = {
    method: input.method,
    region: input.region,
    pathname: '/',
    params: { ...input.query },
    // The SDK signs host only when it is given (REFERENCE.md §4.4); the client always signs it.
    headers: { Host: input.host } as Record<string, string>,
    ...(input.body !== '' ? { body: input.body } : {}),
  };
  const signer = new Signer(request, input.service);
  signer.addAuthorization({ accessKeyId: input.ak, secretKey: input.sk, ...(input.token ? { sessionToken: input.token } : {}) }, input.now);
  return request.headers.Authorization!;
}

const keyText = fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 40 }).filter((s) => s.trim() === s && s !== '');
/**
 * Query names that are not array indices: the SDK re-sorts parameters by building an object, and
 * JavaScript enumerates index-like keys ('0', '17') first whatever the insertion order, an SDK
 * artefact no real API parameter meets.
 */
// No `__proto__`: fast-check slips it in, and the SDK, copying parameters by assignment, would set
// a prototype instead of a parameter; no API has a parameter of that name.
const queryName = keyText.filter((s) => !/^(0|[1-9]\d*)$/.test(s) && s !== '__proto__');
const unicodeText = fc.string({ unit: 'grapheme', maxLength: 60 });
const date = fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true });
const host = fc.oneof(fc.constant('live.volcengineapi.com'), fc.integer({ min: 1, max: 65535 }).map((port) => `127.0.0.1:${port}`));
const token = fc.option(fc.base64String({ minLength: 20, maxLength: 400 }), { nil: undefined });

function ourAuthorization(input: SdkInput): string {
  const headers: Record<string, string> = {};
  if (input.body !== '') headers['X-Content-Sha256'] = sha256Hex(input.body);
  if (input.token) headers['X-Security-Token'] = input.token;
  return signVolc({
    method: input.method,
    host: input.host,
    path: '/',
    query: input.query,
    xDate: xDate(input.now),
    headers,
    payload: input.body,
    region: input.region,
    service: input.service,
    accessKeyId: input.ak,
    accessKeySecret: input.sk,
  }).authorization;
}

describe('Volcengine signer equals @volcengine/openapi Signer on generated requests', () => {
  it('CreateCert POSTs: Unicode names, large PEM chains, STS tokens, any date', () => {
    fc.assert(
      fc.property(
        fc.record({
          host,
          certName: unicodeText,
          projectName: unicodeText,
          chainId: fc.option(fc.stringMatching(/^[0-9a-f]{32}$/), { nil: undefined }),
          chain: fc.array(fc.integer({ min: 200, max: 3000 }), { maxLength: 5 }),
          key: fc.integer({ min: 200, max: 4000 }),
          ak: keyText,
          sk: keyText,
          token,
          now: date,
        }),
        ({ host, certName, projectName, chainId, chain, key, ak, sk, token, now }) => {
          const body = JSON.stringify({
            CertName: certName,
            ProjectName: projectName,
            ...(chainId ? { ChainID: chainId } : {}),
            UseWay: 'https',
            Rsa: { Pubkey: chain.map((size, i) => pemBlock('CERTIFICATE', size, i)).join(''), Prikey: pemBlock('PRIVATE KEY', key, 42) },
          });
          const input: SdkInput = { method: 'POST', host, query: { Action: 'CreateCert', Version: '2023-01-01' }, body, region: 'cn-north-1', service: 'live', ak, sk, token, now };
          expect(ourAuthorization(input)).toBe(sdkAuthorization(input));
        },
      ),
      { numRuns: 250 },
    );
  });

  it('GETs with random Unicode query parameters, regions and services', () => {
    fc.assert(
      fc.property(
        fc.record({
          host,
          query: fc.dictionary(queryName, unicodeText, { maxKeys: 8 }),
          region: fc.constantFrom('cn-north-1', 'cn-beijing', 'ap-singapore-1'),
          service: fc.constantFrom('live', 'iam', 'billing'),
          ak: keyText,
          sk: keyText,
          token,
          now: date,
        }),
        (generated) => {
          const input: SdkInput = { method: 'GET', body: '', ...generated };
          expect(ourAuthorization(input)).toBe(sdkAuthorization(input));
        },
      ),
      { numRuns: 250 },
    );
  });

  it('the request the client sends (host, token, body bytes) is signed as the SDK signs it', () => {
    fc.assert(
      fc.property(arbitraryMaterial, token, date, (material, securityToken, now) => {
        const account = { cloud: 'volcengine' as const, region: null, endpoint: 'http://127.0.0.1:18081', fields: {} };
        const credentials = { accessKeyId: 'AKLTEXAMPLEACCESSKEYID000000000000', accessKeySecret: 'ExampleSecretKey0000000000000000==', ...(securityToken ? { securityToken } : {}) };
        const request = buildVolcengineRequest({ account, credentials }, 'CreateCert', createCertBody(material, volcengine.defaultOptions(material, account)), now);
        expect(request.headers['X-Content-Sha256']).toBe(sha256Hex(request.body!));
        expect(request.headers.Host).toBe('127.0.0.1:18081');
        expect(request.url.search).toBe('?Action=CreateCert&Version=2023-01-01');
        const theirs = sdkAuthorization({
          method: 'POST',
          host: request.headers.Host!,
          query: Object.fromEntries(request.url.searchParams),
          body: request.body!,
          region: 'cn-north-1',
          service: 'live',
          ak: credentials.accessKeyId,
          sk: credentials.accessKeySecret,
          token: securityToken,
          now,
        });
        expect(request.headers.Authorization).toBe(theirs);
      }),
      { numRuns: 100 },
    );
  });
});
