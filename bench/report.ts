import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

// Each bench owns one "## Title" section of docs/performance.md and rewrites only that section,
// so benches written by different people never overwrite each other's numbers.

export const PERFORMANCE_DOC = join(__dirname, '..', 'docs', 'performance.md');

const HEADER = '# Performance\n\nNumbers from `npm run bench` (`tsx bench/run.ts [name...]`). Each section is rewritten by its bench.\n';

export function writeSection(title: string, body: string, file = PERFORMANCE_DOC): void {
  const current = existsSync(file) ? readFileSync(file, 'utf8') : HEADER;
  const heading = `## ${title}\n`;
  const section = `${heading}\n${body.trim()}\n`;
  const start = current.indexOf(heading);
  if (start === -1) {
    writeFileSync(file, `${current.trimEnd()}\n\n${section}`);
    return;
  }
  const next = current.indexOf('\n## ', start + heading.length);
  const end = next === -1 ? current.length : next + 1;
  writeFileSync(file, `${current.slice(0, start)}${section}${next === -1 ? '' : `\n${current.slice(end)}`}`);
}

export interface Comparison {
  /** Median ns per call of each side. */
  readonly aNs: number;
  readonly bNs: number;
  /** Median of the per-round ratios a/b: robust to load that changes between rounds. */
  readonly ratio: number;
}

function timeBatch(fn: () => unknown, batch: number): number {
  const start = process.hrtime.bigint();
  for (let i = 0; i < batch; i += 1) fn();
  return Number(process.hrtime.bigint() - start) / batch;
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)]!;
}

/**
 * Times two functions in interleaved batches (a then b, then b then a, ...) after a warm-up, so
 * both see the same machine load; on a shared machine the ratio is the number to trust.
 */
export function compare(a: () => unknown, b: () => unknown, { batch = 200, rounds = 15 } = {}): Comparison {
  timeBatch(a, batch);
  timeBatch(b, batch);
  const aSamples: number[] = [];
  const bSamples: number[] = [];
  const ratios: number[] = [];
  for (let round = 0; round < rounds; round += 1) {
    const aFirst = round % 2 === 0;
    const first = timeBatch(aFirst ? a : b, batch);
    const second = timeBatch(aFirst ? b : a, batch);
    const [aNs, bNs] = aFirst ? [first, second] : [second, first];
    aSamples.push(aNs);
    bSamples.push(bNs);
    ratios.push(aNs / bNs);
  }
  return { aNs: median(aSamples), bNs: median(bSamples), ratio: median(ratios) };
}
