// Orders certificates leaf -> root whatever the input order, checks every link's signature, and
// names the roles: leaf, intermediates, root, and for SM2 the sign/encrypt pair of a dual
// certificate (GM/T 0015: one CA issues a signing and an encryption certificate to a subject).
import type { ChainLink } from '../../../shared/model';
import type { ParsedCertificate } from './certificate';
import { verifySignature } from './signature';
import type { AnchorSource, TrustAnchors } from './trust';

export interface ChainRoles {
  /** Leaf first; ends at the root when `complete`. Empty when there are no certificates. */
  readonly path: readonly ParsedCertificate[];
  readonly leaf: ParsedCertificate | null;
  readonly intermediates: readonly ParsedCertificate[];
  /** The self-issued certificate ending the path, when there is one. */
  readonly root: ParsedCertificate | null;
  /** SM2 dual certificate: `sign` is the leaf of `path`, `encrypt` its companion. */
  readonly sm2Pair: { readonly sign: ParsedCertificate; readonly encrypt: ParsedCertificate } | null;
  /** Each certificate in `path` with its issuer, the SM2 companion with its issuer, the root's self-signature last. */
  readonly links: readonly ChainLink[];
  /** The path ends at a self-issued certificate. */
  readonly complete: boolean;
  /** At least one signature was checked and every link (the root's self-signature included) verifies. */
  readonly verified: boolean;
  /** Issuer DN of the last certificate in the path when the chain is incomplete. */
  readonly missingIssuer: string | null;
  /** Certificates that are neither in the path nor the SM2 companion. */
  readonly unrelated: readonly ParsedCertificate[];
  /** Certificates of `path` that came from trust anchors rather than the input (the root certbot leaves out). */
  readonly anchored: readonly ParsedCertificate[];
  /** Who vouches for the root when complete: a trust store it is in, else only the input itself. */
  readonly trustedBy: AnchorSource | 'input' | null;
}

const fingerprint = (cert: ParsedCertificate) => cert.info.fingerprintSha256;
const selfIssued = (cert: ParsedCertificate) => cert.subject.key === cert.issuer.key;

/**
 * @param certificates deduplicated, in input order
 * @param keyed fingerprints of certificates a private key in the input matches: preferred as leaf
 */
export function analyzeChain(certificates: readonly ParsedCertificate[], keyed: ReadonlySet<string> = new Set(), anchors?: TrustAnchors): ChainRoles {
  if (certificates.length === 0) {
    return { path: [], leaf: null, intermediates: [], root: null, sm2Pair: null, links: [], complete: false, verified: false, missingIssuer: null, unrelated: [], anchored: [], trustedBy: null };
  }
  const issuerOf = new Map<ParsedCertificate, ParsedCertificate>();
  const finder = new IssuerFinder(certificates);
  for (const cert of certificates) {
    const issuer = finder.issuerOf(cert);
    if (issuer) issuerOf.set(cert, issuer);
  }
  const issuers = new Set(issuerOf.values());
  const candidates = certificates.filter((c) => !issuers.has(c));
  const sm2Pair = findSm2Pair(candidates, issuerOf);
  const leaf = sm2Pair?.sign ?? pickLeaf(candidates.length > 0 ? candidates : certificates, issuerOf, keyed);

  const inputPath = walk(leaf, issuerOf);
  const extension = anchors ? extendFromAnchors(inputPath[inputPath.length - 1]!, anchors) : { certificates: [], source: null };
  const path = [...inputPath, ...extension.certificates];
  const top = path[path.length - 1]!;
  const complete = selfIssued(top);
  const links: ChainLink[] = path.slice(1).map((issuer, i) => link(path[i]!, issuer));
  const pairIssuer = sm2Pair ? issuerOf.get(sm2Pair.encrypt) : undefined;
  if (sm2Pair && pairIssuer) links.push(link(sm2Pair.encrypt, pairIssuer));
  if (complete) links.push({ subjectFingerprint: fingerprint(top), issuerFingerprint: fingerprint(top), signatureValid: top.info.selfSigned });
  const inPath = new Set(path);
  return {
    path,
    leaf,
    intermediates: path.slice(1, complete ? -1 : undefined),
    root: complete ? top : null,
    sm2Pair,
    links,
    complete,
    verified: links.length > 0 && links.every((l) => l.signatureValid),
    missingIssuer: complete ? null : top.issuer.text,
    unrelated: certificates.filter((c) => !inPath.has(c) && c !== sm2Pair?.encrypt),
    anchored: extension.certificates,
    trustedBy: complete ? (extension.source ?? (anchors ? anchorHolding(top, anchors) : null) ?? 'input') : null,
  };
}

/** Links the anchors add above the input's last certificate; only signatures that verify make a link. */
function extendFromAnchors(top: ParsedCertificate, anchors: TrustAnchors): { certificates: ParsedCertificate[]; source: AnchorSource | null } {
  const added: ParsedCertificate[] = [];
  let source: AnchorSource | null = null;
  for (let current = top; !selfIssued(current) && added.length < MAX_ANCHORED_LINKS; ) {
    const aki = current.extensions.authorityKeyIdentifier;
    const issuer = anchors
      .named(current.issuer.key)
      .filter(({ certificate: c }) => !(aki && c.extensions.subjectKeyIdentifier && c.extensions.subjectKeyIdentifier !== aki) && !added.includes(c))
      .slice(0, MAX_CANDIDATES_PER_LINK)
      .find(({ certificate: c }) => verifySignature(current.signed, c.publicKey, fingerprint(current), fingerprint(c)));
    if (!issuer) break;
    added.push(issuer.certificate);
    source = issuer.source;
    current = issuer.certificate;
  }
  return { certificates: added, source };
}

/** The trust store holding this very root (same certificate, or the same name and key re-issued), if any. */
function anchorHolding(root: ParsedCertificate, anchors: TrustAnchors): AnchorSource | null {
  const spki = (c: ParsedCertificate) => Buffer.from(c.publicKey.spki).toString('base64');
  return anchors.named(root.subject.key).find(({ certificate }) => spki(certificate) === spki(root))?.source ?? null;
}

/** Intermediates a library may add above the input before its root (trust stores hold roots only). */
const MAX_ANCHORED_LINKS = 4;

/**
 * Signature checks one chain analysis may spend telling same-named issuers apart, and how many
 * candidates one link may try. Without them a crafted input (hundreds of CAs with one name and
 * leaves that verify under none) costs certificates² checks: 24 s for 400 certificates.
 */
export const MAX_ISSUER_CHECKS = 256;
export const MAX_CANDIDATES_PER_LINK = 8;

/**
 * Finds the certificate whose subject is a certificate's issuer. Candidates are looked up by name
 * and narrowed by the authority/subject key identifiers; only when several remain (a re-keyed CA,
 * a cross-signed one) does a signature check decide, within the budget above. When the budget
 * runs out the first candidate stands, and its link reports the signature it could not confirm.
 */
class IssuerFinder {
  private readonly bySubject = new Map<string, ParsedCertificate[]>();
  private checksLeft = MAX_ISSUER_CHECKS;

  constructor(certificates: readonly ParsedCertificate[]) {
    for (const cert of certificates) {
      const named = this.bySubject.get(cert.subject.key);
      if (named) named.push(cert);
      else this.bySubject.set(cert.subject.key, [cert]);
    }
  }

  issuerOf(cert: ParsedCertificate): ParsedCertificate | null {
    if (selfIssued(cert)) return null;
    const aki = cert.extensions.authorityKeyIdentifier;
    const named = (this.bySubject.get(cert.issuer.key) ?? []).filter(
      (c) => c !== cert && !(aki && c.extensions.subjectKeyIdentifier && c.extensions.subjectKeyIdentifier !== aki),
    );
    if (named.length <= 1) return named[0] ?? null;
    for (const candidate of named.slice(0, MAX_CANDIDATES_PER_LINK)) {
      if (this.checksLeft <= 0) break;
      this.checksLeft -= 1;
      if (verifySignature(cert.signed, candidate.publicKey, fingerprint(cert), fingerprint(candidate))) return candidate;
    }
    return named[0]!;
  }
}

function walk(leaf: ParsedCertificate, issuerOf: ReadonlyMap<ParsedCertificate, ParsedCertificate>): ParsedCertificate[] {
  const path = [leaf];
  const seen = new Set(path);
  for (let next = issuerOf.get(leaf); next && !seen.has(next); next = issuerOf.get(next)) {
    path.push(next);
    seen.add(next);
  }
  return path;
}

function link(subject: ParsedCertificate, issuer: ParsedCertificate): ChainLink {
  return {
    subjectFingerprint: fingerprint(subject),
    issuerFingerprint: fingerprint(issuer),
    signatureValid: verifySignature(subject.signed, issuer.publicKey, fingerprint(subject), fingerprint(issuer)),
  };
}

/** Prefer the certificate a private key matches, then an end-entity one, then the longest path, then input order. */
function pickLeaf(
  candidates: readonly ParsedCertificate[],
  issuerOf: ReadonlyMap<ParsedCertificate, ParsedCertificate>,
  keyed: ReadonlySet<string>,
): ParsedCertificate {
  const score = (c: ParsedCertificate) => (keyed.has(fingerprint(c)) ? 1000 : 0) + (c.extensions.isCA ? 0 : 100) + walk(c, issuerOf).length;
  return candidates.reduce((best, c) => (score(c) > score(best) ? c : best));
}

const ENCRYPTION_USAGES = ['keyEncipherment', 'dataEncipherment', 'keyAgreement'];

/** Two SM2 end-entity certificates from the same issuer, one for signing and one for encryption. */
function findSm2Pair(
  candidates: readonly ParsedCertificate[],
  issuerOf: ReadonlyMap<ParsedCertificate, ParsedCertificate>,
): { sign: ParsedCertificate; encrypt: ParsedCertificate } | null {
  const sm2 = candidates.filter((c) => c.publicKey.keyAlgorithm === 'SM2' && !c.extensions.isCA);
  const signs = sm2.filter((c) => c.extensions.keyUsage.includes('digitalSignature') && !c.extensions.keyUsage.some((u) => ENCRYPTION_USAGES.includes(u)));
  const encrypts = sm2.filter((c) => c.extensions.keyUsage.some((u) => ENCRYPTION_USAGES.includes(u)));
  for (const sign of signs) {
    const encrypt = encrypts.find((e) => e !== sign && e.issuer.key === sign.issuer.key && issuerOf.get(e) === issuerOf.get(sign));
    if (encrypt) return { sign, encrypt };
  }
  return null;
}
