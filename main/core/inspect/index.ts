// The certificate inspector: files or pasted text in, an Inspection out (or a VaultError naming
// the unusable file). Plain Node: the Electron window, the CLI and the vault all call this.
import { PASTED_TEXT_SOURCE, type Inspection } from '../../../shared/model';
import { VaultError } from '../../../shared/errors';
import { parseInputs, type ParseOptions } from './bundle';
import type { InputFile } from './decode';
import { buildInspection, type VerdictSource } from './inspection';
import { readInputFiles } from './read-files';
import { systemAnchors, type TrustAnchors } from './trust';

export interface InspectOptions extends ParseOptions {
  /** "Now" for expiry checks, passed in so results are reproducible. */
  readonly now: Date;
  /** Per-cloud verdicts; none unless the caller wires the clouds in. */
  readonly verdicts?: VerdictSource;
  /** Where a chain missing its root may end; default the platform's trust store. */
  readonly anchors?: TrustAnchors;
}

/** The name pasted text gets in messages ("pasted text, line 3: ..."). */

export async function inspectPaths(paths: string[], opts: InspectOptions): Promise<Inspection> {
  return inspectInputs(await readInputFiles(paths), opts);
}

export async function inspectContent(files: InputFile[], text: string | undefined, opts: InspectOptions): Promise<Inspection> {
  const inputs: InputFile[] = [...files];
  if (text !== undefined && text.trim() !== '') inputs.push({ name: PASTED_TEXT_SOURCE, data: new TextEncoder().encode(text) });
  if (inputs.length === 0) throw new VaultError('input.empty', { file: PASTED_TEXT_SOURCE });
  return inspectInputs(inputs, opts);
}

async function inspectInputs(inputs: InputFile[], opts: InspectOptions): Promise<Inspection> {
  const bundle = await parseInputs(inputs, { password: opts.password });
  return buildInspection(bundle, opts.now, opts.verdicts, opts.anchors ?? systemAnchors);
}

export { parseInputs, buildInspection };
export { chainOf, type VerdictSource } from './inspection';
export { analyzeChain, type ChainRoles } from './chain';
export { anchorsWith, systemAnchors, TrustAnchors } from './trust';
export type { ParsedBundle, BundleCertificate, BundleKey, ParseOptions } from './bundle';
export type { ParsedCertificate } from './certificate';
export type { ParsedPrivateKey } from './private-key';
export type { InputFile } from './decode';
export { keyMatchesCertificate } from './key-match';
export { EXPIRING_SOON_DAYS } from './problems';
