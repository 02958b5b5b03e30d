"use client";

import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { memo, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { PhotoTile as Tile } from "@/lib/photos/queries";
import { buildRows, GRID_BREAKPOINTS, HEADER_HEIGHT, heightInContainer, rowHeight, spacerStyles, type GridBreakpoint, type GridRow, type LayoutCache } from "./grid-layout";
import { PhotoTile } from "./photo-tile";

type View = { breakpoint: GridBreakpoint; width: number; offsetTop: number };

// The server renders all of page 1: its spacers are empty (same elements as later, so hydration keeps them).
const NO_SPACE = spacerStyles([])(0, 0);

/**
 * Justified, month-grouped, virtualized: only the rows near the viewport are in the
 * DOM, so 100,000 photos scroll like 100. Asks for the next page when the last rows
 * come near.
 *
 * No layout shift, from the first byte on: rows sit in normal flow and are sized in
 * percent of the width (see grid-layout.ts), so the server renders page 1 for every
 * breakpoint (CSS shows the matching one) and the page has its full height before
 * any script runs. Once mounted, the client keeps the matching variant, with the
 * same nodes in the same places, and swaps rows far from the viewport for spacers
 * of exactly their height.
 */
export function PhotoGrid({
  tiles,
  hasMore,
  loadMore,
  selecting,
  selected,
  onToggle,
  linkQuery,
  onOpen,
}: {
  tiles: Tile[];
  hasMore: boolean;
  loadMore: () => void;
  selecting: boolean;
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
} & TileTarget) {
  const container = useRef<HTMLDivElement>(null);
  const [cache] = useState<LayoutCache>(() => new Map());
  // null until mounted: the server (and hydration) cannot know the width.
  const [view, setView] = useState<View | null>(null);

  useLayoutEffect(() => {
    const element = container.current;
    if (!element) return;
    const queries = GRID_BREAKPOINTS.map((bp) => window.matchMedia(bp.media));
    const measure = () => {
      const match = queries.findIndex((q) => q.matches);
      const breakpoint = GRID_BREAKPOINTS[match === -1 ? GRID_BREAKPOINTS.length - 1 : match]!;
      const rect = element.getBoundingClientRect();
      const next = { breakpoint, width: rect.width, offsetTop: rect.top + window.scrollY };
      setView((current) =>
        current?.breakpoint === next.breakpoint && current.width === next.width && current.offsetTop === next.offsetTop ? current : next,
      );
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    // Content above the grid (failed uploads, the toolbar) can change its offset.
    observer.observe(document.body);
    for (const q of queries) q.addEventListener("change", measure);
    return () => {
      observer.disconnect();
      for (const q of queries) q.removeEventListener("change", measure);
    };
  }, []);

  const breakpoint = view?.breakpoint;
  const width = view?.width ?? 0;
  const rows = useMemo(() => (breakpoint ? buildRows(tiles, breakpoint, { holdLastRow: hasMore, cache }) : []), [tiles, breakpoint, hasMore, cache]);
  const serverRows = useMemo(
    () => (breakpoint ? [] : GRID_BREAKPOINTS.map((bp) => buildRows(tiles, bp, { holdLastRow: hasMore }))),
    [tiles, breakpoint, hasMore],
  );
  const space = useMemo(() => spacerStyles(rows), [rows]);

  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: (index) => rowHeight(rows[index]!, width),
    overscan: 6,
    scrollMargin: view?.offsetTop ?? 0,
  });
  // Row sizes depend on the width and the rows, which the virtualizer does not watch.
  useLayoutEffect(() => virtualizer.measure(), [virtualizer, rows, width]);
  const items = virtualizer.getVirtualItems();
  const from = items[0]?.index ?? 0;
  const to = (items.at(-1)?.index ?? -1) + 1;

  useEffect(() => {
    if (view && hasMore && to >= rows.length - 8) loadMore();
  }, [view, hasMore, to, rows.length, loadMore]);

  const rowProps = { selecting, selected, onToggle, linkQuery, onOpen };
  return (
    // A size container, so `cqw` below is exactly this element's width.
    <div ref={container} className="@container w-full">
      <div className={breakpoint ? undefined : "min-h-(--grid-small) sm:min-h-(--grid-medium) lg:min-h-(--grid-large)"} style={breakpoint ? undefined : reservedHeights(serverRows)}>
        {GRID_BREAKPOINTS.map((bp, i) => {
          if (breakpoint && breakpoint !== bp) return null;
          if (breakpoint) {
            return (
              <div key={bp.name}>
                <div aria-hidden="true" style={space(0, from)} />
                {rows.slice(from, to).map((row) => (
                  <GridRowView key={row.key} row={row} {...rowProps} />
                ))}
                <div aria-hidden="true" style={space(to, rows.length)} />
              </div>
            );
          }
          return (
            <div key={bp.name} className={bp.serverClass}>
              <div aria-hidden="true" style={NO_SPACE} />
              {serverRows[i]!.map((row) => (
                <GridRowView key={row.key} row={row} {...rowProps} />
              ))}
              <div aria-hidden="true" style={NO_SPACE} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

/**
 * The server-rendered grid's final height, per breakpoint, set on an element that opens
 * before any row. A browser may paint a long document before it has parsed all of it;
 * this way the page is already as tall as it will be (and shows its scrollbar, which
 * would otherwise appear later and narrow everything) from the first paint.
 */
function reservedHeights(variants: GridRow[][]): React.CSSProperties {
  return Object.fromEntries(GRID_BREAKPOINTS.map((bp, i) => [`--grid-${bp.name}`, heightInContainer(variants[i] ?? [])])) as React.CSSProperties;
}

/**
 * Where a tile leads: its photo page, with `linkQuery` appended (an album passes `?album=<id>`
 * so the photo page steps through the album), or, with `onOpen`, a lightbox on the same page.
 */
export type TileTarget = { linkQuery?: string; onOpen?: (id: string) => void };

const GridRowView = memo(function GridRowView({
  row,
  selecting,
  selected,
  onToggle,
  linkQuery,
  onOpen,
}: {
  row: GridRow;
  selecting: boolean;
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
} & TileTarget) {
  if (row.kind === "header") {
    return (
      <h2 className="flex items-end pb-2 text-sm font-semibold text-zinc-700 dark:text-zinc-300" style={{ height: HEADER_HEIGHT }}>
        {row.label}
      </h2>
    );
  }
  return (
    <div className="relative" style={{ paddingTop: `${row.heightRatio * 100}%` }}>
      {row.boxes.map((box) => (
        <PhotoTile
          key={box.tile.id}
          tile={box.tile}
          style={{ left: `${box.left * 100}%`, top: 0, width: `${box.width * 100}%`, height: `${box.height * 100}%` }}
          selecting={selecting}
          selected={selected.has(box.tile.id)}
          onToggle={onToggle}
          linkQuery={linkQuery}
          onOpen={onOpen}
        />
      ))}
    </div>
  );
});
