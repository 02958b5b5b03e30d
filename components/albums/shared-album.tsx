"use client";

import { useCallback, useMemo, useRef, useState } from "react";
import { PhotoGrid } from "@/components/photos/photo-grid";
import { LocalTime } from "@/components/ui/local-time";
import type { SharedAlbumPhoto } from "@/lib/albums/shared";
import { Lightbox } from "./lightbox";

const NO_SELECTION: ReadonlySet<string> = new Set();
const noop = () => {};

/**
 * A shared album for its visitors: the gallery's grid (tiles open a lightbox instead of a
 * photo page) with its infinite scroll, paged through the link's own route, which checks
 * the link again for every page. With hidden details the photos are numbered, not named.
 */
export function SharedAlbum({
  token,
  initialPhotos,
  initialCursor,
  hideDetails,
}: {
  token: string;
  initialPhotos: SharedAlbumPhoto[];
  initialCursor: string | null;
  hideDetails: boolean;
}) {
  const [photos, setPhotos] = useState(initialPhotos);
  const [cursor, setCursor] = useState(initialCursor);
  const [open, setOpen] = useState<number | null>(null);
  const loading = useRef(false);

  const loadMore = useCallback(async () => {
    if (!cursor || loading.current) return;
    loading.current = true;
    try {
      const response = await fetch(`/s/${token}/photos?cursor=${encodeURIComponent(cursor)}`);
      if (!response.ok) return;
      const page = (await response.json()) as { photos: SharedAlbumPhoto[]; nextCursor: string | null };
      setPhotos((current) => {
        const known = new Set(current.map((p) => p.id));
        return [...current, ...page.photos.filter((p) => !known.has(p.id))];
      });
      setCursor(page.nextCursor);
    } finally {
      loading.current = false;
    }
  }, [cursor, token]);

  const label = useCallback((i: number) => (hideDetails ? `Photo ${i + 1}` : photos[i]?.name || `Photo ${i + 1}`), [hideDetails, photos]);
  const tiles = useMemo(() => photos.map((p, i) => (hideDetails ? { ...p, name: `Photo ${i + 1}` } : p)), [photos, hideDetails]);
  const indexOf = useMemo(() => new Map(photos.map((p, i) => [p.id, i])), [photos]);
  const onOpen = useCallback((id: string) => setOpen(indexOf.get(id) ?? null), [indexOf]);

  const move = useCallback(
    (i: number) => {
      setOpen(i);
      // Stepping toward the end of what is loaded asks for the next page, as scrolling does.
      if (i >= photos.length - 3) void loadMore();
    },
    [photos.length, loadMore],
  );
  const close = useCallback(() => {
    const id = open === null ? undefined : photos[open]?.id;
    setOpen(null);
    if (id) requestAnimationFrame(() => document.querySelector<HTMLElement>(`[data-photo-id="${id}"]`)?.focus());
  }, [open, photos]);

  if (photos.length === 0) {
    return <p className="rounded-xl border border-dashed border-zinc-300 p-10 text-center text-zinc-600 dark:border-zinc-700 dark:text-zinc-400">This album has no photos yet.</p>;
  }
  const current = open === null ? undefined : photos[open];
  return (
    <>
      <PhotoGrid tiles={tiles} hasMore={cursor !== null} loadMore={loadMore} selecting={false} selected={NO_SELECTION} onToggle={noop} onOpen={onOpen} />
      {open !== null && current ? (
        <Lightbox
          photos={photos}
          index={open}
          label={label}
          onMove={move}
          onClose={close}
          footer={
            current.takenAt || current.camera ? (
              <span>
                {current.takenAt ? <LocalTime iso={current.takenAt} wallClock /> : null}
                {current.takenAt && current.camera ? " · " : null}
                {current.camera}
              </span>
            ) : null
          }
        />
      ) : null}
    </>
  );
}
