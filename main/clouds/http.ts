// Shared HTTP for every cloud client: timeouts, proxy, and a transport error that says whether
// the request may have reached the server (the upload orchestrator must never blindly repeat those).

export interface HttpRequest {
  readonly method: 'GET' | 'POST';
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
