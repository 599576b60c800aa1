// Entry point of the parse worker thread (built by scripts/build.mjs to parse-worker.cjs beside
// the app and CLI bundles). Answers one job per message; see parse-worker.ts for the other side.
import { parentPort } from 'node:worker_threads';
import { toErrorInfo } from '../ipc/error-info';
import { runJob, type ParseJob } from './jobs';

const port = parentPort;
if (port) {
  // Loaded: the job's budget starts now, not while the thread boots (and, from source, compiles).
  port.postMessage('ready');
  port.on('message', (job: ParseJob) => {
    runJob(job).then(
      (value) => port.postMessage({ ok: true, value }),
      (error: unknown) => port.postMessage({ ok: false, error: toErrorInfo(error, `parse-worker.${job.kind}`) }),
    );
  });
}
