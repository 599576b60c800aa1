import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

// Every file Cert Vault writes for the user or itself (exports, CSV, settings, window state) goes
// through here: a temp file beside the target, fsync, rename. A crash or a full disk leaves the
// old file or none, never half of the new one.

export function writeFileAtomic(file: string, data: string | Uint8Array, mode = 0o644): void {
  const temp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    const fd = fs.openSync(temp, 'wx', mode);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(temp, file);
  } catch (error) {
    fs.rmSync(temp, { force: true });
    throw error;
  }
}
