// Structured logs: one JSON line per event on stderr (or a sink the front door installs).
// Never a secret, key, signature or PEM body: values pass through `scrub` first.

type Fields = Readonly<Record<string, unknown>>;
type Sink = (line: string) => void;

let sink: Sink = (line) => process.stderr.write(`${line}\n`);
let enabled = process.env.CERTVAULT_LOG !== 'off';

const PEM_BLOCK = /-----BEGIN [A-Z0-9 ]+-----[\s\S]*?(-----END [A-Z0-9 ]+-----|$)/g;
const SECRET_FIELD = /secret|password|passphrase|token|signature|authorization|private|credential|^sk$|^key$/i;
const AUTH_VALUE = /(Signature=|Credential=|Access=)[^,\s]+/g;

export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PEM_BLOCK, '[pem]').replace(AUTH_VALUE, '$1[redacted]');
  if (value instanceof Error) return { name: value.name, message: scrub(value.message, depth + 1) };
  if (depth > 4 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '[redacted]' : scrub(v, depth + 1)]),
  );
}

function write(level: 'info' | 'warn' | 'error', event: string, fields: Fields): void {
  if (!enabled) return;
  sink(JSON.stringify({ time: new Date().toISOString(), level, event, ...(scrub(fields) as Fields) }));
}

export const log = {
  info: (event: string, fields: Fields = {}) => write('info', event, fields),
  warn: (event: string, fields: Fields = {}) => write('warn', event, fields),
  error: (event: string, fields: Fields = {}) => write('error', event, fields),
  /** Front doors redirect logs (the app to a file, tests to memory); `null` silences them. */
  setSink(next: Sink | null): void {
    enabled = next !== null;
    if (next) sink = next;
  },
};
