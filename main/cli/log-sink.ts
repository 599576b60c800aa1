import fs from 'node:fs';
import path from 'node:path';
import { ensurePrivateFolder, PRIVATE_FILE_MODE, tightenPrivateFiles } from '../core/private-files';
import { printableLines } from '../../shared/printable';

// The CLI's stderr is for the one error line a script can parse, so its structured log goes to
// `logs/cli.log` in the data folder (created on the first line written, not before).
// CERTVAULT_LOG=stderr sends it to stderr instead; CERTVAULT_LOG=off drops it.

export function cliLogSink(
  env: Readonly<Record<string, string | undefined>>,
  dataDir: () => string,
): ((line: string) => void) | null {
  if (env.CERTVAULT_LOG === 'off') return null;
  // Log lines quote file names and cloud messages: on a terminal they are escaped like all output.
  if (env.CERTVAULT_LOG === 'stderr') return (line) => void process.stderr.write(`${printableLines(line)}\n`);
  let file: string | null = null;
  return (line) => {
    try {
      if (file === null) {
        const folder = path.join(dataDir(), 'logs');
        ensurePrivateFolder(folder);
        file = path.join(folder, 'cli.log');
        tightenPrivateFiles([file]);
      }
      fs.appendFileSync(file, `${line}\n`, { mode: PRIVATE_FILE_MODE });
    } catch {
      // A log that cannot be written must not turn a working command into a failing one.
    }
  };
}
