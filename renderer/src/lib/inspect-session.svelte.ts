import type { Inspection } from '../../../shared/model';
import type { ServedCertificate } from '../../../shared/deploy';
import { VaultError, type ErrorCode, type ErrorInfo, type Result } from '../../../shared/errors';
import { api } from './api';

// The Inspect screen's state, kept outside the component so a result survives a visit to Settings.
// The last input is remembered (not as reactive state: it may hold megabytes of bytes) so that a
// password can be supplied and the same input inspected again.

type Input =
  | { readonly kind: 'content'; readonly files: { name: string; data: Uint8Array }[]; readonly text?: string }
  | { readonly kind: 'paths'; readonly paths: string[] };

const passwordCodes: ReadonlySet<ErrorCode> = new Set([
  'key.password_required',
  'key.wrong_password',
  'pkcs12.password_required',
  'pkcs12.wrong_password',
]);

function baseName(path: string): string {
  return path.split(/[\\/]/).pop() || path;
}

/** What the host field, IP and port said, as the user typed them. */
export interface ServedQuery {
  readonly domain: string;
  readonly ip: string;
  readonly port: string;
}

/** Where the shown chain came from when it was read from a server, and what the library knows of its leaf. */
export interface ServedOrigin {
  readonly served: ServedCertificate;
  readonly libraryId: string | null;
  readonly libraryName: string | null;
}

class InspectSession {
  busy = $state(false);
  /** Set while and after a "Check what is served": the result is a server's chain, not files. */
  served = $state.raw<ServedOrigin | null>(null);
  /** The host of the last "Check what is served" (running, shown or failed); null for files. */
  checkedHost = $state<string | null>(null);
  result = $state.raw<Inspection | null>(null);
  error = $state.raw<ErrorInfo | null>(null);
  /** File names (or `null` for pasted text) the result or error came from. */
  sources = $state.raw<(string | null)[]>([]);
  needsPassword = $derived(this.error !== null && passwordCodes.has(this.error.code));
  /** Asked for a password for the first time, as opposed to a wrong one. */
  passwordRequested = $derived(this.error !== null && this.error.code.endsWith('password_required'));
  #last: Input | null = null;

  async inspectFiles(files: readonly File[]): Promise<void> {
    if (files.length === 0) return;
    const read = await Promise.all(files.map(async (file) => ({ name: file.name, data: new Uint8Array(await file.arrayBuffer()) })));
    await this.#run({ kind: 'content', files: read });
  }

  async inspectText(text: string): Promise<void> {
    if (text.trim() === '') return;
    await this.#run({ kind: 'content', files: [], text });
  }

  async openFiles(): Promise<void> {
    const chosen = await api.files.choose({ purpose: 'inspect' });
    if (!chosen.ok) {
      this.error = chosen.error;
      return;
    }
    if (chosen.value.paths.length > 0) await this.#run({ kind: 'paths', paths: chosen.value.paths });
  }

  async retryWithPassword(password: string): Promise<void> {
    if (this.#last) await this.#run(this.#last, password);
  }

  /** Reads what a server serves and shows its chain like an opened file. */
  async checkServed(query: ServedQuery): Promise<void> {
    const domain = query.domain.trim();
    if (domain === '') return;
    const portText = query.port.trim();
    const port = Number(portText);
    this.#last = null;
    this.sources = [domain];
    this.checkedHost = domain;
    if (portText !== '' && (!/^\d+$/.test(portText) || port < 1 || port > 65535)) {
      // The error main would give, without a round trip for a typo.
      this.#show({ ok: false, error: new VaultError('tls.invalid_port', { input: portText }).toInfo() }, null);
      return;
    }
    this.busy = true;
    const ip = query.ip.trim();
    const outcome = await api.tls.served({ domain, ...(ip ? { ip } : {}), ...(portText ? { port } : {}) });
    this.busy = false;
    if (outcome.ok) {
      const { inspection, ...origin } = outcome.value;
      this.sources = [`${origin.served.domain}:${origin.served.port}`];
      this.#show({ ok: true, value: inspection }, origin);
    } else {
      this.#show(outcome, null);
    }
  }

  clear(): void {
    this.served = null;
    this.checkedHost = null;
    this.result = null;
    this.error = null;
    this.sources = [];
    this.#last = null;
  }

  async #run(input: Input, password?: string): Promise<void> {
    this.#last = input;
    this.checkedHost = null;
    this.busy = true;
    this.sources = input.kind === 'paths' ? input.paths.map(baseName) : [...input.files.map((f) => f.name), ...(input.text ? [null] : [])];
    const outcome: Result<Inspection> =
      input.kind === 'paths'
        ? await api.inspect.paths({ paths: input.paths, password })
        : await api.inspect.content({ files: input.files, text: input.text, password });
    this.busy = false;
    this.#show(outcome, null);
  }

  #show(outcome: Result<Inspection>, served: ServedOrigin | null): void {
    this.served = served;
    this.result = outcome.ok ? outcome.value : null;
    this.error = outcome.ok ? null : outcome.error;
  }
}

export const inspectSession = new InspectSession();
