import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyFor } from '../../../main/clouds/proxy';

describe('proxy selection', () => {
  const https = new URL('https://ssl.tencentcloudapi.com/');
  const http = new URL('http://127.0.0.1:8080/');

  it('uses HTTPS_PROXY for https and HTTP_PROXY for http, lower case first', () => {
    const env = { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: 'plain:3' };
    expect(proxyFor(https, env)?.host).toBe('lower:2');
    expect(proxyFor(http, env)?.href).toBe('http://plain:3/');
    expect(proxyFor(https, {})).toBeNull();
  });

  it('honours NO_PROXY: *, exact hosts, domain suffixes, leading dots and ports', () => {
    expect(bypassesProxy(https, '*')).toBe(true);
    expect(bypassesProxy(https, 'tencentcloudapi.com')).toBe(true);
    expect(bypassesProxy(https, '.tencentcloudapi.com')).toBe(true);
    expect(bypassesProxy(https, '*.tencentcloudapi.com')).toBe(true);
    expect(bypassesProxy(https, 'cloudapi.com')).toBe(false);
    expect(bypassesProxy(https, 'ssl.tencentcloudapi.com:443')).toBe(true);
    expect(bypassesProxy(https, 'ssl.tencentcloudapi.com:8443')).toBe(false);
    expect(bypassesProxy(http, 'localhost, 127.0.0.1')).toBe(true);
    expect(bypassesProxy(new URL('http://[::1]:9/'), '::1')).toBe(true);
    expect(proxyFor(https, { HTTPS_PROXY: 'http://p:1', NO_PROXY: 'tencentcloudapi.com' })).toBeNull();
  });
});
