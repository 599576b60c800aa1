import { describe, expect, it } from 'vitest';
import { VaultError } from '../../../shared/errors';
import { parseTarget } from '../../../main/core/tls';

// What "the site to check" may be typed as: a name, name:port, [v6]:port, or an https:// address.

describe('parseTarget', () => {
  it.each([
    ['www.example.com', { domain: 'www.example.com', port: null }],
    ['  WWW.Example.COM.  ', { domain: 'www.example.com', port: null }],
    ['www.example.com:8443', { domain: 'www.example.com', port: 8443 }],
    ['https://www.example.com/login?next=/', { domain: 'www.example.com', port: null }],
    ['https://www.example.com:8443/', { domain: 'www.example.com', port: 8443 }],
    ['https://[2001:db8::1]:8443/', { domain: '2001:db8::1', port: 8443 }],
    ['[2001:db8::1]:443', { domain: '2001:db8::1', port: 443 }],
    ['2001:db8::1', { domain: '2001:db8::1', port: null }],
    ['192.0.2.7', { domain: '192.0.2.7', port: null }],
    ['bücher.example', { domain: 'xn--bcher-kva.example', port: null }],
    ['_service.example.com', { domain: '_service.example.com', port: null }],
  ])('%j', (input, expected) => {
    expect(parseTarget(input)).toEqual(expected);
  });

  it.each([
    'exa mple.com',
    'http://www.example.com/',
    'ftp://www.example.com/',
    'https://user:pw@www.example.com/',
    '*.example.com',
    'www.example.com/path',
    'www..example.com',
    '-start.example.com',
    `${'a'.repeat(64)}.example.com`,
    `${'abcdefghi.'.repeat(26)}com`,
    '',
    '   ',
  ])('refuses %j', (input) => {
    let error: unknown;
    try {
      parseTarget(input);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(VaultError);
    expect((error as VaultError).code).toBe('tls.invalid_domain');
  });

  it('refuses a port out of range', () => {
    expect(() => parseTarget('www.example.com:0')).toThrow(/Port “0” is not valid/);
  });
});
