import type { HistoryEntry } from '../../../shared/uploads';

// The history as CSV (RFC 4180: CRLF line ends, fields with commas, quotes or line breaks quoted).
// Spreadsheets run a cell that starts with = + - @ as a formula, and cloud messages and names
// are text from outside, so such cells get a leading apostrophe (OWASP "CSV injection").

const columns: readonly [string, (entry: HistoryEntry) => string | number | null][] = [
  ['id', (e) => e.id],
  ['started_at', (e) => e.startedAt],
  ['finished_at', (e) => e.finishedAt],
  ['status', (e) => e.status],
  ['cloud', (e) => e.cloud],
  ['account', (e) => e.accountName],
  ['certificate_id', (e) => e.certificateId],
  ['common_name', (e) => e.commonName],
  ['fingerprint_sha256', (e) => e.fingerprintSha256],
  ['not_after', (e) => e.notAfter],
  ['remote_id', (e) => e.remoteId],
  ['request_id', (e) => e.requestId],
  ['attempts', (e) => e.attempts],
  ['duration_ms', (e) => e.durationMs],
  ['error_code', (e) => e.error?.code ?? null],
  ['error_message', (e) => e.error?.message ?? null],
];

function cell(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function historyCsv(entries: readonly HistoryEntry[]): string {
  const header = columns.map(([name]) => name).join(',');
  const rows = entries.map((entry) => columns.map(([, read]) => cell(read(entry))).join(','));
  return [header, ...rows].join('\r\n') + '\r\n';
}
