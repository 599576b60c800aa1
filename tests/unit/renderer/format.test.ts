import { describe, expect, it } from 'vitest';
import { formatDate, formatDateTime, formatNumber, formatSeconds } from '../../../renderer/src/lib/i18n/format';

describe('formatSeconds', () => {
  it('never shows a sub-second duration as 0', () => {
    expect(formatSeconds(400, 'en')).toBe('0.4');
    expect(formatSeconds(400, 'zh-CN')).toBe('0.4');
    expect(formatSeconds(40, 'en')).toBe('0.04');
    expect(formatSeconds(4, 'en')).toBe('0.004');
  });

  it('one decimal under 10 s, whole seconds above, locale separators', () => {
    expect(formatSeconds(1234, 'en')).toBe('1.2');
    expect(formatSeconds(2000, 'en')).toBe('2');
    expect(formatSeconds(12_345, 'en')).toBe('12');
    expect(formatSeconds(1_234_000, 'en')).toBe('1,234');
    expect(formatSeconds(0, 'en')).toBe('0');
  });
});

describe('dates and numbers (one formatter per locale, kept)', () => {
  it('formats in UTC in each locale, whichever locale asked first', () => {
    const at = '2026-03-04T05:06:07Z';
    expect(formatDateTime(at, 'en')).toBe('Mar 4, 2026, 05:06:07 UTC');
    expect(formatDateTime(at, 'zh-CN')).toBe('2026年3月4日 05:06:07 UTC');
    expect(formatDateTime('2027-12-31T23:59:59Z', 'en')).toBe('Dec 31, 2027, 23:59:59 UTC');
    expect(formatDate(at, 'zh-CN')).toBe('2026年3月4日');
    expect(formatDate(at, 'en')).toBe('Mar 4, 2026');
    expect(formatNumber(100000, 'en')).toBe('100,000');
    expect(formatNumber(100000, 'zh-CN')).toBe('100,000');
  });

  it('gives back what it cannot read as a date', () => {
    expect(formatDateTime('not a date', 'en')).toBe('not a date');
    expect(formatDate('', 'zh-CN')).toBe('');
  });
});
