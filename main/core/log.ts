// Structured logs: one JSON line per event on stderr (or a sink the front door installs).
// Never a secret, key, signature or PEM body: values pass through `scrub` first.

type Fields = Readonly<Record<string, unknown>>;
type Sink = (line: string) => void;

let sink: Sink = (line) => process.stderr.write(`${line}\n`);
let enabled = process.env.CERTVAULT_LOG !== 'off';

/** Also URL-encoded (`-----BEGIN%20PRIVATE%20KEY-----%0AMII...`): dashes survive percent-encoding. */
const PEM_BLOCK = /-----BEGIN[\s\S]*?(?:-----END[^-]*-----|$)/g;
const SECRET_FIELD = /secret|password|passphrase|token|signature|authorization|private|credential|cookie|pfx|^sk$|^ak$|key$|keyid$/i;
const AUTH_VALUE = /(Signature=|Credential=|Access=|Bearer )[^,\s]+/g;
const MAX_DEPTH = 5;

export function scrub(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(PEM_BLOCK, '[pem]').replace(AUTH_VALUE, '$1[redacted]');
  if (value === null || typeof value !== 'object') return value;
  // Bytes are key material as often as not; their size is all a log needs.
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `[${value.byteLength} bytes]`;
  if (value instanceof Date) return value.toISOString();
  // Whatever lies deeper is dropped, never written unscrubbed.
  if (depth >= MAX_DEPTH) return '[nested]';
  if (value instanceof Error) return scrubError(value, depth);
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k, SECRET_FIELD.test(k) ? '[redacted]' : scrub(v, depth + 1)]),
  );
}

/** Name, message, a Node error code and the cause chain; the stack and other fields stay out. */
function scrubError(error: Error, depth: number): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  return {
    name: error.name,
    message: scrub(error.message, depth + 1),
    ...(typeof code === 'string' ? { code } : {}),
    ...(error.cause === undefined ? {} : { cause: scrub(error.cause, depth + 1) }),
  };
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
