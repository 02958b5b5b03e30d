"use client";

import { useRouter } from "next/navigation";
import { useCallback, useEffect, useRef, useState, useTransition } from "react";
import { addPhotosToAlbumAction, removePhotosFromAlbumAction, setAlbumCoverAction } from "@/app/(gallery)/albums/actions";
import { DropZone } from "@/components/photos/drop-zone";
import { PhotoGrid } from "@/components/photos/photo-grid";
import { UploadPanel } from "@/components/photos/upload-panel";
import { UploadProvider, useUploads } from "@/components/photos/upload-provider";
import { Button } from "@/components/ui/button";
import type { PhotoTile } from "@/lib/photos/queries";

const bySortDesc = (a: PhotoTile, b: PhotoTile) => (a.sortAt === b.sortAt ? (a.id < b.id ? 1 : -1) : a.sortAt < b.sortAt ? 1 : -1);

/**
 * An album: the gallery's grid over the album's photos, with the gallery's uploader.
 * Files dropped here upload as usual and join the album as soon as the server has
 * reserved them (so a photo still processing is already in it, and one cancelled
 * leaves it with its row).
 */
export function AlbumView({
  albumId,
  title,
  initialTiles,
  initialCursor,
  maxBytes,
  maxFilesPerBatch,
  toolbar,
}: {
  albumId: string;
  title: string;
  initialTiles: PhotoTile[];
  initialCursor: string | null;
  maxBytes: number;
  maxFilesPerBatch: number;
  /** Album-wide actions (edit, share, download), shown above the grid. */
  toolbar: React.ReactNode;
}) {
  const router = useRouter();
  const [tiles, setTiles] = useState(initialTiles);
  const [cursor, setCursor] = useState(initialCursor);
  const loading = useRef(false);
  const [selecting, setSelecting] = useState(false);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [message, setMessage] = useState("");
  const [pending, start] = useTransition();

  const loadMore = useCallback(async () => {
    if (!cursor || loading.current) return;
    loading.current = true;
    try {
      const response = await fetch(`/albums/${albumId}/photos?cursor=${encodeURIComponent(cursor)}`);
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
  }, [albumId, cursor]);

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

  const stopSelecting = () => (setSelecting(false), setSelected(new Set()));

  function removeSelected() {
    const ids = [...selected];
    if (ids.length === 0) return;
    start(async () => {
      const result = await removePhotosFromAlbumAction({ albumId, photoIds: ids });
      if (!result.ok) return setMessage(result.error.message);
      const gone = new Set(ids);
      setTiles((current) => current.filter((t) => !gone.has(t.id)));
      stopSelecting();
      setMessage(`Removed ${ids.length} photo${ids.length === 1 ? "" : "s"} from the album. They stay in your photos.`);
      router.refresh();
    });
  }

  function makeCover() {
    const [photoId] = [...selected];
    if (!photoId || selected.size !== 1) return;
    start(async () => {
      const result = await setAlbumCoverAction({ albumId, photoId });
      if (!result.ok) return setMessage(result.error.message);
      stopSelecting();
      setMessage("Cover photo set.");
      router.refresh();
    });
  }

  return (
    <UploadProvider maxBytes={maxBytes} maxFilesPerBatch={maxFilesPerBatch} onPhotoReady={onPhotoReady}>
      <AttachUploadsToAlbum albumId={albumId} onError={setMessage} />
      <DropZone heading={title}>
        {toolbar}
        {tiles.length > 0 ? (
          <div className="mb-1 flex min-h-9 flex-wrap items-center gap-3 text-sm">
            {selecting ? (
              <>
                <span>{selected.size} selected</span>
                <Button variant="secondary" onClick={makeCover} disabled={selected.size !== 1 || pending}>
                  Use as cover
                </Button>
                <Button variant="danger" onClick={removeSelected} disabled={selected.size === 0 || pending}>
                  {pending ? "Removing…" : "Remove from album"}
                </Button>
                <Button variant="ghost" onClick={stopSelecting}>
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
          <PhotoGrid
            tiles={tiles}
            hasMore={cursor !== null}
            loadMore={loadMore}
            selecting={selecting}
            selected={selected}
            onToggle={toggle}
            linkQuery={`?album=${albumId}`}
          />
        ) : (
          <div className="flex flex-col items-center rounded-2xl border-2 border-dashed border-zinc-300 px-6 py-16 text-center dark:border-zinc-700">
            <p className="text-lg font-medium">This album is empty</p>
            <p className="mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">
              Drop photos on this page to upload them into the album, or choose “Select” → “Add to album” in your photos.
            </p>
            {message ? (
              <p role="status" className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
                {message}
              </p>
            ) : null}
          </div>
        )}
      </DropZone>
      <UploadPanel />
    </UploadProvider>
  );
}

/** Puts every upload started on this page into the album, once the server has given it a photo id. */
function AttachUploadsToAlbum({ albumId, onError }: { albumId: string; onError: (message: string) => void }) {
  const { items } = useUploads();
  const attached = useRef(new Set<string>());
  const uploadedKey = items.flatMap((item) => (item.photoId ? [item.photoId] : [])).join(",");
  useEffect(() => {
    const photoIds = uploadedKey.split(",").filter((id) => id && !attached.current.has(id));
    if (photoIds.length === 0) return;
    for (const id of photoIds) attached.current.add(id);
    void addPhotosToAlbumAction({ albumId, photoIds }).then((result) => {
      if (result.ok) return;
      for (const id of photoIds) attached.current.delete(id);
      onError(`Uploaded, but not added to the album: ${result.error.message}`);
    });
  }, [albumId, uploadedKey, onError]);
  return null;
}
