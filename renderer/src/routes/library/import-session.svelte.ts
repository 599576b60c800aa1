import type { ErrorCode, ErrorInfo, Result } from '../../../../shared/errors';
import type { ImportProgress, ImportResult } from '../../../../shared/library';
import { PASTED_TEXT_SOURCE } from '../../../../shared/model';
import { translate } from '../../../../shared/i18n';
import { api } from '../../lib/api';
import { t } from '../../lib/i18n/locale.svelte';

// One import at a time into the library: by the OS dialog (files or a folder), dropped files or
// pasted text. Progress comes from main's `import.progress` events. The inputs that failed for want
// of a password are remembered (not as reactive state: they may be megabytes) so that only those
// are sent again with the password.

type Input =
  | { readonly kind: 'content'; readonly files: readonly { name: string; data: Uint8Array }[]; readonly text?: string }
  | { readonly kind: 'paths'; readonly paths: readonly string[] };

type Failure = ImportResult['failed'][number];

const passwordCodes: ReadonlySet<ErrorCode> = new Set([
  'key.password_required',
  'key.wrong_password',
  'pkcs12.password_required',
  'pkcs12.wrong_password',
]);

class ImportSession {
  busy = $state(false);
  progress = $state.raw<ImportProgress | null>(null);
  result = $state.raw<ImportResult | null>(null);
  /** The import could not run at all (the dialog or the bridge failed). */
  error = $state.raw<ErrorInfo | null>(null);
  needsPassword = $derived(this.result?.failed.some((failure) => passwordCodes.has(failure.error.code)) ?? false);
  #last: Input | null = null;

  /** Dropped or pasted files. A folder dropped here cannot be read: it is reported, not skipped. */
  async importFiles(files: readonly File[]): Promise<void> {
    if (files.length === 0) return;
    const unreadable: Failure[] = [];
    const read: { name: string; data: Uint8Array }[] = [];
    for (const file of files) {
      try {
        read.push({ name: file.name, data: new Uint8Array(await file.arrayBuffer()) });
      } catch {
        const params = { file: file.name, reason: t('ui.library.import.unreadable') };
        unreadable.push({ file: file.name, error: { code: 'input.unreadable_file', message: translate('en', 'error.input.unreadable_file', params), params } });
      }
    }
    await this.#run({ kind: 'content', files: read }, undefined, unreadable);
  }

  async importText(text: string): Promise<void> {
    if (text.trim() !== '') await this.#run({ kind: 'content', files: [], text });
  }

  async choose(folders: boolean): Promise<void> {
    const chosen = await api.files.choose({ purpose: 'import', folders });
    if (!chosen.ok) {
      this.error = chosen.error;
      return;
    }
    if (chosen.value.paths.length > 0) await this.#run({ kind: 'paths', paths: chosen.value.paths });
  }

  /** Sends again only the inputs that failed for want of (or with a wrong) password. */
  async retryWithPassword(password: string): Promise<void> {
    const previous = this.result;
    const last = this.#last;
    if (!previous || !last) return;
    const locked = new Set(previous.failed.filter((f) => passwordCodes.has(f.error.code)).map((f) => f.file));
    const retry: Input =
      last.kind === 'paths'
        ? { kind: 'paths', paths: [...locked] }
        : {
            kind: 'content',
            files: last.files.filter((file) => locked.has(file.name)),
            text: locked.has(PASTED_TEXT_SOURCE) ? last.text : undefined,
          };
    const failed = previous.failed.filter((f) => !locked.has(f.file));
    const counts = { ...previous.counts, failed: previous.counts.failed - (previous.failed.length - failed.length) };
    const kept = { imported: previous.imported, failed, keysNotStored: previous.keysNotStored, counts };
    await this.#run(retry, password, [], kept);
  }

  dismiss(): void {
    this.result = null;
    this.error = null;
    this.#last = null;
  }

  async #run(input: Input, password?: string, unreadable: readonly Failure[] = [], earlier?: ImportResult): Promise<void> {
    this.#last = input;
    this.busy = true;
    this.error = null;
    this.result = null;
    this.progress = null;
    const stop = api.on('import.progress', (progress) => (this.progress = progress));
    try {
      const outcome = await this.#send(input, password);
      if (!outcome.ok) {
        this.error = outcome.error;
        return;
      }
      this.result = {
        imported: [...(earlier?.imported ?? []), ...outcome.value.imported],
        failed: [...(earlier?.failed ?? []), ...unreadable, ...outcome.value.failed],
        keysNotStored: [...(earlier?.keysNotStored ?? []), ...outcome.value.keysNotStored],
        counts: sumCounts(earlier?.counts ?? nothingImported.counts, outcome.value.counts, unreadable.length),
      };
    } finally {
      stop();
      this.busy = false;
      this.progress = null;
    }
  }

  async #send(input: Input, password: string | undefined): Promise<Result<ImportResult>> {
    if (input.kind === 'paths') {
      return input.paths.length > 0 ? api.library.import({ paths: [...input.paths], password }) : { ok: true, value: nothingImported };
    }
    if (input.files.length === 0 && input.text === undefined) return { ok: true, value: nothingImported };
    return api.library.importContent({ files: [...input.files], text: input.text, password });
  }
}

const nothingImported: ImportResult = { imported: [], failed: [], keysNotStored: [], counts: { new: 0, merged: 0, failed: 0, keysNotStored: 0 } };

/** A retry's counts on top of the first attempt's, with the files that could not even be read. */
function sumCounts(earlier: ImportResult['counts'], now: ImportResult['counts'], unreadable: number): ImportResult['counts'] {
  return {
    new: earlier.new + now.new,
    merged: earlier.merged + now.merged,
    failed: earlier.failed + now.failed + unreadable,
    keysNotStored: earlier.keysNotStored + now.keysNotStored,
  };
}

export const importSession = new ImportSession();
