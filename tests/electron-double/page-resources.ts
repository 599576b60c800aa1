// What Chromium does with a loaded page's HTML that matters for a blank-window bug: which files it
// fetches, and which of its scripts, styles and icons the page's Content-Security-Policy blocks.
// A small reading of CSP Level 3 (source lists: 'self', 'none', 'unsafe-inline', schemes, origins).

export interface PageResource {
  /** The URL as written, resolved against the page when it is relative. */
  readonly url: string | null;
  /** The directive that governs it (the fallback default-src applies when it is absent). */
  readonly directive: 'script-src' | 'style-src' | 'img-src';
  readonly inline: boolean;
}

/** The scripts, styles, icons and inline blocks of `html`, as Chromium would load them. */
export function pageResources(html: string): PageResource[] {
  const resources: PageResource[] = [];
  for (const [, attributes = '', body = ''] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const src = attribute(attributes, 'src');
    if (src !== null) resources.push({ url: src, directive: 'script-src', inline: false });
    else if (body.trim() !== '') resources.push({ url: null, directive: 'script-src', inline: true });
  }
  for (const [, body = ''] of html.matchAll(/<style\b[^>]*>([\s\S]*?)<\/style>/gi)) {
    if (body.trim() !== '') resources.push({ url: null, directive: 'style-src', inline: true });
  }
  if (/<[a-z][^>]*\sstyle="/i.test(html)) resources.push({ url: null, directive: 'style-src', inline: true });
  for (const [, attributes = ''] of html.matchAll(/<link\b([^>]*)>/gi)) {
    const href = attribute(attributes, 'href');
    const rel = (attribute(attributes, 'rel') ?? '').toLowerCase().split(/\s+/);
    if (href === null) continue;
    if (rel.includes('stylesheet')) resources.push({ url: href, directive: 'style-src', inline: false });
    else if (rel.includes('modulepreload')) resources.push({ url: href, directive: 'script-src', inline: false });
    else if (rel.includes('icon')) resources.push({ url: href, directive: 'img-src', inline: false });
  }
  return resources;
}

/** Whether `policy` lets a page at `pageUrl` use `resource` (already resolved to an absolute URL when external). */
export function allowedByPolicy(policy: string | null, pageUrl: string, resource: PageResource): boolean {
  if (!policy) return true;
  const directives = new Map(
    policy
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter((tokens) => tokens[0])
      .map(([name = '', ...sources]) => [name.toLowerCase(), sources]),
  );
  const sources = directives.get(resource.directive) ?? directives.get('default-src');
  if (!sources) return true;
  if (resource.inline) return sources.includes("'unsafe-inline'");
  const url = new URL(resource.url ?? '');
  return sources.some((source) => {
    if (source === '*') return true;
    if (source === "'self'") return originOf(url) === originOf(new URL(pageUrl));
    if (/^[a-z][a-z0-9+.-]*:$/i.test(source)) return url.protocol === source.toLowerCase();
    return originOf(url) === source.replace(/\/$/, '');
  });
}

/** scheme://host, also for custom schemes (whose URL.origin Node reports as "null"). */
function originOf(url: URL): string {
  return `${url.protocol}//${url.host}`;
}

function attribute(attributes: string, name: string): string | null {
  const match = new RegExp(`\\b${name}\\s*=\\s*"([^"]*)"`, 'i').exec(attributes);
  return match ? (match[1] ?? '') : null;
}
