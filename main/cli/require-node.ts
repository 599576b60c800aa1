import { nodeVersionProblem } from './node-version';

// Imported first by certvault.ts, so this runs before any module that loads a native addon
// (esbuild keeps import order; scripts/build.mjs output starts with it).
const problem = nodeVersionProblem(process.versions.node);
if (problem) {
  process.stderr.write(`${problem}\n`);
  process.exit(1);
}
