"use client";

import Link from "next/link";
import { useEffect, useId, useState, useTransition } from "react";
import { addPhotosToAlbumAction, createAlbumAction, listAlbumChoicesAction } from "@/app/(gallery)/albums/actions";
import { Button } from "@/components/ui/button";
import { ALBUM_BATCH_MAX } from "@/lib/albums/limits";

type Choice = { id: string; title: string };

function inBatches(ids: string[]): string[][] {
  const batches: string[][] = [];
  for (let i = 0; i < ids.length; i += ALBUM_BATCH_MAX) batches.push(ids.slice(i, i + ALBUM_BATCH_MAX));
  return batches;
}

/**
 * "Add to album": picks one of the owner's albums, or names a new one, and puts the
 * given photos in it. Used by the gallery's multi-select bar and the photo page.
 */
export function AddToAlbum({
  photoIds,
  onAdded,
  size = "md",
}: {
  photoIds: string[];
  onAdded?: (album: Choice, added: number) => void;
  size?: "md" | "sm";
}) {
  const id = useId();
  const [open, setOpen] = useState(false);
  const [choices, setChoices] = useState<Choice[] | null>(null);
  const [albumId, setAlbumId] = useState("");
  const [title, setTitle] = useState("");
  const [message, setMessage] = useState<{ text: string; album?: Choice } | null>(null);
  const [pending, start] = useTransition();

  useEffect(() => {
    if (!open || choices) return;
    void listAlbumChoicesAction({}).then((result) => {
      if (!result.ok) return setMessage({ text: result.error.message });
      setChoices(result.data);
      setAlbumId((current) => current || result.data[0]?.id || "");
    });
  }, [open, choices]);

  function finish(album: Choice, added: number) {
    const photos = `${added} photo${added === 1 ? "" : "s"}`;
    setMessage({ text: added === 0 ? `Already in “${album.title}”.` : `Added ${photos} to “${album.title}”.`, album });
    onAdded?.(album, added);
  }

  function addToExisting() {
    const album = choices?.find((c) => c.id === albumId);
    if (!album) return;
    start(async () => {
      let added = 0;
      for (const batch of inBatches(photoIds)) {
        const result = await addPhotosToAlbumAction({ albumId: album.id, photoIds: batch });
        if (!result.ok) return setMessage({ text: result.error.message });
        added += result.data.added;
      }
      finish(album, added);
    });
  }

  function addToNew() {
    start(async () => {
      const [first = [], ...rest] = inBatches(photoIds);
      const created = await createAlbumAction({ title, photoIds: first });
      if (!created.ok) return setMessage({ text: created.error.message });
      let added = created.data.added;
      for (const batch of rest) {
        const result = await addPhotosToAlbumAction({ albumId: created.data.id, photoIds: batch });
        if (!result.ok) return setMessage({ text: result.error.message });
        added += result.data.added;
      }
      setChoices(null);
      setTitle("");
      finish({ id: created.data.id, title: created.data.title }, added);
    });
  }

  return (
    <div className="relative">
      <Button variant="secondary" size={size} aria-expanded={open} aria-controls={`${id}-panel`} onClick={() => setOpen(!open)} disabled={photoIds.length === 0}>
        Add to album
      </Button>
      {open ? (
        <div
          id={`${id}-panel`}
          role="group"
          aria-label="Add to album"
          className="absolute top-full left-0 z-30 mt-2 w-80 max-w-[calc(100vw-2rem)] space-y-4 rounded-xl border border-zinc-200 bg-white p-4 text-sm shadow-lg dark:border-zinc-800 dark:bg-zinc-900"
        >
          {choices === null ? (
            <p className="text-zinc-500">Loading albums…</p>
          ) : choices.length > 0 ? (
            <div className="space-y-2">
              <label htmlFor={`${id}-album`} className="block font-medium">
                Existing album
              </label>
              <div className="flex gap-2">
                <select
                  id={`${id}-album`}
                  value={albumId}
                  onChange={(e) => setAlbumId(e.target.value)}
                  className="min-w-0 flex-1 rounded-lg border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900"
                >
                  {choices.map((c) => (
                    <option key={c.id} value={c.id}>
                      {c.title}
                    </option>
                  ))}
                </select>
                <Button size="sm" onClick={addToExisting} disabled={pending || !albumId}>
                  Add
                </Button>
              </div>
            </div>
          ) : null}
          <form
            className="space-y-2"
            onSubmit={(e) => {
              e.preventDefault();
              addToNew();
            }}
          >
            <label htmlFor={`${id}-new`} className="block font-medium">
              New album
            </label>
            <div className="flex gap-2">
              <input
                id={`${id}-new`}
                value={title}
                onChange={(e) => setTitle(e.target.value)}
                required
                maxLength={120}
                placeholder="Album name"
                className="min-w-0 flex-1 rounded-lg border border-zinc-300 bg-white px-2 py-1.5 dark:border-zinc-700 dark:bg-zinc-900"
              />
              <Button size="sm" type="submit" disabled={pending || title.trim() === ""}>
                Create
              </Button>
            </div>
          </form>
          <p role="status" aria-live="polite" className="min-h-5 text-zinc-600 dark:text-zinc-400">
            {pending ? "Adding…" : message?.text}{" "}
            {!pending && message?.album ? (
              <Link href={`/albums/${message.album.id}`} className="text-brand-600 underline dark:text-brand-400">
                Open album
              </Link>
            ) : null}
          </p>
        </div>
      ) : null}
    </div>
  );
}
