import { describe, expect, it } from 'vitest';
import { expiryCalendar } from '../../../main/core/library/ics';
import { translate } from '../../../shared/i18n';

// The export dialog describes the .ics file; the description must be what the file does: one
// event at the expiry instant, alarms `reminderDays` and 1 day before.

function calendar(reminderDays: number): string {
  return expiryCalendar({
    name: 'www.example.test',
    fingerprintSha256: 'ab'.repeat(32),
    commonName: 'www.example.test',
    dnsNames: ['www.example.test'],
    notAfter: '2027-01-01T12:00:00.000Z',
    reminderDays,
    now: new Date('2026-12-01T00:00:00.000Z'),
  });
}

describe('the .ics export and its description', () => {
  it('an event at expiry with alarms 30 days and 1 day before, and the hint says exactly that', () => {
    const ics = calendar(30);
    expect(ics).toContain('DTSTART:20270101T120000Z');
    expect([...ics.matchAll(/TRIGGER:(-P\d+D)/g)].map((m) => m[1])).toEqual(['-P30D', '-P1D']);

    const en = translate('en', 'ui.library.export.ics.hint', { days: translate('en', 'ui.days.other', { count: 30 }) });
    expect(en).toMatch(/when the certificate expires/);
    expect(en).toMatch(/30 days before and 1 day before/);
    const zh = translate('zh-CN', 'ui.library.export.ics.hint', { days: translate('zh-CN', 'ui.days.other', { count: 30 }) });
    expect(zh).toMatch(/到期时/);
    expect(zh).toMatch(/30 天和 1 天/);
  });

  it('one alarm when the reminder is 1 day, and a hint with one reminder', () => {
    expect([...calendar(1).matchAll(/TRIGGER:(-P\d+D)/g)].map((m) => m[1])).toEqual(['-P1D']);
    expect(translate('en', 'ui.library.export.ics.hintOneDay')).toMatch(/a reminder 1 day before/);
  });
});
