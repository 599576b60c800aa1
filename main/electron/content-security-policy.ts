// The renderer's Content-Security-Policy, sent as a header with every app:// response.
// No inline script, no eval, nothing remote: every script and style is a file of the build.

const production: Readonly<Record<string, readonly string[]>> = {
  'default-src': ["'none'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'font-src': ["'self'"],
  'connect-src': ["'none'"],
  'base-uri': ["'none'"],
  'form-action': ["'none'"],
  'frame-ancestors': ["'none'"],
};

/**
 * `devServer` is Vite's origin during development only: its hot reload needs a websocket and
 * injects component styles as <style> elements, so dev adds exactly those allowances.
 */
export function contentSecurityPolicy(devServer: URL | null = null): string {
  const directives: Record<string, readonly string[]> = { ...production };
  if (devServer) {
    const origin = devServer.origin;
    const socket = `${devServer.protocol === 'https:' ? 'wss' : 'ws'}://${devServer.host}`;
    directives['script-src'] = ["'self'", origin];
    directives['style-src'] = ["'self'", "'unsafe-inline'", origin];
    directives['img-src'] = ["'self'", 'data:', origin];
    directives['font-src'] = ["'self'", origin];
    directives['connect-src'] = [origin, socket];
  }
  return Object.entries(directives)
    .map(([name, sources]) => `${name} ${sources.join(' ')}`)
    .join('; ');
}
