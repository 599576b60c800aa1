import { describe, expect, it } from 'vitest';
import { ahead } from '../../../main/core/library/ahead';

async function* counting(upTo: number, made: number[], failAt = -1): AsyncGenerator<number> {
  for (let i = 0; i < upTo; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    if (i === failAt) throw new Error(`failed at ${i}`);
    made.push(i);
    yield i;
  }
}

describe('ahead', () => {
  it('yields the sequence in order while producing ahead of a busy consumer, never more than depth held', async () => {
    const made: number[] = [];
    const seen: number[] = [];
    for await (const value of ahead(counting(20, made), 3)) {
      // The consumer is busy for several turns; the producer fills up to depth meanwhile.
      for (let turn = 0; turn < 10; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(made.length - seen.length).toBeLessThanOrEqual(3 + 1);
      if (value < 17) expect(made.length - seen.length).toBeGreaterThan(1);
      seen.push(value);
    }
    expect(seen).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('hands the producer\'s error to the consumer after the values before it', async () => {
    const seen: number[] = [];
    await expect(async () => {
      for await (const value of ahead(counting(10, [], 4), 2)) seen.push(value);
    }).rejects.toThrow('failed at 4');
    expect(seen).toEqual([0, 1, 2, 3]);
  });

  it('stops the producer when the consumer stops early', async () => {
    const made: number[] = [];
    for await (const value of ahead(counting(1000, made), 5)) if (value === 2) break;
    const after = made.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(made.length).toBe(after);
    expect(after).toBeLessThan(10);
  });
});
