"use client";

import { useRouter } from "next/navigation";
import { useCallback, useRef, useState, useTransition } from "react";
import { deletePhotosAction } from "@/app/(gallery)/actions";
import { AddToAlbum } from "@/components/albums/add-to-album";
import { Button } from "@/components/ui/button";
import type { PhotoTile } from "@/lib/photos/queries";
import { DropZone } from "./drop-zone";
import { PhotoGrid } from "./photo-grid";
import { UploadPanel } from "./upload-panel";
import { UploadProvider } from "./upload-provider";

const bySortDesc = (a: PhotoTile, b: PhotoTile) => (a.sortAt === b.sortAt ? (a.id < b.id ? 1 : -1) : a.sortAt < b.sortAt ? 1 : -1);

export function Gallery({
  initialTiles,
  initialCursor,
  maxBytes,
  maxFilesPerBatch,
  trashRetentionDays,
  failed,
}: {
  initialTiles: PhotoTile[];
  initialCursor: string | null;
  maxBytes: number;
  maxFilesPerBatch: number;
  trashRetentionDays: number;
  failed: React.ReactNode;
}) {
  const router = useRouter();
  const [tiles, setTiles] = useState(initialTiles);
  const [cursor, setCursor] = useState(initialCursor);
  const loading = useRef(false);
  const [selecting, setSelecting] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState("");
  const [deleting, startDelete] = useTransition();

  const loadMore = useCallback(async () => {
    if (!cursor || loading.current) return;
    loading.current = true;
    try {
      const response = await fetch(`/api/photos?cursor=${encodeURIComponent(cursor)}`);
      if (!response.ok) return;
      const page = (await response.json()) as { tiles: PhotoTile[]; nextCursor: string | null };
      setTiles((current) => {
        const known = new Set(current.map((t) => t.id));
        return [...current, ...page.tiles.filter((t) => !known.has(t.id))];
      });
      setCursor(page.nextCursor);
    } finally {
      loading.current = false;
    }
  }, [cursor]);

  const onPhotoReady = useCallback((tile: PhotoTile) => {
    setTiles((current) => (current.some((t) => t.id === tile.id) ? current : [...current, tile].sort(bySortDesc)));
  }, []);

  const toggle = useCallback((id: string) => {
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }, []);

  function deleteSelected() {
    const ids = [...selected];
    const photos = `${ids.length} photo${ids.length === 1 ? "" : "s"}`;
    const confirmation = `Move ${photos} to Trash? Their share links stop working until you restore them. After ${trashRetentionDays} days in Trash they are deleted for good.`;
    if (ids.length === 0 || !window.confirm(confirmation)) return;
    startDelete(async () => {
      const result = await deletePhotosAction({ photoIds: ids });
      if (!result.ok) {
        setMessage(result.error.message);
        return;
      }
      const gone = new Set([...result.data.trashed, ...result.data.deleted]);
      setTiles((current) => current.filter((t) => !gone.has(t.id)));
      setSelected(new Set());
      setSelecting(false);
      setMessage(`Moved ${gone.size} photo${gone.size === 1 ? "" : "s"} to Trash.`);
      router.refresh();
    });
  }

  return (
    <UploadProvider maxBytes={maxBytes} maxFilesPerBatch={maxFilesPerBatch} onPhotoReady={onPhotoReady}>
      <DropZone>
        {failed}
        {tiles.length > 0 ? (
          <div className="mb-1 flex min-h-9 flex-wrap items-center gap-3 text-sm">
            {selecting ? (
              <>
                <span>{selected.size} selected</span>
                <AddToAlbum photoIds={[...selected]} />
                <Button variant="danger" onClick={deleteSelected} disabled={selected.size === 0 || deleting}>
                  {deleting ? "Deleting…" : "Delete selected"}
                </Button>
                <Button variant="ghost" onClick={() => (setSelecting(false), setSelected(new Set()))}>
                  Done
                </Button>
              </>
            ) : (
              <Button variant="secondary" onClick={() => setSelecting(true)}>
                Select
              </Button>
            )}
            <span role="status" aria-live="polite" className="text-zinc-600 dark:text-zinc-400">
              {message}
            </span>
          </div>
        ) : null}
        {tiles.length > 0 ? (
          <PhotoGrid tiles={tiles} hasMore={cursor !== null} loadMore={loadMore} selecting={selecting} selected={selected} onToggle={toggle} />
        ) : (
          <div className="flex flex-col items-center rounded-2xl border-2 border-dashed border-zinc-300 px-6 py-16 text-center dark:border-zinc-700">
            <p className="text-lg font-medium">Your shelf is empty</p>
            <p className="mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">
              Drop photos anywhere on this page, paste them, or use “Upload photos”. JPEG, PNG, WebP, GIF, AVIF and HEIC are welcome.
            </p>
          </div>
        )}
      </DropZone>
      <UploadPanel />
    </UploadProvider>
  );
}
