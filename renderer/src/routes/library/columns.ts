import type { MessageKey } from '../../../../shared/i18n';
import type { SortColumn } from '../../../../shared/library';

// The library table's columns. When the table is narrow (a small window, or the detail pane is
// open) the columns with the highest `priority` number are left out first, so name and expiry
// always stay.

export type ColumnId = 'name' | 'commonName' | 'dnsNames' | 'issuer' | 'expiry' | 'key' | 'tags' | 'uploaded';

export interface Column {
  readonly id: ColumnId;
  readonly label: MessageKey;
  /** What main sorts by; null: not sortable (the upload history is not in the library query). */
  readonly sort: SortColumn | null;
  readonly minWidth: number;
  /** Share of the spare width; 0 keeps the column at `minWidth`. */
  readonly grow: number;
  readonly priority: number;
}

export const columns: readonly Column[] = [
  { id: 'name', label: 'ui.library.column.name', sort: 'name', minWidth: 150, grow: 2, priority: 0 },
  { id: 'commonName', label: 'ui.library.column.commonName', sort: 'commonName', minWidth: 110, grow: 1.2, priority: 4 },
  { id: 'dnsNames', label: 'ui.library.column.dnsNames', sort: 'dnsNames', minWidth: 110, grow: 1.2, priority: 5 },
  { id: 'issuer', label: 'ui.library.column.issuer', sort: 'issuer', minWidth: 110, grow: 1, priority: 6 },
  { id: 'expiry', label: 'ui.library.column.expiry', sort: 'notAfter', minWidth: 190, grow: 0, priority: 1 },
  { id: 'key', label: 'ui.library.column.key', sort: 'keyAlgorithm', minWidth: 104, grow: 0, priority: 3 },
  { id: 'tags', label: 'ui.library.column.tags', sort: 'tags', minWidth: 76, grow: 0.6, priority: 7 },
  // Where a certificate is deployed is what the detail pane is opened next to: it stays when the pane narrows the list.
  { id: 'uploaded', label: 'ui.library.column.uploaded', sort: null, minWidth: 96, grow: 0.6, priority: 2 },
];

/** The columns that fit in `width` pixels, in display order. */
export function columnsFor(width: number): readonly Column[] {
  let used = 0;
  const fitting = new Set<ColumnId>();
  for (const column of [...columns].sort((a, b) => a.priority - b.priority)) {
    if (fitting.size > 0 && used + column.minWidth > width) break;
    used += column.minWidth;
    fitting.add(column.id);
  }
  return columns.filter((column) => fitting.has(column.id));
}

/** The CSS grid template for those columns. */
export function gridTemplate(shown: readonly Column[]): string {
  return shown.map((column) => (column.grow > 0 ? `minmax(${column.minWidth}px, ${column.grow}fr)` : `${column.minWidth}px`)).join(' ');
}
