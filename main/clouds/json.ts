// Reading a cloud's JSON answer without trusting its shape: every field is `unknown` until one of
// these says what it is. A gateway, proxy or emulator may answer anything, so nothing here throws.

export type JsonObject = Record<string, unknown>;

/** The parsed body, or null when it is not JSON (a proxy's HTML page, an empty body). */
export function parseJsonOrNull(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return null;
  }
}

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A non-empty string, or a number as its decimal text (clouds send ids as either); else null. */
export function textOf(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : null;
}

/** The strings of an array field (domain lists), skipping anything else; [] when it is no array. */
export function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}
