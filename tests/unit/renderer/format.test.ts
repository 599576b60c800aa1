import { describe, expect, it } from 'vitest';
import { formatSeconds } from '../../../renderer/src/lib/i18n/format';

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
