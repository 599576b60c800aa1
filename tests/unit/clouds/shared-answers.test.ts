import { describe, expect, it } from 'vitest';
import { malformedAnswer, refusedBeforeSending, unrecognisedAnswer, entry } from '../../../main/clouds/cloud-error';
import { isJsonObject, parseJsonOrNull, stringsOf, textOf } from '../../../main/clouds/json';
import { credentialSecrets } from '../../../main/clouds/scrub';

// The pieces every cloud client reads answers and builds CloudErrors with (json.ts, cloud-error.ts).

const SERVER = entry('server', true, 'server trouble', '服务端故障');
const UNREADABLE = entry('server', true, 'not the API', '不是接口响应');
const HINT = { en: 'look first', 'zh-CN': '先查看' };

describe('json answers', () => {
  it('parses JSON and turns anything else into null', () => {
    expect(parseJsonOrNull('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonOrNull('<html>bad gateway</html>')).toBeNull();
    expect(parseJsonOrNull('')).toBeNull();
  });

  it('tells objects from arrays and null', () => {
    expect(isJsonObject({})).toBe(true);
    expect(isJsonObject([])).toBe(false);
    expect(isJsonObject(null)).toBe(false);
    expect(isJsonObject('x')).toBe(false);
  });

  it('reads ids sent as strings or numbers, and nothing else', () => {
    expect(textOf('abc')).toBe('abc');
    expect(textOf(12345)).toBe('12345');
    expect(textOf('')).toBeNull();
    expect(textOf(true)).toBeNull();
    expect(textOf({ id: 1 })).toBeNull();
  });

  it('keeps only the strings of an array field', () => {
    expect(stringsOf(['a.example', 7, null, 'b.example'])).toEqual(['a.example', 'b.example']);
    expect(stringsOf('a.example')).toEqual([]);
  });
});

describe('CloudErrors built without a cloud error code', () => {
  const secret = 'SECRETKEYEXAMPLE00000000000000000';

  it('classifies a non-API answer by status and scrubs what it quotes', () => {
    const page = { status: 502, headers: {}, body: `<h1>Bad gateway</h1> ${secret}` };
    const gateway = unrecognisedAnswer('tencent', page, 'req-1', { server: SERVER, unreadable: UNREADABLE }, [secret]);
    expect(gateway.info).toMatchObject({ code: 'HTTP502', httpStatus: 502, requestId: 'req-1', hint: SERVER.hint, mayHaveReachedServer: true });
    expect(gateway.info.message).not.toContain(secret);
    const notApi = unrecognisedAnswer('aliyun', { status: 404, headers: {}, body: 'no such page '.repeat(25) }, null, { server: SERVER, unreadable: UNREADABLE }, []);
    expect(notApi.info).toMatchObject({ code: 'HTTP404', hint: UNREADABLE.hint });
    expect(notApi.info.message).toHaveLength(200);
  });

  it('never lets a success answer without its fields be retried blindly', () => {
    const error = malformedAnswer('volcengine', 'ChainID', 'r-1', HINT);
    expect(error.info).toMatchObject({
      cloud: 'volcengine',
      code: 'response.malformed',
      message: 'The answer has no ChainID',
      kind: 'server',
      retryable: false,
      mayHaveReachedServer: true,
      requestId: 'r-1',
      hint: HINT,
    });
  });

  it('marks a request refused before sending as never received and not worth repeating', () => {
    const error = refusedBeforeSending('huawei', { code: 'region.missing', kind: 'invalid', message: 'no region', hint: HINT });
    expect(error.info).toEqual({
      cloud: 'huawei',
      code: 'region.missing',
      message: 'no region',
      kind: 'invalid',
      retryable: false,
      requestId: null,
      httpStatus: null,
      mayHaveReachedServer: false,
      hint: HINT,
    });
  });

  it('lists every credential half for scrubbing, the token also trimmed', () => {
    expect(credentialSecrets({ accessKeyId: 'id', accessKeySecret: 'secret', securityToken: ' token\n' })).toEqual(['id', 'secret', ' token\n', 'token']);
    expect(credentialSecrets({ accessKeyId: 'id', accessKeySecret: 'secret' })).toEqual(['id', 'secret', undefined, undefined]);
  });
});
