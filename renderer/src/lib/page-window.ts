// Which fetched pages of a virtualised list to let go: the Library and the Overview fetch pages
// of rows around what is on screen, and without this a long scroll (or the scrollbar dragged end
// to end over 100,000 entries) would leave every page it passed in the window's memory. Pages
// within `margin` pages of the visible range stay, so scrolling back a little fetches nothing.

/** Pages kept on each side of the visible ones: 10 pages of 100 rows. */
export const KEPT_PAGES_AROUND = 10;

/** The held pages outside [first page - margin, last page + margin], the visible range in rows. */
export function pagesToRelease(held: Iterable<number>, range: readonly [number, number], pageSize: number, margin = KEPT_PAGES_AROUND): number[] {
  const low = Math.floor(range[0] / pageSize) - margin;
  const high = Math.floor(range[1] / pageSize) + margin;
  return [...held].filter((page) => page < low || page > high);
}
