import type { RadarGroup, RadarRow } from '../../../../shared/inventory';

// The radar's rows as one flat, virtualised list: a header before each group's rows. Rows and
// headers have fixed heights, so each item's offset is known without measuring the DOM.

export const ROW_HEIGHT = 76;
export const HEADER_HEIGHT = 40;

export type RadarItem =
  | { readonly kind: 'group'; readonly group: RadarGroup; readonly count: number; readonly top: number }
  | { readonly kind: 'row'; readonly row: RadarRow; readonly top: number };

export function radarItems(rows: readonly RadarRow[]): { items: RadarItem[]; height: number } {
  const counts = new Map<RadarGroup, number>();
  for (const row of rows) counts.set(row.group, (counts.get(row.group) ?? 0) + 1);
  const items: RadarItem[] = [];
  let top = 0;
  let group: RadarGroup | null = null;
  // Rows arrive soonest expiry first, so each group's rows are contiguous.
  for (const row of rows) {
    if (row.group !== group) {
      group = row.group;
      items.push({ kind: 'group', group, count: counts.get(group)!, top });
      top += HEADER_HEIGHT;
    }
    items.push({ kind: 'row', row, top });
    top += ROW_HEIGHT;
  }
  return { items, height: top };
}

/** The index of the first item reaching below `offset` (binary search over the tops). */
export function firstItemAt(items: readonly RadarItem[], offset: number): number {
  let low = 0;
  let high = items.length - 1;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if (items[middle]!.top <= offset) low = middle;
    else high = middle - 1;
  }
  return low;
}
