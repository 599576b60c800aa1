import { createHash, X509Certificate } from 'node:crypto';
import type { CloudId } from '../../shared/model';
import type { CallContext, RemoteBinding, RemoteCopy } from './provider';
import { withRetry } from './retry';

// What the four inventory clients share: reading the facts of a certificate PEM a detail call
// returned, normalising the clouds' spellings of hex values, and retrying read calls.

const FIRST_CERTIFICATE = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/;
const CERTIFICATE_BLOCKS = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** "AB:CD:..." or "ABCD..." as lower-case hex without separators; null when it is not hex. */
export function normalHex(value: unknown): string | null {
  const hex = typeof value === 'string' ? value.replace(/[:\s]/g, '').toLowerCase() : '';
  return /^[0-9a-f]+$/.test(hex) ? hex : null;
}

/** A serial number as lower-case hex without leading zeros, so the clouds' spellings compare equal. */
export function normalSerial(value: unknown): string | null {
  const hex = normalHex(value);
  return hex === null ? null : hex.replace(/^0+(?=.)/, '');
}

/** Only the certificate blocks of a PEM text, so nothing else the cloud put beside them travels on. */
export function certificateBlocks(pem: unknown): string | null {
  if (typeof pem !== 'string') return null;
  const blocks = pem.match(CERTIFICATE_BLOCKS);
  return blocks === null ? null : `${blocks.join('\n')}\n`;
}

export interface PemFacts {
  readonly fingerprintSha256: string | null;
  readonly serial: string | null;
  readonly issuer: string | null;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly notBefore: string | null;
  readonly notAfter: string | null;
}

const NO_FACTS: PemFacts = { fingerprintSha256: null, serial: null, issuer: null, commonName: null, dnsNames: [], notBefore: null, notAfter: null };

/**
 * The leaf's facts. The fingerprint is the hash of the DER itself, so it holds for any key type;
 * the fields come from the platform's X.509 parser, which cannot read SM2 certificates under
 * Electron's BoringSSL: they are then null and the vault's own inspector fills them from the PEM.
 */
export function pemFacts(pem: string | null): PemFacts {
  const body = pem === null ? undefined : FIRST_CERTIFICATE.exec(pem)?.[1];
  if (body === undefined) return NO_FACTS;
  const der = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (der.length === 0) return NO_FACTS;
  const fingerprintSha256 = createHash('sha256').update(der).digest('hex');
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(der);
  } catch {
    return { ...NO_FACTS, fingerprintSha256 };
  }
  return {
    fingerprintSha256,
    serial: normalSerial(x509.serialNumber),
    issuer: x509.issuer.split('\n').join(', '),
    commonName: /^CN=(.*)$/m.exec(x509.subject)?.[1] ?? null,
    dnsNames: (x509.subjectAltName ?? '')
      .split(', ')
      .filter((name) => name.startsWith('DNS:'))
      .map((name) => name.slice(4)),
    notBefore: new Date(x509.validFrom).toISOString(),
    notAfter: new Date(x509.validTo).toISOString(),
  };
}

/** A copy as a list call describes it, before details and bindings. */
export function listedCopy(cloud: CloudId, remoteId: string, fields: Partial<Omit<RemoteCopy, 'cloud' | 'remoteId'>>): RemoteCopy {
  return {
    cloud,
    remoteId,
    name: null,
    commonName: null,
    dnsNames: [],
    notBefore: null,
    notAfter: null,
    fingerprintSha256: null,
    serial: null,
    issuer: null,
    certificatePem: null,
    bindings: [],
    ...fields,
  };
}

/**
 * Runs one read call, retrying what may be retried (throttling, 5xx, lost connections: a read
 * repeats safely) and stopping at once when the caller cancels.
 */
export function readCall<T>(ctx: CallContext, operation: () => Promise<T>): Promise<T> {
  ctx.signal?.throwIfAborted();
  return withRetry(operation, { idempotent: true, ...(ctx.signal ? { signal: ctx.signal } : {}) });
}

/** Items per page: the caller's choice within [1, max], else the cloud's maximum. */
export function pageSizeOf(requested: number | undefined, max: number): number {
  return requested !== undefined && Number.isInteger(requested) && requested >= 1 ? Math.min(requested, max) : max;
}

/**
 * Whether a page ends a listing: it was empty, or everything the cloud's total promised has been
 * read (`readSoFar` counts this page too); without a total, a short page ends it.
 */
export function isLastPage(received: number, readSoFar: number, total: unknown, size: number): boolean {
  if (received === 0) return true;
  return typeof total === 'number' ? readSoFar >= total : received < size;
}

/** Adds one binding to the list of the certificate it serves. */
export function addBinding(bindings: Map<string, RemoteBinding[]>, remoteId: string, binding: RemoteBinding): void {
  const found = bindings.get(remoteId);
  if (found) found.push(binding);
  else bindings.set(remoteId, [binding]);
}
