/**
 * Pure geometry for the meeting's video layouts, shared by the UI and its tests:
 * how many tiles fit a page, and the grid shape that makes them as large as
 * possible at 16:9 without scrolling.
 */
export type LayoutMode = 'grid' | 'speaker';

/** The most tiles a grid page holds (as in Google Meet's tiled view). */
export const MAX_TILES_PER_PAGE = 25;
const MIN_TILE_WIDTH = 150;
const ASPECT = 16 / 9;

export interface GridShape {
  cols: number;
  rows: number;
  /** CSS pixels; every tile of the page has this width (height follows from 16:9). */
  tileWidth: number;
}

/** The columns that make `count` 16:9 tiles largest inside width × height. */
export function gridShape(count: number, width: number, height: number, gap = 12): GridShape {
  const n = Math.max(1, count);
  let best: GridShape = { cols: 1, rows: n, tileWidth: 0 };
  for (let cols = 1; cols <= n; cols++) {
    const rows = Math.ceil(n / cols);
    const byWidth = (width - gap * (cols - 1)) / cols;
    const byHeight = ((height - gap * (rows - 1)) / rows) * ASPECT;
    const tileWidth = Math.floor(Math.max(0, Math.min(byWidth, byHeight)));
    if (tileWidth > best.tileWidth) best = { cols, rows, tileWidth };
  }
  return best;
}

/** How many tiles a page shows in this area: up to 25, fewer when they would get too small. */
export function tilesPerPage(width: number, height: number, gap = 12): number {
  if (width <= 0 || height <= 0) return MAX_TILES_PER_PAGE;
  for (let n = MAX_TILES_PER_PAGE; n > 1; n--)
    if (gridShape(n, width, height, gap).tileWidth >= MIN_TILE_WIDTH) return n;
  return 1;
}

export interface Page<T> {
  items: T[];
  /** Zero-based, clamped to the pages that exist. */
  page: number;
  pages: number;
}

export function paginate<T>(items: T[], page: number, perPage: number): Page<T> {
  const pages = Math.max(1, Math.ceil(items.length / Math.max(1, perPage)));
  const p = Math.min(Math.max(0, page), pages - 1);
  return { items: items.slice(p * perPage, (p + 1) * perPage), page: p, pages };
}
