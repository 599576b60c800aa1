// Turns a parsed bundle into the Inspection the renderer and the CLI show. Only descriptions of
// private keys go in: never their material.
import type { ChainInfo, CloudVerdict, Inspection, PrivateKeyInfo } from '../../../shared/model';
import type { ParsedBundle } from './bundle';
import { analyzeChain, type ChainRoles } from './chain';
import { findProblems } from './problems';
import type { TrustAnchors } from './trust';

/** Judges a bundle for each cloud (wired in by the caller; inspection itself knows no cloud). */
export type VerdictSource = (bundle: ParsedBundle, chain: ChainRoles) => CloudVerdict[];

/** The chain roles of a bundle, preferring as leaf a certificate that one of its keys matches. */
export function chainOf(bundle: ParsedBundle, anchors?: TrustAnchors): ChainRoles {
  const keyed = new Set(bundle.privateKeys.flatMap((k) => (k.matches ? [k.matches.info.fingerprintSha256] : [])));
  return analyzeChain(
    bundle.certificates.map((c) => c.certificate),
    keyed,
    anchors,
  );
}

/** `anchors`: where a chain missing its root may end (trust.ts); none, and only the input counts. */
export function buildInspection(bundle: ParsedBundle, now: Date, verdicts: VerdictSource = () => [], anchors?: TrustAnchors): Inspection {
  const chain = chainOf(bundle, anchors);
  // Chain order first (leaf -> root), then the SM2 companion, then anything unrelated.
  const ordered = [...chain.path, ...(chain.sm2Pair ? [chain.sm2Pair.encrypt] : []), ...chain.unrelated];
  const chainInfo: ChainInfo = {
    order: chain.path.map((c) => c.info.fingerprintSha256),
    complete: chain.complete,
    verified: chain.verified,
    links: chain.links,
    missingIssuer: chain.missingIssuer,
    ...(chain.root && chain.trustedBy
      ? {
          root: {
            fingerprint: chain.root.info.fingerprintSha256,
            name: chain.root.subject.commonName ?? chain.root.subject.text,
            trustedBy: chain.trustedBy,
            fromInput: !chain.anchored.includes(chain.root),
          },
        }
      : {}),
    ...(chain.sm2Pair ? { encryptionCertificate: chain.sm2Pair.encrypt.info.fingerprintSha256 } : {}),
  };
  const privateKeys: PrivateKeyInfo[] = bundle.privateKeys.map(({ key, matches }) => ({
    keyAlgorithm: key.keyAlgorithm,
    keySize: key.keySize,
    curve: key.curve,
    matchesFingerprintSha256: matches?.info.fingerprintSha256 ?? null,
    source: key.source,
  }));
  return {
    certificates: ordered.map((c) => c.info),
    privateKeys,
    chain: chainInfo,
    problems: findProblems(bundle, chain, now),
    others: bundle.others,
    verdicts: verdicts(bundle, chain),
    inspectedAt: now.toISOString(),
  };
}
