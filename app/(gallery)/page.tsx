import type { Metadata } from "next";
import { requireUserOrRedirect } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { listFailedPhotos, listPhotoPage } from "@/lib/photos/queries";
import { FailedPhotos } from "@/components/photos/failed-photos";
import { Gallery } from "@/components/photos/gallery";

export const metadata: Metadata = { title: "Photos" };

export default async function GalleryPage() {
  const user = await requireUserOrRedirect("/");
  const [page, failed] = await Promise.all([listPhotoPage(user.id), listFailedPhotos(user.id)]);
  return (
    <section aria-labelledby="gallery-heading">
      <Gallery
        initialTiles={page.tiles}
        initialCursor={page.nextCursor}
        maxBytes={env.UPLOAD_MAX_BYTES}
        maxFilesPerBatch={env.MAX_FILES_PER_BATCH}
        trashRetentionDays={env.TRASH_RETENTION_DAYS}
        failed={<FailedPhotos photos={failed} />}
      />
    </section>
  );
}
