import { nodeIo } from './node-io';
import { runCli } from './run';

// `certvault`: the process entry. Everything testable lives in run.ts and the command files.
void runCli(process.argv.slice(2), nodeIo(), { logToDataDir: true }).then((code) => {
  process.exitCode = code;
});
