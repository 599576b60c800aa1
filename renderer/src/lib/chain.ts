import type { CertificateInfo, ChainLink, Inspection } from '../../../shared/model';
import { printable } from '../../../shared/printable';
import { dnForDisplay } from './dn';

// Turns the inspection's chain (fingerprints, leaf first) into what the diagram draws.

export type ChainRole = 'leaf' | 'intermediate' | 'root' | 'selfSigned';

export interface ChainNode {
  readonly certificate: CertificateInfo;
  readonly role: ChainRole;
  /** The link from this certificate up to its issuer, when the issuer is in the input. */
  readonly link: ChainLink | null;
}

export interface ChainView {
  readonly nodes: readonly ChainNode[];
  /** Certificates in the input that are not on the chain (unrelated or a second leaf). */
  readonly outside: readonly CertificateInfo[];
}

/** A certificate's name as shown: its hidden characters visible, so a spoofed name cannot hide (issue 8 §2). */
export function displayName(certificate: CertificateInfo): string {
  return printable(certificate.commonName ?? certificate.dnsNames[0] ?? dnForDisplay(certificate.subject));
}

function roleOf(certificate: CertificateInfo, index: number, count: number): ChainRole {
  if (certificate.selfSigned) return count === 1 && !certificate.isCA ? 'selfSigned' : 'root';
  if (index === 0 && !certificate.isCA) return 'leaf';
  return 'intermediate';
}

export function chainView(inspection: Inspection): ChainView {
  const byFingerprint = new Map(inspection.certificates.map((c) => [c.fingerprintSha256, c]));
  const onChain = inspection.chain.order.flatMap((fp) => byFingerprint.get(fp) ?? []);
  const nodes = onChain.map((certificate, index) => ({
    certificate,
    role: roleOf(certificate, index, onChain.length),
    link:
      inspection.chain.links.find(
        (l) => l.subjectFingerprint === certificate.fingerprintSha256 && l.issuerFingerprint !== l.subjectFingerprint,
      ) ?? null,
  }));
  const placed = new Set(inspection.chain.order);
  return { nodes, outside: inspection.certificates.filter((c) => !placed.has(c.fingerprintSha256)) };
}
