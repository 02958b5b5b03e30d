"use client";

import { useRouter } from "next/navigation";
import { useState, useTransition } from "react";
import { createAlbumAction } from "@/app/(gallery)/albums/actions";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";

/** Name (and optionally describe) a new, empty album, then open it to add photos. */
export function NewAlbumForm() {
  const router = useRouter();
  const [error, setError] = useState("");
  const [pending, start] = useTransition();
  return (
    <form
      className="grid gap-3 sm:grid-cols-[1fr_1.5fr_auto] sm:items-end"
      action={(form) =>
        start(async () => {
          const result = await createAlbumAction({ title: String(form.get("title") ?? ""), description: String(form.get("description") ?? "") });
          if (!result.ok) return setError(result.error.message);
          router.push(`/albums/${result.data.id}`);
        })
      }
    >
      <Field id="album-title" name="title" label="Album name" required maxLength={120} error={error || undefined} />
      <Field id="album-description" name="description" label="Description (optional)" maxLength={2000} />
      <Button type="submit" disabled={pending}>
        {pending ? "Creating…" : "Create album"}
      </Button>
    </form>
  );
}
