import type { MessageKey } from '../../../../shared/i18n';
import type { ExportFormat } from '../../../../shared/library';

// The export formats as the dialog offers them. `secret`: the file holds the private key, so the
// user confirms explicitly (and PKCS#12 also takes a password).

export interface ExportChoice {
  readonly format: ExportFormat;
  readonly label: MessageKey;
  readonly hint: MessageKey;
  /** Appended to the entry's name for the save dialog's suggestion. */
  readonly suffix: string;
  readonly secret: boolean;
  readonly needsChain: boolean;
}

export const exportChoices: readonly ExportChoice[] = [
  { format: 'fullchain', label: 'ui.library.export.fullchain', hint: 'ui.library.export.fullchain.hint', suffix: '.fullchain.pem', secret: false, needsChain: false },
  { format: 'pem', label: 'ui.library.export.pem', hint: 'ui.library.export.pem.hint', suffix: '.pem', secret: false, needsChain: false },
  { format: 'chain', label: 'ui.library.export.chain', hint: 'ui.library.export.chain.hint', suffix: '.chain.pem', secret: false, needsChain: true },
  { format: 'der', label: 'ui.library.export.der', hint: 'ui.library.export.der.hint', suffix: '.cer', secret: false, needsChain: false },
  { format: 'key', label: 'ui.library.export.key', hint: 'ui.library.export.key.hint', suffix: '.key', secret: true, needsChain: false },
  { format: 'bundle', label: 'ui.library.export.bundle', hint: 'ui.library.export.bundle.hint', suffix: '.bundle.pem', secret: true, needsChain: false },
  { format: 'pfx', label: 'ui.library.export.pfx', hint: 'ui.library.export.pfx.hint', suffix: '.pfx', secret: true, needsChain: false },
  { format: 'ics', label: 'ui.library.export.ics', hint: 'ui.library.export.ics.hint', suffix: '.ics', secret: false, needsChain: false },
];
