// Shared HTTP for every cloud client: timeouts, proxy, and a transport error that says whether
// the request may have reached the server (the upload orchestrator must never blindly repeat those).

export interface HttpRequest {
  /** PUT and DELETE: Huawei APIG's UpdateCertificateV2 and DeleteCertificateV2. */
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly url: URL;
  /** Sent exactly as given; `host` is derived from `url` and must be what the signer signed. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface HttpResponse {
  readonly status: number;
  /** Lowercased header names. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

export interface HttpClient {
  send(request: HttpRequest): Promise<HttpResponse>;
}

/**
 * Why a request got no HTTP answer. Thrown by `HttpClient.send`; the cloud clients turn it into a
 * `CloudError` of kind 'network' for their cloud with `transportFailure` (transport.ts).
 */
export type TransportCode =
  | 'timeout'
  | 'aborted'
  | 'response_too_large'
  | 'proxy_refused'
  | 'tls'
  | 'ENOTFOUND'
  | 'EAI_AGAIN'
  | 'ECONNREFUSED'
  | 'ECONNRESET'
  | 'EHOSTUNREACH'
  | 'ENETUNREACH'
  | 'EPIPE'
  | (string & {});

export class TransportError extends Error {
  readonly code: TransportCode;
  /**
   * False only when the request provably never left this machine (DNS failure, refused
   * connection, proxy refusal, TLS handshake failure, timeout before connecting). True once the
   * request may have been written: its effect on the server is unknown.
   */
  readonly mayHaveReachedServer: boolean;
  /** Worth trying again later (false for TLS verification failures, cancellation, oversize answers). */
  readonly retryable: boolean;
  constructor(code: TransportCode, message: string, mayHaveReachedServer: boolean, retryable: boolean) {
    super(message);
    this.name = 'TransportError';
    this.code = code;
    this.mayHaveReachedServer = mayHaveReachedServer;
    this.retryable = retryable;
  }
}
