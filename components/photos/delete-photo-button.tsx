"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { deletePhotosAction } from "@/app/(gallery)/actions";
import { Button } from "@/components/ui/button";

/** Deletes one photo after a confirmation, then returns to the gallery. */
export function DeletePhotoButton({ photoId, name }: { photoId: string; name: string }) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState("");

  function onClick() {
    if (!window.confirm(`Delete “${name}”? Its share links stop working too. This cannot be undone.`)) return;
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
        {pending ? "Deleting…" : "Delete photo"}
      </Button>
      <p role="alert" className="mt-1 min-h-0 text-sm text-red-600 empty:hidden dark:text-red-400">
        {error}
      </p>
    </div>
  );
}
