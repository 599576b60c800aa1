// What the parse worker is asked to do, and how, on either side of the thread boundary. Only
// structured-cloneable data crosses: files as bytes, results as plain objects, errors as ErrorInfo.
import type { ErrorInfo } from '../../../shared/errors';
import type { Inspection } from '../../../shared/model';
import { cloudVerdicts } from '../cloud-verdicts';
import { anchorsWith, inspectContent, inspectPaths, type InputFile } from '../inspect';
import type { CertificateFacts, ParsedSource } from '../library/material';
import { parseAllLocally, readAndParseLocally, type ParseOutcome } from '../library/parse-source';
import { toErrorInfo } from '../ipc/error-info';

export type ParseJob =
  | {
      readonly kind: 'inspect';
      /** Files to read (inspect.paths), or bytes already in hand plus pasted text (inspect.content). */
      readonly paths?: readonly string[];
      readonly files?: readonly InputFile[];
      readonly text?: string;
      readonly password?: string;
      readonly now: string;
      /** The library's CA certificates, where a chain missing its root may end besides the system's store. */
      readonly libraryCas?: readonly Uint8Array[];
    }
  /** Several files of an import, each parsed on its own: one failing does not fail the others. */
  | { readonly kind: 'sources'; readonly inputs: readonly InputFile[]; readonly password?: string }
  /** A folder's files, read here and parsed each on its own; the answer may stop short (`readAndParseLocally`). */
  | { readonly kind: 'files'; readonly files: readonly string[]; readonly password?: string };

export type SourceOutcome = { readonly ok: true; readonly value: ParsedSource<CertificateFacts> } | { readonly ok: false; readonly error: ErrorInfo };

export interface ParseResults {
  readonly inspect: Inspection;
  readonly sources: SourceOutcome[];
  readonly files: SourceOutcome[];
}

/** Runs one job: in the worker, or in the calling thread where no worker is wanted (benches, unit tests). */
export async function runJob(job: ParseJob): Promise<ParseResults[ParseJob['kind']]> {
  if (job.kind === 'sources') return crossing(await parseAllLocally(job.inputs, job.password), job.kind);
  if (job.kind === 'files') return crossing(await readAndParseLocally(job.files, job.password), job.kind);
  const options = { password: job.password, now: new Date(job.now), verdicts: cloudVerdicts, anchors: anchorsWith(job.libraryCas ?? []) };
  return job.paths ? inspectPaths([...job.paths], options) : inspectContent([...(job.files ?? [])], job.text, options);
}

/** Outcomes as they cross the thread boundary: errors as ErrorInfo. */
function crossing(outcomes: readonly ParseOutcome[], kind: ParseJob['kind']): SourceOutcome[] {
  return outcomes.map((outcome) => (outcome.ok ? outcome : { ok: false, error: toErrorInfo(outcome.error, `parse-worker.${kind}`) }));
}
