// The library size the library benches measure: 10,000 entries, or what `npm run bench -- --size N`
// (bench/run.ts) hands every bench process. 100,000 is the growth size: docs/performance.md shows
// both side by side ("Growth").

export const DEFAULT_LIBRARY_SIZE = 10_000;
export const GROWTH_SIZE = 100_000;
export const SIZE_ENV = 'CERTVAULT_BENCH_SIZE';

export function librarySize(): number {
  const raw = process.env[SIZE_ENV];
  if (raw === undefined || raw === '') return DEFAULT_LIBRARY_SIZE;
  const size = Number(raw);
  if (!Number.isInteger(size) || size < 1) throw new Error(`${SIZE_ENV} must be a positive whole number, got "${raw}"`);
  return size;
}

/** A section title for this size: the default size keeps the plain title. */
export function sizedTitle(title: string, size: number): string {
  return size === DEFAULT_LIBRARY_SIZE ? title : `${title} (${size.toLocaleString('en')} entries)`;
}
