import type { CloudId } from '../../shared/model';
import type { Locale } from '../../shared/i18n';
import { CloudError, type CloudErrorKind } from './provider';
import { scrubCloudText } from './scrub';

// Turning a cloud's error answer into a CloudError: each cloud's errors.ts holds a table of its
// documented codes and a fallback for undocumented ones; this file does the common assembly.

export type Hint = Readonly<Record<Locale, string>>;

export interface ErrorEntry {
  readonly kind: CloudErrorKind;
  readonly retryable: boolean;
  readonly hint: Hint;
}

export type ErrorTable = Readonly<Record<string, ErrorEntry>>;

/** What a client parsed out of an error answer, before classification. */
export interface ParsedCloudError {
  readonly code: string;
  readonly message: string;
  readonly requestId: string | null;
  readonly httpStatus: number | null;
  readonly retryAfterMs?: number | null;
}

export function entry(kind: CloudErrorKind, retryable: boolean, en: string, zh: string): ErrorEntry {
  return { kind, retryable, hint: { en, 'zh-CN': zh } };
}

/**
 * A CloudError for a cloud's error answer. `classify` knows the cloud's codes; `secrets` (the key
 * pair, the token) are cut out of the message in case the cloud echoed them.
 */
export function toCloudError(
  cloud: CloudId,
  parsed: ParsedCloudError,
  classify: (code: string, httpStatus: number | null) => ErrorEntry,
  secrets: readonly (string | null | undefined)[],
): CloudError {
  const known = classify(parsed.code, parsed.httpStatus);
  return new CloudError({
    cloud,
    code: parsed.code,
    message: scrubCloudText(parsed.message, secrets),
    kind: known.kind,
    retryable: known.retryable,
    requestId: parsed.requestId,
    httpStatus: parsed.httpStatus,
    // The cloud answered, so it certainly received the request.
    mayHaveReachedServer: true,
    hint: known.hint,
    retryAfterMs: parsed.retryAfterMs ?? null,
  });
}

/** Seconds (`Retry-After: 2`) or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
