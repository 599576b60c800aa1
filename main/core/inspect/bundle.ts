// Everything parsed out of one set of inputs (files, pasted text), before it is described.
// The vault imports this: it holds the private keys an Inspection never carries.
import type { OtherObject } from '../../../shared/model';
import { VaultError } from '../../../shared/errors';
import { limits } from '../../../shared/limits';
import { parseCertificate, type ParsedCertificate } from './certificate';
import { DerError } from './der';
import { decodeFile, type InputFile } from './decode';
import { keyMatchesCertificate } from './key-match';
import type { ParsedPrivateKey } from './private-key';

export interface BundleCertificate {
  /** File it was first found in (a certificate present in several files is kept once). */
  readonly source: string;
  readonly certificate: ParsedCertificate;
}

export interface BundleKey {
  /** Secret: normalised PKCS#8 PEM and its public half. */
  readonly key: ParsedPrivateKey;
  /** The certificate in the bundle whose public key this key matches, if any. */
  readonly matches: ParsedCertificate | null;
}

export interface ParsedBundle {
  /** Deduplicated by SHA-256 fingerprint, in input order. */
  readonly certificates: readonly BundleCertificate[];
  /** Deduplicated by public key, in input order. */
  readonly privateKeys: readonly BundleKey[];
  /** CSRs, bare public keys and CRLs: recognised, not used. */
  readonly others: readonly OtherObject[];
}

export interface ParseOptions {
  /** One password for every encrypted key and PKCS#12 file in the input. */
  readonly password?: string;
}

/**
 * Parses every input. All or nothing: if one file is unusable the whole call fails with a
 * VaultError naming that file, so nothing is imported or shown half-read.
 */
export async function parseInputs(inputs: readonly InputFile[], opts: ParseOptions = {}): Promise<ParsedBundle> {
  if (inputs.length > limits.maxFilesPerRequest) throw new VaultError('input.too_many_files', { count: inputs.length, limit: limits.maxFilesPerRequest });
  const certificates = new Map<string, BundleCertificate>();
  const keys = new Map<string, ParsedPrivateKey>();
  const others: OtherObject[] = [];
  for (const input of inputs) {
    const decoded = decodeFile(input, opts.password);
    decoded.certificates.forEach((der, i) => {
      const certificate = parseOrExplain(der, input.name, i + 1);
      if (!certificates.has(certificate.info.fingerprintSha256)) certificates.set(certificate.info.fingerprintSha256, { source: input.name, certificate });
    });
    for (const key of decoded.keys) {
      const id = Buffer.from(key.sm2Point ?? key.publicSpki ?? new Uint8Array()).toString('hex');
      if (!keys.has(id)) keys.set(id, key);
    }
    others.push(...decoded.others);
  }
  const certList = [...certificates.values()];
  const privateKeys = [...keys.values()].map((key) => ({ key, matches: matchFor(key, certList) }));
  return { certificates: certList, privateKeys, others };
}

/** A key matching several certificates (a renewed one with the same key) is paired with the end-entity one. */
function matchFor(key: ParsedPrivateKey, certificates: readonly BundleCertificate[]): ParsedCertificate | null {
  const matching = certificates.map((c) => c.certificate).filter((c) => keyMatchesCertificate(key, c));
  return matching.find((c) => !c.extensions.isCA) ?? matching[0] ?? null;
}

function parseOrExplain(der: Uint8Array, file: string, index: number): ParsedCertificate {
  try {
    return parseCertificate(der);
  } catch (error) {
    if (error instanceof DerError) throw new VaultError('cert.malformed', { file, index, reason: error.message });
    throw error;
  }
}
