import { describe, expect, it } from 'vitest';
import { formatDay, parseDay } from '../../../renderer/src/lib/day-text';

describe('parseDay', () => {
  it.each([
    ['2026-01-31', '2026-01-31'],
    ['2026-1-5', '2026-01-05'],
    ['2026/01/31', '2026/01/31'.replace(/\//g, '-')],
    ['2026.1.31', '2026-01-31'],
    ['2026年1月31日', '2026-01-31'],
    [' 2026 年 12 月 7 日 ', '2026-12-07'],
    ['', ''],
  ])('reads %j as %j', (text, day) => {
    expect(parseDay(text)).toBe(day);
  });

  it.each(['01/31/2026', '2026-02-30', '2026-13-01', '2026-00-10', 'tomorrow', '2026-01'])('refuses %j', (text) => {
    expect(parseDay(text)).toBeNull();
  });
});

describe('formatDay', () => {
  it('writes yyyy-mm-dd in English and 年月日 in Chinese', () => {
    expect(formatDay('2026-01-05', 'en')).toBe('2026-01-05');
    expect(formatDay('2026-01-05', 'zh-CN')).toBe('2026年1月5日');
    expect(formatDay('', 'zh-CN')).toBe('');
  });
});
