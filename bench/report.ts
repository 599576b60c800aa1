import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { VaultEngine } from '../main/core/db/vault-db';
import { DEFAULT_LIBRARY_SIZE, GROWTH_SIZE } from './size';

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

export interface GrowthMeasure {
  readonly measure: string;
  readonly value: number;
  /** Digits after the point. */
  readonly digits: number;
}

const GROWTH_TITLE = 'Growth: 10,000 and 100,000 entries';
/** What a PostgreSQL row's measure ends with; the SQLite row keeps the plain measure. */
const POSTGRES_ROW = ', PostgreSQL';

/**
 * Records this run's figures in the growth table: one row per measure, a column per library size,
 * and their ratio. Each bench fills its own rows and its own size's column, so the table is
 * complete once every library bench ran at both sizes (and both engines, for those that measure
 * PostgreSQL too); runs at other sizes are not recorded.
 */
export function recordGrowth(size: number, measures: readonly GrowthMeasure[], engine: VaultEngine = 'sqlite', file = PERFORMANCE_DOC): void {
  const column = size === DEFAULT_LIBRARY_SIZE ? 0 : size === GROWTH_SIZE ? 1 : -1;
  if (column === -1) return;
  const current = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const start = current.indexOf(`## ${GROWTH_TITLE}\n`);
  let ordered: [string, [string, string]][] = [];
  if (start !== -1) {
    const next = current.indexOf('\n## ', start + 1);
    const section = current.slice(start, next === -1 ? undefined : next);
    for (const line of section.split('\n').filter((l) => l.startsWith('| ') && !l.startsWith('| Measure') && !l.startsWith('| ---'))) {
      const cells = line.split(' | ').map((cell) => cell.replace(/^\| /, '').replace(/ \|$/, ''));
      ordered.push([cells[0]!, [cells[1] ?? '', cells[2] ?? '']]);
    }
  }
  for (const { measure, value, digits } of measures) {
    const name = engine === 'sqlite' ? measure : `${measure}${POSTGRES_ROW}`;
    let at = ordered.findIndex(([row]) => row === name);
    if (at === -1) {
      // A PostgreSQL row goes right under its SQLite twin (and a SQLite row above its PostgreSQL twin), so the engines read side by side.
      const twin = ordered.findIndex(([row]) => row === (engine === 'sqlite' ? `${measure}${POSTGRES_ROW}` : measure));
      at = twin === -1 ? ordered.length : engine === 'sqlite' ? twin : twin + 1;
      ordered = [...ordered.slice(0, at), [name, ['', '']], ...ordered.slice(at)];
    }
    ordered[at]![1][column] = value.toFixed(digits);
  }
  const ratio = ([small, big]: [string, string]) => (small !== '' && big !== '' && Number(small) > 0 ? `${(Number(big) / Number(small)).toFixed(2)}x` : '');
  writeSection(
    GROWTH_TITLE,
    `The library benches run at 10,000 entries (\`npm run bench\`) and at 100,000 (\`npm run bench -- --size 100000\`, fixture generated once and kept in the user's cache folder, bench/library-fixture.ts); each row is written by the bench that measures it, with the details in that bench's section. Growth is the 100,000 figure over the 10,000 one: 1.00x is flat, 10x grows with the library. Times in ms, rates per second, memory in MB. Rows without an engine are SQLite's (the desktop vault); a row ending in ", PostgreSQL" is the same measure on a team vault (\`npm run bench -- --engine postgres [--size 100000] library-import library-search\`), written under its SQLite twin, with its details in the sections "Library import, PostgreSQL" and "Library search, PostgreSQL" (and their 100,000-entry twins). The machine is shared by other work (load averages in each section), so wall times move between runs; the CPU columns of each section are steadier.

| Measure | 10,000 | 100,000 | Growth |
| --- | ---: | ---: | ---: |
${ordered.map(([measure, cells]) => `| ${measure} | ${cells[0]} | ${cells[1]} | ${ratio(cells)} |`).join('\n')}`,
    file,
  );
}
