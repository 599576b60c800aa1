// What the parse worker is asked to do, and how, on either side of the thread boundary. Only
// structured-cloneable data crosses: files as bytes, results as plain objects, errors as ErrorInfo.
import type { Inspection } from '../../../shared/model';
import { cloudVerdicts } from '../cloud-verdicts';
import { anchorsWith, inspectContent, inspectPaths, type InputFile } from '../inspect';
import type { CertificateFacts, ParsedSource } from '../library/material';
import { toFacts } from '../library/material';
import { parseSource } from '../library/parse-source';

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
  | { readonly kind: 'source'; readonly input: InputFile; readonly password?: string };

export interface ParseResults {
  readonly inspect: Inspection;
  readonly source: ParsedSource<CertificateFacts>;
}

/** Runs one job: in the worker, or in the calling thread where no worker is wanted (benches, unit tests). */
export async function runJob(job: ParseJob): Promise<ParseResults[ParseJob['kind']]> {
  if (job.kind === 'source') return toFacts(await parseSource(job.input, job.password));
  const options = { password: job.password, now: new Date(job.now), verdicts: cloudVerdicts, anchors: anchorsWith(job.libraryCas ?? []) };
  return job.paths ? inspectPaths([...job.paths], options) : inspectContent([...(job.files ?? [])], job.text, options);
}
