import { describe, expect, it } from 'vitest';
import { KEPT_PAGES_AROUND, pagesToRelease } from '../../../renderer/src/lib/page-window';

describe('pagesToRelease', () => {
  it('keeps the visible pages and a margin on each side, releases the rest', () => {
    const held = Array.from({ length: 100 }, (_, page) => page);
    // Rows 5,000-5,040 of pages of 100: page 50 is visible, 40-60 are kept.
    const released = pagesToRelease(held, [5_000, 5_040], 100);
    expect(released).toEqual([...held.slice(0, 50 - KEPT_PAGES_AROUND), ...held.slice(50 + KEPT_PAGES_AROUND + 1)]);
    expect(released).not.toContain(40);
    expect(released).not.toContain(60);
    expect(released).toContain(39);
    expect(released).toContain(61);
  });

  it('a range across two pages keeps both and the margins beyond them', () => {
    expect(pagesToRelease([0, 3, 4, 5, 6, 7], [420, 510], 100, 1)).toEqual([0, 7]);
  });

  it('releases nothing while everything held is near the range', () => {
    expect(pagesToRelease([0, 1, 2], [0, 40], 100)).toEqual([]);
    expect(pagesToRelease([], [0, 40], 100)).toEqual([]);
  });
});
