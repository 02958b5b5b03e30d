"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { deleteAlbumAction, updateAlbumAction } from "@/app/(gallery)/albums/actions";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** Rename the album, change its description, or delete it (its photos stay in the library). */
export function AlbumSettings({ albumId, title, description }: { albumId: string; title: string; description: string | null }) {
  const router = useRouter();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState("");
  const [pending, start] = useTransition();

  function remove() {
    if (!window.confirm(`Delete the album “${title}”? Its photos stay in your library; its share links stop working.`)) return;
    start(async () => {
      const result = await deleteAlbumAction({ albumId });
      if (!result.ok) return setError(result.error.message);
      router.push("/albums");
      router.refresh();
    });
  }

  if (!editing) {
    return (
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="secondary" size="sm" onClick={() => setEditing(true)}>
          Edit album
        </Button>
        <Button variant="dangerGhost" size="sm" onClick={remove} disabled={pending}>
          Delete album
        </Button>
        {error ? (
          <p role="alert" className="text-sm text-red-600 dark:text-red-400">
            {error}
          </p>
        ) : null}
      </div>
    );
  }
  return (
    <form
      className="grid gap-3 rounded-xl border border-zinc-200 bg-white p-4 sm:grid-cols-[1fr_1.5fr_auto_auto] sm:items-end dark:border-zinc-800 dark:bg-zinc-900"
      action={(form) =>
        start(async () => {
          const result = await updateAlbumAction({ albumId, title: String(form.get("title") ?? ""), description: String(form.get("description") ?? "") });
          if (!result.ok) return setError(result.error.message);
          setError("");
          setEditing(false);
          router.refresh();
        })
      }
    >
      <Field id="edit-album-title" name="title" label="Album name" defaultValue={title} required maxLength={120} error={error || undefined} />
      <Field id="edit-album-description" name="description" label="Description" defaultValue={description ?? ""} maxLength={2000} />
      <Button type="submit" disabled={pending}>
        {pending ? "Saving…" : "Save"}
      </Button>
      <Button variant="ghost" onClick={() => setEditing(false)}>
        Cancel
      </Button>
    </form>
  );
}
