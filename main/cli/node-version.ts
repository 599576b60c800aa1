import { engines } from '../../package.json';

// The native modules (better-sqlite3, @napi-rs/keyring) are built for the Node in package.json's
// engines; an older Node (the system Node 20 of many servers) crashes with SIGSEGV while loading
// them, and a deploy hook then fails without a word. The CLI checks before it loads any of them.

/** `>=22.12` in package.json: the oldest Node the CLI runs on, as [major, minor]. */
const required = (/(\d+)\.(\d+)/.exec(engines.node) ?? ['', '22', '12']).slice(1, 3).map(Number) as [number, number];

/** The one line to print when `running` (process.versions.node) is too old; null when it will do. */
export function nodeVersionProblem(running: string): string | null {
  const [major = 0, minor = 0] = running.split('.').map(Number);
  const [needMajor, needMinor] = required;
  if (major > needMajor || (major === needMajor && minor >= needMinor)) return null;
  return `certvault: needs Node.js ${needMajor}.${needMinor} or later, this is Node.js ${running}; install Node ${needMajor} LTS from https://nodejs.org/en/download (or your distribution's nodejs ${needMajor} package) and run certvault with it`;
}
