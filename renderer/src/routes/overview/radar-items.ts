import { radarGroups, type RadarGroup } from '../../../../shared/inventory';

// The radar as one flat, virtualised list: a header before each group's rows. Rows and headers
// have fixed heights and the groups' sizes come with the counts, so every item's offset is known
// before any row is loaded: the list is as tall as the whole radar while holding one page of it.

export const ROW_HEIGHT = 76;
export const HEADER_HEIGHT = 40;

export interface RadarSection {
  readonly group: RadarGroup;
  readonly count: number;
  /** The radar index of the group's first row. */
  readonly firstRow: number;
  /** Where the group's header starts, in px from the top of the list. */
  readonly top: number;
}

export interface RadarLayout {
  readonly sections: readonly RadarSection[];
  readonly height: number;
}

export type RadarItem =
  | { readonly kind: 'group'; readonly group: RadarGroup; readonly count: number; readonly top: number }
  | { readonly kind: 'row'; readonly index: number; readonly top: number };

/** The non-empty groups in order (rows arrive soonest expiry first, so each group's rows are contiguous). */
export function radarLayout(counts: Readonly<Record<RadarGroup, number>>): RadarLayout {
  const sections: RadarSection[] = [];
  let top = 0;
  let firstRow = 0;
  for (const group of radarGroups) {
    const count = counts[group];
    if (count === 0) continue;
    sections.push({ group, count, firstRow, top });
    top += HEADER_HEIGHT + count * ROW_HEIGHT;
    firstRow += count;
  }
  return { sections, height: top };
}

/** The headers and rows that reach into [from, to) px. */
export function itemsBetween(layout: RadarLayout, from: number, to: number): RadarItem[] {
  const items: RadarItem[] = [];
  for (const section of layout.sections) {
    const rowsTop = section.top + HEADER_HEIGHT;
    if (rowsTop + section.count * ROW_HEIGHT <= from || section.top >= to) continue;
    if (rowsTop > from) items.push({ kind: 'group', group: section.group, count: section.count, top: section.top });
    const first = Math.max(0, Math.floor((from - rowsTop) / ROW_HEIGHT));
    const last = Math.min(section.count - 1, Math.ceil((to - rowsTop) / ROW_HEIGHT) - 1);
    for (let i = first; i <= last; i++) items.push({ kind: 'row', index: section.firstRow + i, top: rowsTop + i * ROW_HEIGHT });
  }
  return items;
}

/** The section the list shows at `offset` px: the last one starting at or above it. */
export function sectionAt(layout: RadarLayout, offset: number): RadarSection | undefined {
  return layout.sections.findLast((section) => section.top <= offset) ?? layout.sections[0];
}
