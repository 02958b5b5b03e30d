import justifiedLayout from "justified-layout";
import type { CSSProperties } from "react";
import type { PhotoTile } from "@/lib/photos/queries";

/**
 * The grid is justified for a reference width per breakpoint and then scales
 * with its container: every photo row's height and every box's offset and size
 * is a fraction of the container's width (only month headers have a fixed
 * height). So the server can render the first page with CSS alone (percentage
 * paddings and offsets) before anyone knows how wide the window is, and the
 * browser keeps exactly those positions after hydration and while it
 * virtualizes: nothing on the page shifts.
 *
 * `media` uses the same widths as Tailwind's `sm` and `lg` (40rem, 64rem), so
 * the variant the server's CSS shows is the one the client picks.
 */
export const GRID_BREAKPOINTS = [
  { name: "small", media: "(width < 40rem)", referenceWidth: 358, targetRowHeight: 150, serverClass: "sm:hidden" },
  { name: "medium", media: "(40rem <= width < 64rem)", referenceWidth: 736, targetRowHeight: 190, serverClass: "hidden sm:block lg:hidden" },
  { name: "large", media: "(width >= 64rem)", referenceWidth: 1248, targetRowHeight: 220, serverClass: "hidden lg:block" },
] as const;

export type GridBreakpoint = (typeof GRID_BREAKPOINTS)[number];

/** Box offsets and sizes: left and width as fractions of the row's width, height of the row's height. */
export type GridBox = { tile: PhotoTile; left: number; width: number; height: number };

export type GridRow =
  | { kind: "header"; key: string; label: string }
  | { kind: "photos"; key: string; /** Row height (spacing below included) over the container width. */ heightRatio: number; boxes: GridBox[] };

export const HEADER_HEIGHT = 52;
const SPACING = 4;

const monthLabel = new Intl.DateTimeFormat("en", { month: "long", year: "numeric", timeZone: "UTC" });

/** The height of a row, in px, in a container `width` px wide. */
export function rowHeight(row: GridRow, width: number): number {
  return row.kind === "header" ? HEADER_HEIGHT : row.heightRatio * width;
}

/** Running totals over rows: photo-row height ratios, and header counts. */
function runningTotals(rows: GridRow[]) {
  const ratio = [0];
  const headers = [0];
  for (const row of rows) {
    ratio.push(ratio.at(-1)! + (row.kind === "photos" ? row.heightRatio : 0));
    headers.push(headers.at(-1)! + (row.kind === "header" ? 1 : 0));
  }
  return { ratio, headers };
}

/**
 * Spacer CSS for any run of rows [from, to): exactly their height at every container
 * width (percent padding is relative to the width, like every photo row's height).
 * Running totals, so each spacer is O(1) however long the feed.
 */
export function spacerStyles(rows: GridRow[]): (from: number, to: number) => CSSProperties {
  const { ratio, headers } = runningTotals(rows);
  // content-box: the page's border-box would count the padding inside `height`, losing the headers'
  // height whenever the photo rows are taller; the page then grew and shrank as headers left and joined
  // the rendered range, and at the bottom of the page that swap repeated every frame.
  return (from, to) => ({
    boxSizing: "content-box",
    paddingTop: `${(ratio[to]! - ratio[from]!) * 100}%`,
    height: (headers[to]! - headers[from]!) * HEADER_HEIGHT,
  });
}

/** The height of `rows` as CSS inside a size container (`cqw` is 1% of its width). */
export function heightInContainer(rows: GridRow[]): string {
  const { ratio, headers } = runningTotals(rows);
  return `calc(${ratio.at(-1)! * 100}cqw + ${headers.at(-1)! * HEADER_HEIGHT}px)`;
}

/** Laid-out months, reused while their photos stay the same (appending a page only touches the last month). */
export type LayoutCache = Map<string, { signature: string; rows: GridRow[] }>;

/**
 * Turns the feed into rows: a header per month, then justified rows whose boxes
 * keep each photo's aspect ratio (from its stored size).
 *
 * `holdLastRow`: while more pages are coming, the last row is left out. It is
 * the only row the next page can still change (justified-layout never revisits
 * a completed row), so what is shown never moves when a page arrives.
 */
export function buildRows(tiles: PhotoTile[], breakpoint: GridBreakpoint, options: { holdLastRow: boolean; cache?: LayoutCache }): GridRow[] {
  const rows: GridRow[] = [];
  let start = 0;
  while (start < tiles.length) {
    const month = tiles[start]!.sortAt.slice(0, 7);
    let end = start;
    while (end < tiles.length && tiles[end]!.sortAt.slice(0, 7) === month) end++;
    rows.push(...monthRows(tiles.slice(start, end), breakpoint, options.cache));
    start = end;
  }
  if (options.holdLastRow && rows.at(-1)?.kind === "photos") {
    rows.pop();
    if (rows.at(-1)?.kind === "header") rows.pop();
  }
  return rows;
}

function monthRows(group: PhotoTile[], breakpoint: GridBreakpoint, cache: LayoutCache | undefined): GridRow[] {
  const first = group[0]!;
  const cacheKey = `${breakpoint.name}:${first.id}`;
  const signature = `${group.length}:${group.at(-1)!.id}`;
  const cached = cache?.get(cacheKey);
  if (cached?.signature === signature) return cached.rows;

  const { referenceWidth: width } = breakpoint;
  const layout = justifiedLayout(
    group.map((t) => t.width / Math.max(t.height, 1)),
    { containerWidth: width, containerPadding: 0, boxSpacing: SPACING, targetRowHeight: breakpoint.targetRowHeight },
  );
  // Tiles without a date (a shared album that hides capture details) get no month header.
  const rows: GridRow[] = first.sortAt ? [{ kind: "header", key: `h-${first.sortAt.slice(0, 7)}-${first.id}`, label: monthLabel.format(new Date(first.sortAt)) }] : [];
  let current: Extract<GridRow, { kind: "photos" }> | undefined;
  let currentTop = Number.NaN;
  layout.boxes.forEach((box, i) => {
    const top = Math.round(box.top);
    if (!current || top !== currentTop) {
      const rowHeightPx = box.height + SPACING;
      current = { kind: "photos", key: `r-${group[i]!.id}`, heightRatio: rowHeightPx / width, boxes: [] };
      currentTop = top;
      rows.push(current);
    }
    current.boxes.push({ tile: group[i]!, left: box.left / width, width: box.width / width, height: box.height / (box.height + SPACING) });
  });
  cache?.set(cacheKey, { signature, rows });
  return rows;
}
