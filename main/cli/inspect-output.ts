import { providers } from '../clouds/registry';
import type { CertificateInfo, Inspection, PrivateKeyInfo, PublicKeyInfo } from '../../shared/model';
import { printable } from '../../shared/printable';

// The two faces of `certvault inspect`: a stable JSON document for scripts, and an aligned,
// readable report for people. Both are plain functions of an Inspection.

/** The documented `--json` shape (issue 2 §6); fields are added here deliberately, never by accident. */
export function inspectionJson(inspection: Inspection) {
  return {
    certificates: inspection.certificates.map((cert) => ({
      fingerprintSha256: cert.fingerprintSha256,
      serialNumber: cert.serialNumber,
      subject: cert.subject,
      commonName: cert.commonName,
      issuer: cert.issuer,
      dnsNames: cert.dnsNames,
      ipAddresses: cert.ipAddresses,
      notBefore: cert.notBefore,
      notAfter: cert.notAfter,
      keyAlgorithm: cert.keyAlgorithm,
      keySize: cert.keySize,
      curve: cert.curve,
      signatureAlgorithm: cert.signatureAlgorithm,
      isCA: cert.isCA,
      selfSigned: cert.selfSigned,
    })),
    privateKeys: inspection.privateKeys.map((key) => ({
      keyAlgorithm: key.keyAlgorithm,
      matchesFingerprintSha256: key.matchesFingerprintSha256,
    })),
    chain: {
      order: inspection.chain.order,
      complete: inspection.chain.complete,
      verified: inspection.chain.verified,
      ...(inspection.chain.root ? { root: inspection.chain.root } : {}),
    },
    problems: inspection.problems.map((problem) => ({ code: problem.code, message: problem.message })),
    clouds: inspection.verdicts.map((verdict) => ({
      cloud: verdict.cloud,
      ok: verdict.ok,
      issues: verdict.issues.map((issue) => ({ field: issue.field, message: issue.message.en })),
    })),
  };
}

/** The longest label ("Authority key ID") plus two spaces, so no value runs into its label. */
const LABEL_WIDTH = 18;
const DAY_MS = 24 * 60 * 60 * 1000;

export function inspectionText(inspection: Inspection): string {
  const now = Date.parse(inspection.inspectedAt);
  const ordered = chainOrdered(inspection);
  const number = new Map(ordered.map((cert, index) => [cert.fingerprintSha256, index + 1]));
  const sections: string[] = [];

  for (const cert of ordered) {
    sections.push(certificateSection(cert, number.get(cert.fingerprintSha256) ?? 0, role(cert, inspection), now));
  }
  inspection.privateKeys.forEach((key, index) => sections.push(privateKeySection(key, index + 1, number)));
  if (ordered.length > 0) sections.push(chainSection(inspection, number));
  if (inspection.others.length > 0) {
    sections.push(
      ['Other objects', ...inspection.others.map((other) => field(other.source, `${other.kind}: ${other.description}`))].join('\n'),
    );
  }
  sections.push(problemsSection(inspection));
  if (inspection.verdicts.length > 0) sections.push(cloudsSection(inspection));
  return `${sections.join('\n\n')}\n`;
}

/** Chain order (leaf first) and then whatever certificates are not part of the chain. */
function chainOrdered(inspection: Inspection): CertificateInfo[] {
  const byFingerprint = new Map(inspection.certificates.map((cert) => [cert.fingerprintSha256, cert]));
  const inChain = inspection.chain.order.flatMap((fp) => byFingerprint.get(fp) ?? []);
  const rest = inspection.certificates.filter((cert) => !inspection.chain.order.includes(cert.fingerprintSha256));
  return [...inChain, ...rest];
}

function role(cert: CertificateInfo, inspection: Inspection): string {
  const { order } = inspection.chain;
  const position = order.indexOf(cert.fingerprintSha256);
  if (position === -1) return 'not part of the chain';
  if (order.length === 1) return cert.selfSigned ? 'self-signed' : 'leaf';
  if (position === 0) return 'leaf';
  return position === order.length - 1 && cert.selfSigned ? 'root' : 'intermediate';
}

function certificateSection(cert: CertificateInfo, index: number, roleName: string, now: number): string {
  const lines = [
    `Certificate ${index} (${roleName})`,
    field('Subject', cert.subject),
    field('Issuer', cert.issuer),
    optionalList('DNS names', cert.dnsNames),
    optionalList('IP addresses', cert.ipAddresses),
    optionalList('Email addresses', cert.emailAddresses),
    optionalList('URIs', cert.uris),
    field('Not before', formatDate(cert.notBefore)),
    field('Not after', `${formatDate(cert.notAfter)} (${validity(cert, now)})`),
    field('Serial', `${cert.serialNumber} (decimal ${cert.serialDecimal})`),
    field('SHA-256', cert.fingerprintSha256),
    field('SHA-1', cert.fingerprintSha1),
    field('Public key', describeKey(cert)),
    field('Signature', cert.signatureAlgorithm),
    optionalList('Key usage', cert.keyUsage),
    optionalList('Extended usage', cert.extendedKeyUsage),
    field('CA', cert.isCA ? `yes${cert.pathLength === null ? '' : `, path length ${cert.pathLength}`}` : 'no'),
    field('Self-signed', cert.selfSigned ? 'yes' : 'no'),
    cert.validationLevel ? field('Validation', cert.validationLevel) : null,
    optionalList('Policies', cert.policies.map((policy) => (policy.name ? `${policy.name} (${policy.oid})` : policy.oid))),
    cert.subjectKeyIdentifier ? field('Subject key ID', cert.subjectKeyIdentifier) : null,
    cert.authorityKeyIdentifier ? field('Authority key ID', cert.authorityKeyIdentifier) : null,
    optionalList('OCSP', cert.ocspUrls),
    optionalList('CA issuers', cert.caIssuerUrls),
    optionalList('CRL', cert.crlUrls),
  ];
  return lines.filter((line): line is string => line !== null).join('\n');
}

function privateKeySection(key: PrivateKeyInfo, index: number, number: ReadonlyMap<string, number>): string {
  const match = key.matchesFingerprintSha256;
  return [
    `Private key ${index}`,
    field('Algorithm', describeKey(key)),
    field('Source', key.source),
    field('Matches', match ? `certificate ${number.get(match) ?? '?'} (${match})` : 'no certificate in the input'),
  ].join('\n');
}

function chainSection(inspection: Inspection, number: ReadonlyMap<string, number>): string {
  const { chain } = inspection;
  const byFingerprint = new Map(inspection.certificates.map((cert) => [cert.fingerprintSha256, cert]));
  const path = chain.order.map((fp) => `${number.get(fp) ?? '?'} ${byFingerprint.get(fp)?.commonName ?? fp.slice(0, 16)}`);
  const badLinks = chain.links.filter((link) => !link.signatureValid);
  return [
    'Chain',
    field('Order', path.join('  ->  ')),
    field('Complete', chain.complete ? `yes, ${rootText(chain.root)}` : `no, issuer not found: ${chain.missingIssuer ?? 'unknown'}`),
    field(
      'Signatures',
      chain.verified
        ? 'every link verified'
        : badLinks.length > 0
          ? `failed on ${badLinks.map((link) => `${number.get(link.subjectFingerprint) ?? '?'} -> ${number.get(link.issuerFingerprint) ?? '?'}`).join(', ')}`
          : 'not verified',
    ),
  ].join('\n');
}

const vouchers = { system: 'trusted by the system', library: 'a CA certificate in the library', input: 'trusted only by this input' } as const;

/** "ends at ISRG Root X1, trusted by the system (added: the input stops below it)". */
function rootText(root: Inspection['chain']['root']): string {
  if (!root) return 'ends at a self-signed root';
  return `ends at ${root.name}, ${vouchers[root.trustedBy]}${root.fromInput ? '' : ' (added: the input stops below it)'}`;
}

function problemsSection(inspection: Inspection): string {
  if (inspection.problems.length === 0) return 'Problems: none';
  const width = Math.max(...inspection.problems.map((problem) => problem.severity.length));
  return ['Problems', ...inspection.problems.map((problem) => `  ${problem.severity.padEnd(width)}  ${printable(problem.message)}`)].join('\n');
}

function cloudsSection(inspection: Inspection): string {
  const names = inspection.verdicts.map((verdict) => providers[verdict.cloud].displayName.en);
  const width = Math.max(...names.map((name) => name.length)) + 2;
  const lines = inspection.verdicts.map((verdict, index) => {
    const name = names[index] ?? verdict.cloud;
    const reasons = verdict.issues.map((issue) => issue.message.en).join('; ');
    return `  ${name.padEnd(width)}${verdict.ok ? 'ok' : `not accepted: ${printable(reasons)}`}`;
  });
  return ['Clouds', ...lines].join('\n');
}

/** One aligned line; the value may come from the certificate, so it is made terminal-safe. */
function field(label: string, value: string): string {
  return `  ${label.padEnd(LABEL_WIDTH)}${printable(value)}`;
}

function optionalList(label: string, values: readonly string[]): string | null {
  return values.length > 0 ? field(label, values.join(', ')) : null;
}

function describeKey(key: PublicKeyInfo): string {
  if (key.keyAlgorithm === 'RSA' || key.keyAlgorithm === 'DSA') return key.keySize ? `${key.keyAlgorithm} ${key.keySize} bits` : key.keyAlgorithm;
  if (key.keyAlgorithm === 'EC') return `EC ${key.curve ?? 'unknown curve'}`;
  return key.keyAlgorithm;
}

/** `2025-03-01T12:00:00.000Z` -> `2025-03-01 12:00:00 UTC` */
function formatDate(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;
}

function validity(cert: CertificateInfo, now: number): string {
  const notBefore = Date.parse(cert.notBefore);
  const notAfter = Date.parse(cert.notAfter);
  if (now < notBefore) return `not valid for another ${plural(Math.ceil((notBefore - now) / DAY_MS), 'day')}`;
  if (now > notAfter) return `expired ${plural(Math.floor((now - notAfter) / DAY_MS), 'day')} ago`;
  return `${plural(Math.floor((notAfter - now) / DAY_MS), 'day')} left`;
}

function plural(count: number, unit: string): string {
  return `${count} ${unit}${count === 1 ? '' : 's'}`;
}
