import type { Metadata } from "next";
import { TrashView } from "@/components/photos/trash-view";
import { requireUserOrRedirect } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { listTrash } from "@/lib/photos/trash";

export const metadata: Metadata = { title: "Trash" };

export default async function TrashPage() {
  const user = await requireUserOrRedirect("/trash");
  const renderedAt = new Date().toISOString();
  const { tiles, total } = await listTrash(user.id);
  const days = env.TRASH_RETENTION_DAYS;
  return (
    <section aria-labelledby="trash-heading">
      <h1 id="trash-heading" className="text-2xl font-semibold">
        Trash
      </h1>
      <p className="mt-1 max-w-2xl text-sm text-zinc-600 dark:text-zinc-400">
        Deleted photos stay here for {days} day{days === 1 ? "" : "s"}, then they are deleted for good. Restore one and it is back in your
        gallery, its share links working again.
        {total > tiles.length ? ` Showing the ${tiles.length} most recently deleted of ${total}.` : ""}
      </p>
      <TrashView tiles={tiles} total={total} renderedAt={renderedAt} retentionDays={days} />
    </section>
  );
}
