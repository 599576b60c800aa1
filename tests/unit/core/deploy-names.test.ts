import { describe, expect, it } from 'vitest';
import { covers, uncovered } from '../../../main/core/deploy/names';

describe('which domains a certificate covers', () => {
  it('matches names exactly, ignoring case and a trailing dot', () => {
    expect(covers(['www.example.com'], 'WWW.Example.com.')).toBe(true);
    expect(covers(['www.example.com'], 'example.com')).toBe(false);
  });

  it('lets *.example.com cover exactly one more label, never the apex nor two labels', () => {
    const names = ['*.example.com'];
    expect(covers(names, 'a.example.com')).toBe(true);
    expect(covers(names, 'example.com')).toBe(false);
    expect(covers(names, 'a.b.example.com')).toBe(false);
    expect(covers(names, '.example.com')).toBe(false);
  });

  it('needs the same wildcard for a resource that serves a wildcard', () => {
    expect(covers(['*.example.com'], '*.example.com')).toBe(true);
    expect(covers(['a.example.com'], '*.example.com')).toBe(false);
    expect(covers(['*.example.com'], '*.b.example.com')).toBe(false);
  });

  it('lists what is not covered once each, in order', () => {
    expect(uncovered(['*.example.com'], ['a.example.com', 'example.com', 'x.other.test', 'EXAMPLE.com'])).toEqual(['example.com', 'x.other.test']);
  });
});
