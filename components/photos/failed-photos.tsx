"use client";

import { useRouter } from "next/navigation";
import { useTransition } from "react";
import { deletePhotosAction } from "@/app/(gallery)/actions";

/** Photos whose upload or processing failed stay visible, with the reason, until removed. */
export function FailedPhotos({ photos }: { photos: { id: string; displayName: string; failureReason: string | null }[] }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  if (photos.length === 0) return null;
  const remove = (ids: string[]) =>
    startTransition(async () => {
      await deletePhotosAction({ photoIds: ids });
      router.refresh();
    });
  return (
    <section aria-label="Failed uploads" className="mb-6 rounded-xl border border-red-200 bg-red-50 p-4 text-sm dark:border-red-900/60 dark:bg-red-950/40">
      <div className="flex items-center justify-between gap-2">
        <h2 className="font-semibold text-red-800 dark:text-red-300">
          {photos.length} upload{photos.length === 1 ? "" : "s"} failed
        </h2>
        <button type="button" disabled={pending} onClick={() => remove(photos.map((p) => p.id))} className="text-red-700 hover:underline dark:text-red-300">
          Remove all
        </button>
      </div>
      <ul className="mt-2 space-y-1">
        {photos.map((photo) => (
          <li key={photo.id} className="flex items-start justify-between gap-3">
            <span className="min-w-0">
              <span className="font-medium">{photo.displayName}</span>
              <span className="text-red-700 dark:text-red-300"> — {photo.failureReason}</span>
            </span>
            <button type="button" disabled={pending} onClick={() => remove([photo.id])} className="shrink-0 text-red-700 hover:underline dark:text-red-300" aria-label={`Remove ${photo.displayName}`}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <p className="mt-2 text-xs text-red-700/80 dark:text-red-300/80">To try again, upload the file once more.</p>
    </section>
  );
}
