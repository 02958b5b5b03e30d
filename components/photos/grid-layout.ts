import justifiedLayout from "justified-layout";
import type { PhotoTile } from "@/lib/photos/queries";

export type GridRow =
  | { kind: "header"; key: string; label: string; height: number }
  | { kind: "photos"; key: string; height: number; boxes: { tile: PhotoTile; left: number; width: number; height: number }[] };

const HEADER_HEIGHT = 52;
const SPACING = 4;

const monthLabel = new Intl.DateTimeFormat("en", { month: "long", year: "numeric", timeZone: "UTC" });

/**
 * Turns the feed into rows for the virtualizer: a header per month, then justified
 * rows whose boxes keep each photo's aspect ratio (from its stored size).
 */
export function buildRows(tiles: PhotoTile[], containerWidth: number): GridRow[] {
  if (containerWidth <= 0) return [];
  const targetRowHeight = containerWidth < 640 ? 140 : 220;
  const rows: GridRow[] = [];
  let start = 0;
  while (start < tiles.length) {
    const month = tiles[start]!.sortAt.slice(0, 7);
    let end = start;
    while (end < tiles.length && tiles[end]!.sortAt.slice(0, 7) === month) end++;
    const group = tiles.slice(start, end);
    rows.push({ kind: "header", key: `h-${month}`, label: monthLabel.format(new Date(group[0]!.sortAt)), height: HEADER_HEIGHT });

    const layout = justifiedLayout(
      group.map((t) => t.width / Math.max(t.height, 1)),
      { containerWidth, containerPadding: 0, boxSpacing: SPACING, targetRowHeight },
    );
    const byTop = new Map<number, Extract<GridRow, { kind: "photos" }>>();
    layout.boxes.forEach((box, i) => {
      const top = Math.round(box.top);
      let row = byTop.get(top);
      if (!row) {
        row = { kind: "photos", key: `r-${group[i]!.id}`, height: box.height + SPACING, boxes: [] };
        byTop.set(top, row);
        rows.push(row);
      }
      row.boxes.push({ tile: group[i]!, left: box.left, width: box.width, height: box.height });
    });
    start = end;
  }
  return rows;
}
