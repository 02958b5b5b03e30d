"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { deletePhotosAction } from "@/app/(gallery)/actions";
import { Button } from "@/components/ui/button";

/** Moves one photo to Trash after a confirmation, then returns to the gallery. */
export function DeletePhotoButton({ photoId, name, retentionDays }: { photoId: string; name: string; retentionDays: number }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState("");

  function onClick() {
    const days = `${retentionDays} day${retentionDays === 1 ? "" : "s"}`;
    if (!window.confirm(`Move “${name}” to Trash? Its share links stop working until you restore it. After ${days} in Trash it is deleted for good.`)) return;
    setError("");
    startTransition(async () => {
      const result = await deletePhotosAction({ photoIds: [photoId] });
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      router.replace("/");
      router.refresh();
    });
  }

  return (
    <div>
      <Button variant="danger" onClick={onClick} disabled={pending} className="w-full">
        {pending ? "Moving to Trash…" : "Delete photo"}
      </Button>
      <p role="alert" className="mt-1 min-h-0 text-sm text-red-600 empty:hidden dark:text-red-400">
        {error}
      </p>
    </div>
  );
}
