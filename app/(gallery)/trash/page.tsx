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
      <TrashView tiles={tiles} total={total} renderedAt={renderedAt}>
        Deleted photos stay here for {days} day{days === 1 ? "" : "s"}, then they are deleted for good. Restore one and it is back in your
        gallery, its share links working again.
        {total > tiles.length ? ` Showing the ${tiles.length} most recently deleted of ${total}.` : ""}
      </TrashView>
    </section>
  );
}
