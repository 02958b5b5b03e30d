"use client";

import Link from "next/link";
import { memo, useCallback, useMemo, useState, useSyncExternalStore } from "react";
import { thumbHashToAverageRGBA, thumbHashToDataURL } from "thumbhash";
import type { PhotoTile as Tile } from "@/lib/photos/queries";
import { cn } from "@/lib/utils";

const hashBytes = (hash: string) => Uint8Array.from(atob(hash), (c) => c.charCodeAt(0));

function placeholder(hash: string | null) {
  if (!hash) return undefined;
  try {
    return thumbHashToDataURL(hashBytes(hash));
  } catch {
    return undefined;
  }
}

function averageColor(hash: string | null) {
  if (!hash) return undefined;
  try {
    const { r, g, b } = thumbHashToAverageRGBA(hashBytes(hash));
    return `rgb(${Math.round(r * 255)} ${Math.round(g * 255)} ${Math.round(b * 255)})`;
  } catch {
    return undefined;
  }
}

const noSubscription = () => () => {};

/** False on the server and while hydrating, true from then on. */
const useHydrated = () =>
  useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );

/**
 * One photo in the grid. Its box is sized from the stored dimensions before the image
 * loads (no layout shift) and shows the thumbhash until the real thumbnail fades in.
 * Server-rendered tiles start with the thumbhash's average colour (a few bytes; the
 * blurred image is a ~4 KB data URL, too heavy to send for every tile in the HTML).
 */
export const PhotoTile = memo(function PhotoTile({
  tile,
  style,
  selecting,
  selected,
  onToggle,
  linkQuery = "",
  onOpen,
}: {
  tile: Tile;
  style: React.CSSProperties;
  selecting: boolean;
  selected: boolean;
  onToggle: (id: string) => void;
  linkQuery?: string;
  onOpen?: (id: string) => void;
}) {
  const [loaded, setLoaded] = useState(false);
  // A server-rendered image can finish loading before React hydrates and attaches onLoad,
  // and a virtualized tile that comes back is often cached: show those at once, without a fade.
  const seeIfLoaded = useCallback((img: HTMLImageElement | null) => {
    if (img?.complete && img.naturalWidth > 0) setLoaded(true);
  }, []);
  const hydrated = useHydrated();
  const color = useMemo(() => averageColor(tile.thumbhash), [tile.thumbhash]);
  const background = useMemo(() => (hydrated ? placeholder(tile.thumbhash) : undefined), [hydrated, tile.thumbhash]);
  const image = (
    // eslint-disable-next-line @next/next/no-img-element -- bytes come straight from storage, not through Next's optimizer
    <img
      ref={seeIfLoaded}
      src={tile.thumbUrl}
      alt={tile.name}
      width={tile.width}
      height={tile.height}
      loading="lazy"
      decoding="async"
      data-testid="photo-thumb"
      onLoad={() => setLoaded(true)}
      className={cn("size-full object-cover transition-opacity duration-300", loaded ? "opacity-100" : "opacity-0")}
    />
  );
  const className = cn(
    "absolute block overflow-hidden rounded-md bg-zinc-200 bg-cover dark:bg-zinc-800",
    selected && "ring-4 ring-brand-500 ring-offset-2 ring-offset-zinc-50 dark:ring-offset-zinc-950",
  );
  const boxStyle = { ...style, backgroundColor: color, backgroundImage: background ? `url(${background})` : undefined };

  if (selecting) {
    return (
      <button type="button" aria-pressed={selected} aria-label={`Select ${tile.name}`} onClick={() => onToggle(tile.id)} className={className} style={boxStyle}>
        {image}
        <span
          aria-hidden="true"
          className={cn(
            "absolute top-2 left-2 flex size-6 items-center justify-center rounded-full border-2 border-white text-xs text-white shadow",
            selected ? "bg-brand-600" : "bg-black/30",
          )}
        >
          {selected ? "✓" : ""}
        </span>
      </button>
    );
  }
  if (onOpen) {
    return (
      <button type="button" aria-label={`Open ${tile.name}`} data-photo-id={tile.id} onClick={() => onOpen(tile.id)} className={className} style={boxStyle}>
        {image}
      </button>
    );
  }
  return (
    <Link href={`/photos/${tile.id}${linkQuery}`} className={className} style={boxStyle}>
      {image}
    </Link>
  );
});
