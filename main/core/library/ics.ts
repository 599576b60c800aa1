// An iCalendar (RFC 5545) reminder for a certificate's expiry: one event at the expiry instant,
// with alarms `reminderDays` before and one day before, so the reminder fires wherever the
// calendar is imported (Outlook, Google, Apple Calendar).

export interface ExpiryReminder {
  readonly name: string;
  readonly fingerprintSha256: string;
  readonly commonName: string | null;
  readonly dnsNames: readonly string[];
  readonly notAfter: string;
  readonly reminderDays: number;
  readonly now: Date;
}

export function expiryCalendar(reminder: ExpiryReminder): string {
  const expiry = new Date(reminder.notAfter);
  const names = reminder.dnsNames.length ? reminder.dnsNames.join(', ') : (reminder.commonName ?? reminder.name);
  const description = [
    `The certificate "${reminder.name}" expires at ${reminder.notAfter}.`,
    `Names: ${names}`,
    `SHA-256 fingerprint: ${reminder.fingerprintSha256}`,
  ].join('\n');
  const alarms = [...new Set([reminder.reminderDays, 1])].flatMap((days) => [
    'BEGIN:VALARM',
    'ACTION:DISPLAY',
    `DESCRIPTION:${escapeText(`Certificate ${reminder.name} expires in ${days} day${days === 1 ? '' : 's'}`)}`,
    `TRIGGER:-P${days}D`,
    'END:VALARM',
  ]);
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Cert Vault//Certificate expiry//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    'BEGIN:VEVENT',
    `UID:${reminder.fingerprintSha256}@cert-vault`,
    `DTSTAMP:${icsTime(reminder.now)}`,
    `DTSTART:${icsTime(expiry)}`,
    `DTEND:${icsTime(new Date(expiry.getTime() + 60 * 60 * 1000))}`,
    `SUMMARY:${escapeText(`Certificate expires: ${reminder.name}`)}`,
    `DESCRIPTION:${escapeText(description)}`,
    'TRANSP:TRANSPARENT',
    ...alarms,
    'END:VEVENT',
    'END:VCALENDAR',
  ];
  return `${lines.map(fold).join('\r\n')}\r\n`;
}

function icsTime(date: Date): string {
  return `${date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`;
}

/** RFC 5545 §3.3.11: backslash, semicolon, comma and newline are escaped in TEXT values. */
function escapeText(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');
}

/** RFC 5545 §3.1: lines longer than 75 octets are folded (CRLF + space), never inside a UTF-8 sequence. */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char, 'utf8');
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}
