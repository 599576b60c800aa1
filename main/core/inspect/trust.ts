// Where a chain that stops short of a root can end: the platform's trust store (Node's bundled
// Mozilla roots plus, where Node can read it, the operating system's store) and CA certificates
// the caller adds (the library's). certbot's chain.pem, for one, never includes the root.
import tls from 'node:tls';
import { parseCertificate, type ParsedCertificate } from './certificate';
import { DerError, Tag, children, readRoot } from './der';
import { readName } from './names';
import { readPemBlocks } from './pem';

export type AnchorSource = 'system' | 'library';

export interface Anchor {
  readonly certificate: ParsedCertificate;
  readonly source: AnchorSource;
}

/** Certificates indexed by the comparison key of their subject; parsed in full only when asked for. */
export class TrustAnchors {
  private index: Map<string, { der: Uint8Array; source: AnchorSource; parsed?: ParsedCertificate | null }[]> | null = null;

  constructor(private readonly load: () => { der: Uint8Array; source: AnchorSource }[]) {}

  /** Anchors whose subject is `name` (a DistinguishedName key), library ones first. */
  named(key: string): Anchor[] {
    const entries = this.byName().get(key) ?? [];
    const out: Anchor[] = [];
    for (const entry of entries) {
      if (entry.parsed === undefined) entry.parsed = tryParse(entry.der);
      if (entry.parsed) out.push({ certificate: entry.parsed, source: entry.source });
    }
    return out;
  }

  private byName(): Map<string, { der: Uint8Array; source: AnchorSource; parsed?: ParsedCertificate | null }[]> {
    if (this.index) return this.index;
    const index = new Map<string, { der: Uint8Array; source: AnchorSource; parsed?: ParsedCertificate | null }[]>();
    const seen = new Set<string>();
    for (const { der, source } of this.load()) {
      const id = Buffer.from(der).toString('base64');
      if (seen.has(id)) continue;
      seen.add(id);
      const key = subjectKeyOf(der);
      if (key === null) continue;
      const list = index.get(key) ?? [];
      list.push({ der, source });
      index.set(key, list);
    }
    for (const list of index.values()) list.sort((a, b) => (a.source === b.source ? 0 : a.source === 'library' ? -1 : 1));
    this.index = index;
    return index;
  }
}

/**
 * The subject's comparison key, read without parsing (or verifying) the whole certificate: a
 * trust store holds hundreds, and an inspection needs one or two of them.
 */
function subjectKeyOf(der: Uint8Array): string | null {
  try {
    const [tbs] = children(der, readRoot(der));
    const fields = children(der, tbs!);
    const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
    return subject?.tag === Tag.Sequence ? readName(der, subject).key : null;
  } catch {
    return null;
  }
}

function tryParse(der: Uint8Array): ParsedCertificate | null {
  try {
    return parseCertificate(der);
  } catch (error) {
    if (error instanceof DerError) return null;
    throw error;
  }
}

/** The platform's roots: Node's bundled Mozilla store and, on Node 22.15+, the system store too. */
function platformRoots(): { der: Uint8Array; source: AnchorSource }[] {
  const getCa = (tls as { getCACertificates?: (type: 'system' | 'bundled') => string[] }).getCACertificates;
  const pems = [...tls.rootCertificates, ...(typeof getCa === 'function' ? safely(() => getCa('system')) : [])];
  return pems.flatMap((pem) => safely(() => readPemBlocks(pem, 'trust store')).map((block) => ({ der: block.der, source: 'system' as const })));
}

function safely<T>(read: () => T[]): T[] {
  try {
    return read();
  } catch {
    return [];
  }
}

/** The platform's trust store, read once per process (lazily: only an incomplete chain asks). */
export const systemAnchors = new TrustAnchors(platformRoots);

/** The platform's store plus CA certificates the caller holds (the library's), which take precedence. */
export function anchorsWith(library: readonly Uint8Array[]): TrustAnchors {
  if (library.length === 0) return systemAnchors;
  return new TrustAnchors(() => [...library.map((der) => ({ der, source: 'library' as const })), ...platformRoots()]);
}
