"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { deleteFromTrashAction, emptyTrashAction, restorePhotosAction } from "@/app/(gallery)/trash/actions";
import { Button } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/local-time";
import type { TrashTile } from "@/lib/photos/trash";
import { PhotoTile } from "./photo-tile";

const photos = (n: number) => `${n} photo${n === 1 ? "" : "s"}`;
const FILL = { inset: 0 } as const;

/**
 * The Trash: square tiles (the gallery's own, always in select mode: a photo in Trash
 * has no page to open), each with the date it is deleted for good. The list comes from
 * the server; after each action the page is refreshed rather than patched here.
 */
export function TrashView({
  tiles,
  total,
  renderedAt,
  children: intro,
}: {
  tiles: TrashTile[];
  total: number;
  renderedAt: string;
  children: React.ReactNode;
}) {
  const router = useRouter();
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [message, setMessage] = useState("");
  const [pending, startTransition] = useTransition();
  // Ids that left the list (restored elsewhere, purged) drop out of the selection.
  const chosen = tiles.filter((t) => selected.has(t.id)).map((t) => t.id);

  function toggle(id: string) {
    setSelected((current) => {
      const next = new Set(current);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  }

  function run(action: () => Promise<{ ok: true; data: string } | { ok: false; error: { message: string } }>) {
    setMessage("");
    startTransition(async () => {
      const result = await action();
      setMessage(result.ok ? result.data : result.error.message);
      if (result.ok) setSelected(new Set());
      router.refresh();
    });
  }

  const restore = () =>
    run(async () => {
      const result = await restorePhotosAction({ photoIds: chosen });
      return result.ok ? { ok: true, data: `Restored ${photos(result.data.restored.length)}.` } : result;
    });

  const deleteForever = () => {
    if (!window.confirm(`Delete ${photos(chosen.length)} for good? This cannot be undone.`)) return;
    run(async () => {
      const result = await deleteFromTrashAction({ photoIds: chosen });
      return result.ok ? { ok: true, data: `Deleted ${photos(result.data.deleted.length)} for good.` } : result;
    });
  };

  const empty = () => {
    if (!window.confirm(`Delete all ${photos(total)} in Trash for good? This cannot be undone.`)) return;
    run(async () => {
      const result = await emptyTrashAction({ trashedUpTo: renderedAt });
      return result.ok ? { ok: true, data: `Trash emptied: ${photos(result.data.deleted)} deleted for good.` } : result;
    });
  };

  const header = (
    <>
      <div className="flex min-h-9 items-center justify-between gap-4">
        <h1 id="trash-heading" className="text-2xl font-semibold">
          Trash
        </h1>
        {tiles.length > 0 ? (
          <Button variant="dangerGhost" size="sm" onClick={empty} disabled={pending}>
            Empty trash
          </Button>
        ) : null}
      </div>
      <p className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">{intro}</p>
    </>
  );
  const status = (
    <p role="status" aria-live="polite" className="min-h-5 text-sm text-zinc-600 dark:text-zinc-400">
      {message}
    </p>
  );

  if (tiles.length === 0) {
    return (
      <>
        {header}
        <div className="mt-4">{status}</div>
        <div className="mt-2 flex flex-col items-center rounded-2xl border-2 border-dashed border-zinc-300 px-6 py-16 text-center dark:border-zinc-700">
          <p className="text-lg font-medium">Trash is empty</p>
          <p className="mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">Photos you delete from your gallery wait here until they go for good.</p>
        </div>
      </>
    );
  }

  const allSelected = chosen.length === tiles.length;
  return (
    <>
      {header}
      <div className="sticky top-14 z-10 -mx-4 mt-4 flex flex-wrap items-center gap-2 bg-zinc-50/85 px-4 py-2 backdrop-blur dark:bg-zinc-950/85">
        <Button variant="secondary" size="sm" onClick={() => setSelected(allSelected ? new Set() : new Set(tiles.map((t) => t.id)))}>
          {allSelected ? "Select none" : "Select all"}
        </Button>
        <Button variant="primary" size="sm" onClick={restore} disabled={chosen.length === 0 || pending}>
          Restore{chosen.length > 0 ? ` ${chosen.length}` : ""}
        </Button>
        <Button variant="danger" size="sm" onClick={deleteForever} disabled={chosen.length === 0 || pending}>
          Delete forever{chosen.length > 0 ? ` ${chosen.length}` : ""}
        </Button>
      </div>
      {status}
      <ul aria-label="Photos in Trash" className="mt-2 grid grid-cols-2 gap-x-2 gap-y-3 sm:grid-cols-4 lg:grid-cols-6">
        {tiles.map((tile) => (
          <li key={tile.id} className="min-w-0">
            <div className="relative aspect-square">
              <PhotoTile tile={tile} style={FILL} selecting selected={selected.has(tile.id)} onToggle={toggle} />
            </div>
            <p className="mt-1 truncate text-xs text-zinc-600 dark:text-zinc-400" title={tile.name}>
              {tile.name}
            </p>
            <p className="text-xs text-zinc-500 dark:text-zinc-400">
              Deleted for good <LocalTime iso={tile.expiresAt} dateOnly className="whitespace-nowrap" />
            </p>
          </li>
        ))}
      </ul>
    </>
  );
}
