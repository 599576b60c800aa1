// vitest globalSetup: (re)generates the openssl fixtures when they are missing or were made by
// another version of scripts/make-fixtures.sh (its SHA-256 is the stamp).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..', '..');
const script = join(root, 'scripts', 'make-fixtures.sh');
export const generatedDir = join(root, 'tests', 'fixtures', 'generated');

export function fixturesAreCurrent(): boolean {
  const stamp = join(generatedDir, 'STAMP');
  if (!existsSync(stamp)) return false;
  const expected = createHash('sha256').update(readFileSync(script)).digest('hex');
  return readFileSync(stamp, 'utf8').trim() === expected;
}

export default function setup(): void {
  if (fixturesAreCurrent()) return;
  execFileSync('bash', [script, generatedDir], { stdio: ['ignore', 'ignore', 'inherit'] });
}
