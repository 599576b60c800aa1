// What an engineer should know before deploying: expiry, chain gaps, bad signatures, keys
// that fit nothing, and objects that are not what was probably meant. The English text comes
// from the same catalog entry (`problem.<code>`) the renderer translates.
import type { Problem, ProblemCode, ProblemSeverity } from '../../../shared/model';
import { translate } from '../../../shared/i18n';
import type { ErrorParams } from '../../../shared/errors';
import type { ParsedCertificate } from './certificate';
import type { ChainRoles } from './chain';
import type { ParsedBundle } from './bundle';

/** Certificates expiring within this many days get a warning. */
export const EXPIRING_SOON_DAYS = 30;
const DAY_MS = 86_400_000;

export function problem(code: ProblemCode, severity: ProblemSeverity, params: ErrorParams): Problem {
  return { code, severity, message: translate('en', `problem.${code}`, params), params };
}

export function findProblems(bundle: ParsedBundle, chain: ChainRoles, now: Date): Problem[] {
  const problems: Problem[] = [];
  for (const { certificate } of bundle.certificates) problems.push(...validityProblems(certificate, now));

  const top = chain.path[chain.path.length - 1];
  if (top && !chain.complete) problems.push(problem('chain.incomplete', 'warning', { subject: nameOf(top), issuer: top.issuer.text }));
  const byFingerprint = new Map(bundle.certificates.map(({ certificate }) => [certificate.info.fingerprintSha256, certificate]));
  for (const link of chain.links) {
    if (link.signatureValid) continue;
    const subject = byFingerprint.get(link.subjectFingerprint)!;
    const issuer = byFingerprint.get(link.issuerFingerprint)!;
    problems.push(problem('chain.bad_signature', 'error', { subject: nameOf(subject), issuer: nameOf(issuer) }));
  }
  for (const cert of chain.unrelated) {
    problems.push(problem('chain.unrelated_certificate', 'warning', { subject: nameOf(cert), leaf: chain.leaf ? nameOf(chain.leaf) : '' }));
  }

  if (bundle.certificates.length > 0) {
    for (const key of bundle.privateKeys) {
      if (!key.matches) problems.push(problem('key.mismatch', 'error', { source: key.key.source }));
    }
  }
  for (const other of bundle.others) {
    const code: ProblemCode = other.kind === 'csr' ? 'object.csr' : other.kind === 'crl' ? 'object.crl' : 'object.public_key';
    problems.push(problem(code, 'info', { source: other.source, description: other.description }));
  }
  return problems;
}

function validityProblems(cert: ParsedCertificate, now: Date): Problem[] {
  const subject = nameOf(cert);
  const nowMs = now.getTime();
  if (nowMs < cert.notBefore.getTime()) {
    return [problem('cert.not_yet_valid', 'error', { subject, date: day(cert.notBefore), days: Math.ceil((cert.notBefore.getTime() - nowMs) / DAY_MS) })];
  }
  const left = cert.notAfter.getTime() - nowMs;
  if (left < 0) return [problem('cert.expired', 'error', { subject, date: day(cert.notAfter), days: Math.floor(-left / DAY_MS) })];
  if (left <= EXPIRING_SOON_DAYS * DAY_MS) {
    return [problem('cert.expiring_soon', 'warning', { subject, date: day(cert.notAfter), days: Math.floor(left / DAY_MS) })];
  }
  return [];
}

/** The common name when there is one, else the whole DN. */
export function nameOf(cert: ParsedCertificate): string {
  return cert.subject.commonName ?? cert.subject.text;
}

function day(date: Date): string {
  return date.toISOString().slice(0, 10);
}
