import { describe, expect, it } from 'vitest';
import { bypassesProxy, proxyFor } from '../../../main/clouds/proxy';

describe('proxy selection', () => {
  const https = new URL('https://ssl.tencentcloudapi.com/');
  const http = new URL('http://127.0.0.1:8080/');

  it('uses HTTPS_PROXY for https and HTTP_PROXY for http, lower case first', () => {
    const env = { HTTPS_PROXY: 'http://upper:1', https_proxy: 'http://lower:2', HTTP_PROXY: 'plain:3' };
    expect(proxyFor(https, env)?.host).toBe('lower:2');
    expect(proxyFor(new URL('http://cloud.example:8080/'), env)?.href).toBe('http://plain:3/');
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

describe('loopback and NO_PROXY the way curl reads it', () => {
  const proxied = { HTTPS_PROXY: 'http://proxy.corp:3128', HTTP_PROXY: 'http://proxy.corp:3128' };

  it('never proxies 127.0.0.0/8, ::1 or localhost, even with an empty NO_PROXY', () => {
    for (const url of ['http://127.0.0.1:9000/', 'https://127.8.9.10/', 'http://[::1]:8443/', 'http://[::ffff:127.0.0.1]/', 'https://localhost/', 'https://LOCALHOST./', 'http://emulator.localhost:1/']) {
      expect(proxyFor(new URL(url), proxied), url).toBeNull();
    }
    expect(proxyFor(new URL('https://128.0.0.1/'), proxied)?.host).toBe('proxy.corp:3128');
    expect(proxyFor(new URL('https://localhost.example.com/'), proxied)?.host).toBe('proxy.corp:3128');
  });

  it('matches IP hosts against IP entries and CIDR blocks, never as domain suffixes', () => {
    const ip = new URL('https://10.1.2.3/');
    expect(bypassesProxy(ip, '10.0.0.0/8')).toBe(true);
    expect(bypassesProxy(ip, '10.1.2.0/24')).toBe(true);
    expect(bypassesProxy(ip, '10.1.3.0/24')).toBe(false);
    expect(bypassesProxy(ip, '10.1.2.3')).toBe(true);
    expect(bypassesProxy(ip, '2.3')).toBe(false);
    expect(bypassesProxy(ip, '.2.3')).toBe(false);
    expect(bypassesProxy(ip, '10.0.0.0/33')).toBe(false);
    const v6 = new URL('https://[fd00::5]:8443/');
    expect(bypassesProxy(v6, 'fd00::/8')).toBe(true);
    expect(bypassesProxy(v6, 'fe80::/10')).toBe(false);
    expect(bypassesProxy(v6, '[fd00::5]:8443')).toBe(true);
    expect(bypassesProxy(v6, '[fd00::5]:443')).toBe(false);
  });

  it('separates entries by commas or spaces and ignores trailing dots', () => {
    const url = new URL('https://api.internal.example./');
    expect(bypassesProxy(url, 'foo.org internal.example')).toBe(true);
    expect(bypassesProxy(url, 'foo.org,internal.example.')).toBe(true);
    expect(bypassesProxy(url, 'ternal.example')).toBe(false);
    expect(bypassesProxy(url, '.')).toBe(false);
  });
});
