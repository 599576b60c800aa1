import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordGrowth } from '../../../bench/report';

// The growth table of docs/performance.md: each bench fills its own rows, one column per size, and
// a PostgreSQL row sits under its SQLite twin, whichever engine ran first.

let file: string;

beforeEach(() => {
  file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'certvault-report-')), 'performance.md');
});

afterEach(() => {
  fs.rmSync(path.dirname(file), { recursive: true, force: true });
});

function tableRows(): string[] {
  return fs.readFileSync(file, 'utf8').split('\n').filter((line) => line.startsWith('| ') && !line.startsWith('| Measure'));
}

describe('recordGrowth', () => {
  it('puts each engine\'s figure of a measure on its own row, PostgreSQL under SQLite, with the growth of each', () => {
    recordGrowth(10_000, [{ measure: 'Search p95 (ms)', value: 10, digits: 1 }, { measure: 'Exact (ms)', value: 1, digits: 2 }], 'sqlite', file);
    recordGrowth(10_000, [{ measure: 'Search p95 (ms)', value: 15, digits: 1 }], 'postgres', file);
    recordGrowth(100_000, [{ measure: 'Search p95 (ms)', value: 45, digits: 1 }], 'postgres', file);
    recordGrowth(100_000, [{ measure: 'Search p95 (ms)', value: 20, digits: 1 }], 'sqlite', file);
    expect(tableRows()).toEqual([
      '| --- | ---: | ---: | ---: |',
      '| Search p95 (ms) | 10.0 | 20.0 | 2.00x |',
      '| Search p95 (ms), PostgreSQL | 15.0 | 45.0 | 3.00x |',
      '| Exact (ms) | 1.00 |  |  |',
    ]);
  });

  it('puts a SQLite row recorded after its PostgreSQL twin above it', () => {
    recordGrowth(100_000, [{ measure: 'Import (entries/s)', value: 50, digits: 0 }], 'postgres', file);
    recordGrowth(100_000, [{ measure: 'Import (entries/s)', value: 900, digits: 0 }], 'sqlite', file);
    expect(tableRows().slice(1)).toEqual(['| Import (entries/s) |  | 900 |  |', '| Import (entries/s), PostgreSQL |  | 50 |  |']);
  });

  it('records nothing for a size that is neither column', () => {
    recordGrowth(300, [{ measure: 'Search p95 (ms)', value: 1, digits: 1 }], 'postgres', file);
    expect(fs.existsSync(file)).toBe(false);
  });
});
