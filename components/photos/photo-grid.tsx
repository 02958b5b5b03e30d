"use client";

import { useWindowVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { PhotoTile as Tile } from "@/lib/photos/queries";
import { buildRows } from "./grid-layout";
import { PhotoTile } from "./photo-tile";

/**
 * Justified, month-grouped, virtualized: only the rows near the viewport are in the
 * DOM, so 100,000 photos scroll like 100. Asks for the next page when the last rows
 * come near.
 */
export function PhotoGrid({
  tiles,
  hasMore,
  loadMore,
  selecting,
  selected,
  onToggle,
}: {
  tiles: Tile[];
  hasMore: boolean;
  loadMore: () => void;
  selecting: boolean;
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
}) {
  const container = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(0);
  const [offsetTop, setOffsetTop] = useState(0);

  useLayoutEffect(() => {
    const element = container.current;
    if (!element) return;
    const measure = () => {
      setWidth(element.clientWidth);
      setOffsetTop(element.getBoundingClientRect().top + window.scrollY);
    };
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  const rows = useMemo(() => buildRows(tiles, width), [tiles, width]);
  const virtualizer = useWindowVirtualizer({
    count: rows.length,
    estimateSize: (index) => rows[index]?.height ?? 200,
    overscan: 6,
    scrollMargin: offsetTop,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? -1;

  useEffect(() => {
    if (hasMore && rows.length > 0 && lastIndex >= rows.length - 8) loadMore();
  }, [hasMore, lastIndex, rows.length, loadMore]);

  return (
    <div ref={container} className="relative w-full" style={{ height: width ? virtualizer.getTotalSize() : undefined }}>
      {items.map((item) => {
        const row = rows[item.index]!;
        const top = item.start - virtualizer.options.scrollMargin;
        if (row.kind === "header") {
          return (
            <h2 key={row.key} className="absolute inset-x-0 flex items-end pb-2 text-sm font-semibold text-zinc-700 dark:text-zinc-300" style={{ top, height: row.height }}>
              {row.label}
            </h2>
          );
        }
        return (
          <div key={row.key} className="absolute inset-x-0" style={{ top, height: row.height }}>
            {row.boxes.map((box) => (
              <PhotoTile
                key={box.tile.id}
                tile={box.tile}
                style={{ left: box.left, top: 0, width: box.width, height: box.height }}
                selecting={selecting}
                selected={selected.has(box.tile.id)}
                onToggle={onToggle}
              />
            ))}
          </div>
        );
      })}
    </div>
  );
}
