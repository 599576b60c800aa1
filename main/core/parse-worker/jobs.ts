// What the parse worker is asked to do, and how, on either side of the thread boundary. Only
// structured-cloneable data crosses: files as bytes, results as plain objects, errors as ErrorInfo.
import type { Inspection } from '../../../shared/model';
import { cloudVerdicts } from '../cloud-verdicts';
import { inspectContent, inspectPaths, type InputFile } from '../inspect';
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
    }
  | { readonly kind: 'source'; readonly input: InputFile; readonly password?: string };

export interface ParseResults {
  readonly inspect: Inspection;
  readonly source: ParsedSource<CertificateFacts>;
}

/** Runs one job: in the worker, or in the calling thread where no worker is wanted (benches, unit tests). */
export async function runJob(job: ParseJob): Promise<ParseResults[ParseJob['kind']]> {
  if (job.kind === 'source') return toFacts(await parseSource(job.input, job.password));
  const options = { password: job.password, now: new Date(job.now), verdicts: cloudVerdicts };
  return job.paths ? inspectPaths([...job.paths], options) : inspectContent([...(job.files ?? [])], job.text, options);
}
