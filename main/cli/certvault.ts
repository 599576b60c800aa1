import './require-node';
import { nodeIo } from './node-io';
import { runCli } from './run';

// `certvault`: the process entry. Everything testable lives in run.ts and the command files.
// require-node comes first: under an old Node, loading the native modules would crash the process.
void runCli(process.argv.slice(2), nodeIo(), { logToDataDir: true }).then((code) => {
  process.exitCode = code;
});
