import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy } from '../../../main/electron/content-security-policy';

function directives(policy: string): Map<string, string[]> {
  return new Map(
    policy.split(';').map((part) => {
      const [name = '', ...sources] = part.trim().split(/\s+/);
      return [name, sources];
    }),
  );
}

describe('contentSecurityPolicy (production)', () => {
  const policy = contentSecurityPolicy();
  const csp = directives(policy);

  it('is exactly the documented policy', () => {
    expect(policy).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
  });

  it('forbids inline script, eval and remote code', () => {
    const scripts = csp.get('script-src') ?? [];
    expect(scripts).toEqual(["'self'"]);
    for (const source of ["'unsafe-inline'", "'unsafe-eval'", "'wasm-unsafe-eval'", '*', 'http:', 'https:', 'data:', 'blob:']) {
      expect(scripts).not.toContain(source);
    }
    expect(csp.get('style-src')).toEqual(["'self'"]);
    expect(policy).not.toContain("'unsafe-");
  });

  it('denies everything not listed, and all network access', () => {
    expect(csp.get('default-src')).toEqual(["'none'"]);
    expect(csp.get('connect-src')).toEqual(["'none'"]);
    expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
    expect(csp.get('base-uri')).toEqual(["'none'"]);
    expect(csp.get('form-action')).toEqual(["'none'"]);
  });

  it('names no remote origin anywhere', () => {
    expect(policy).not.toMatch(/https?:|wss?:|\*/);
  });
});

describe('contentSecurityPolicy (development)', () => {
  const dev = new URL('http://127.0.0.1:5173/');
  const csp = directives(contentSecurityPolicy(dev));

  it("allows only Vite's own origin and its hot-reload socket", () => {
    expect(csp.get('script-src')).toEqual(["'self'", 'http://127.0.0.1:5173']);
    expect(csp.get('connect-src')).toEqual(['http://127.0.0.1:5173', 'ws://127.0.0.1:5173']);
  });

  it('still forbids eval and inline script', () => {
    expect(csp.get('script-src')).not.toContain("'unsafe-eval'");
    expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
    expect(csp.get('default-src')).toEqual(["'none'"]);
  });
});
