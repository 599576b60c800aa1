import { describe, expect, it } from 'vitest';
import { credentialsFromEnvironment, credentialsFromJson, parseStoredCredentials, serializeCredentials } from '../../../main/core/accounts/credentials';

const SECRET = 'S3cr3t-value-never-echoed';

describe('cloud credentials input', () => {
  it.each([
    ['{"secretId":"AKID1","secretKey":"' + SECRET + '"}'],
    ['{"accessKeyId":"AKID1","accessKeySecret":"' + SECRET + '"}'],
    ['{"accessKeyId":"AKID1","secretAccessKey":"' + SECRET + '"}'],
    ['{"ak":"AKID1","sk":"' + SECRET + '"}'],
  ])('accepts %s', (json) => {
    expect(credentialsFromJson(json)).toEqual({ accessKeyId: 'AKID1', accessKeySecret: SECRET });
  });

  it('keeps an optional token, trimmed', () => {
    expect(credentialsFromJson(`{"ak":" AK ","sk":"${SECRET}","token":" sts-token\\n"}`)).toEqual({ accessKeyId: 'AK', accessKeySecret: SECRET, securityToken: 'sts-token' });
  });

  it.each([
    ['not json ' + SECRET, /not valid JSON/],
    ['[1,2]', /expected a JSON object/],
    [`{"id":"AK","secret":"${SECRET}"}`, /"id", "secret"/],
    [`{"ak":"AK","sk":"${SECRET}","region":"x"}`, /unexpected key "region"/],
    [`{"ak":"AK","sk":""}`, /"sk" is empty/],
    [`{"ak":"AK","sk":42}`, /"sk" must be a string/],
    [`{"ak":"AK","sk":"a\\u0000b"}`, /control character/],
  ])('rejects %s with a clear error that never repeats the secret', (json, reason) => {
    let error: unknown;
    try {
      credentialsFromJson(json);
    } catch (caught) {
      error = caught;
    }
    expect(error).toMatchObject({ code: 'account.invalid', params: { field: 'secret', reason: expect.stringMatching(reason) } });
    expect(JSON.stringify(error) + String(error)).not.toContain(SECRET);
  });

  it("reads each cloud's usual environment variables", () => {
    expect(credentialsFromEnvironment('tencent', { TENCENTCLOUD_SECRET_ID: 'id', TENCENTCLOUD_SECRET_KEY: 'key' })).toEqual({ accessKeyId: 'id', accessKeySecret: 'key' });
    expect(credentialsFromEnvironment('aliyun', { ALIBABA_CLOUD_ACCESS_KEY_ID: 'id', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'key', ALIBABA_CLOUD_SECURITY_TOKEN: 'tok' })).toEqual({
      accessKeyId: 'id',
      accessKeySecret: 'key',
      securityToken: 'tok',
    });
    expect(credentialsFromEnvironment('volcengine', { VOLCENGINE_ACCESS_KEY: 'id', VOLCENGINE_SECRET_KEY: 'key' })?.accessKeyId).toBe('id');
    expect(credentialsFromEnvironment('huawei', { HUAWEICLOUD_SDK_AK: 'id', HUAWEICLOUD_SDK_SK: 'key' })?.accessKeySecret).toBe('key');
    expect(credentialsFromEnvironment('huawei', { TENCENTCLOUD_SECRET_ID: 'id', TENCENTCLOUD_SECRET_KEY: 'key' })).toBeNull();
  });

  it('refuses half a pair from the environment', () => {
    expect(() => credentialsFromEnvironment('tencent', { TENCENTCLOUD_SECRET_ID: 'id' })).toThrow(/TENCENTCLOUD_SECRET_KEY is not set/);
  });

  it('round-trips the keychain form and reports a damaged entry as missing', () => {
    const stored = serializeCredentials({ accessKeyId: 'a', accessKeySecret: 'b', securityToken: 'c' });
    expect(JSON.parse(stored)).toEqual({ accessKeyId: 'a', accessKeySecret: 'b', securityToken: 'c' });
    expect(parseStoredCredentials(stored, 'prod')).toEqual({ accessKeyId: 'a', accessKeySecret: 'b', securityToken: 'c' });
    expect(() => parseStoredCredentials('garbage', 'prod')).toThrow(expect.objectContaining({ code: 'account.secret_missing' }));
  });
});
