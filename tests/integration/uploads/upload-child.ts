// A separate process that starts one upload through the IPC handlers and then waits: the parent
// test kills it (SIGKILL) while the request hangs, leaving a pending history row behind.
// Usage: tsx upload-child.ts DATA_DIR CERTIFICATE_ID ACCOUNT_ID

import { call } from '../../../main/cli/handler-context';
import { log } from '../../../main/core/log';
import { openApp } from './harness';

log.setSink(null);
const [dataDir, certificateId, accountId] = process.argv.slice(2);
const app = openApp({ dataDir: dataDir!, timeoutMs: 60_000 });
void call(app.ctx, 'uploads.start', { certificateId: certificateId!, targets: [{ accountId: accountId! }] }).then(({ jobId }) => {
  process.stdout.write(`${JSON.stringify({ jobId })}\n`);
});
setInterval(() => undefined, 1000);
