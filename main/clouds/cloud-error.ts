import type { CloudId } from '../../shared/model';
import type { Locale } from '../../shared/i18n';
import type { HttpResponse } from './http';
import { CloudError, type CloudErrorKind } from './provider';
import { scrubCloudText } from './scrub';

// Every CloudError a cloud folder builds, assembled here: from a cloud's error answer (each cloud's
// errors.ts holds a table of its documented codes and a fallback for undocumented ones), from an
// answer that is not the API's, and for a request refused before it was sent.

export type Hint = Readonly<Record<Locale, string>>;

/** Real codes are short (`FailedOperation.CertificateParseError`, `APIG.3001`). */
const MAX_CODE_LENGTH = 128;

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
 * pair, the token) are cut out of the message in case the cloud echoed them. The code is classified
 * as sent but stored scrubbed too: an endpoint override may be anything, and so may its answers.
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
    code: scrubCloudText(parsed.code, secrets).slice(0, MAX_CODE_LENGTH),
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

/**
 * An answer without the cloud's error shape (a proxy's or load balancer's page): a 5xx is trouble at
 * the cloud (`server`), anything else means the endpoint did not answer as the API (`unreadable`).
 * The code is `HTTP<status>`; the message is the start of the body, scrubbed.
 */
export function unrecognisedAnswer(
  cloud: CloudId,
  response: HttpResponse,
  requestId: string | null,
  entries: { readonly server: ErrorEntry; readonly unreadable: ErrorEntry },
  secrets: readonly (string | null | undefined)[],
): CloudError {
  const parsed = { code: `HTTP${response.status}`, message: response.body.slice(0, 200), requestId, httpStatus: response.status };
  return toCloudError(cloud, parsed, (_code, status) => (status !== null && status >= 500 ? entries.server : entries.unreadable), secrets);
}

/**
 * A 2xx answer without the fields a success has (`missing`: 'ChainID', 'certificate id'). The
 * request may well have worked, so it is not retried blindly: the caller looks for the certificate.
 */
export function malformedAnswer(cloud: CloudId, missing: string, requestId: string | null, hint: Hint): CloudError {
  return new CloudError({
    cloud,
    code: 'response.malformed',
    message: `The answer has no ${missing}`,
    kind: 'server',
    retryable: false,
    requestId,
    httpStatus: null,
    mayHaveReachedServer: true,
    hint,
  });
}

/** What went wrong before a request was sent: the account's settings, or a pre-flight check. */
export interface LocalProblem {
  readonly code: string;
  readonly kind: CloudErrorKind;
  /** Ours, never quoting a credential or a PEM. */
  readonly message: string;
  readonly hint: Hint;
}

/** A CloudError for a request refused before anything was sent: certainly not received, not worth repeating. */
export function refusedBeforeSending(cloud: CloudId, problem: LocalProblem): CloudError {
  return new CloudError({
    cloud,
    code: problem.code,
    message: problem.message,
    kind: problem.kind,
    retryable: false,
    requestId: null,
    httpStatus: null,
    mayHaveReachedServer: false,
    hint: problem.hint,
  });
}

/** Seconds (`Retry-After: 2`) or an HTTP date; null when absent or unreadable. */
export function parseRetryAfter(value: string | undefined, now: Date): number | null {
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now.getTime());
}
