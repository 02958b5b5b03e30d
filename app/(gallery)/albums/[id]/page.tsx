import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { formatAlbumDates, photoCount } from "@/components/albums/album-cards";
import { AlbumSettings } from "@/components/albums/album-settings";
import { AlbumView } from "@/components/albums/album-view";
import { AlbumDownload } from "@/components/albums/download-all";
import { SharePanel } from "@/components/shares/share-panel";
import { buttonClasses } from "@/components/ui/button";
import { requireUserOrRedirect } from "@/lib/auth/session";
import { getAlbumSummaryOrThrow, listAlbumPhotoPage } from "@/lib/albums/queries";
import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { listShareLinksForAlbum } from "@/lib/shares/album-links";

type Props = { params: Promise<{ id: string }> };

/** Someone else's album is the same 404 as a missing one. */
const loadAlbum = cache(async (id: string) => {
  const user = await requireUserOrRedirect(`/albums/${encodeURIComponent(id)}`);
  try {
    const [album, page, links] = await Promise.all([getAlbumSummaryOrThrow(user.id, id), listAlbumPhotoPage(user.id, id), listShareLinksForAlbum(user.id, id)]);
    return { user, album, page, links };
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { album } = await loadAlbum((await params).id);
  return { title: album.title };
}

export default async function AlbumPage({ params }: Props) {
  const { album, page, links } = await loadAlbum((await params).id);
  const dates = formatAlbumDates(album.firstAt, album.lastAt);
  return (
    <section aria-labelledby="gallery-heading">
      <Link href="/albums" className={buttonClasses("ghost", "mb-2 -ml-3", "sm")}>
        <span aria-hidden="true">←</span> Albums
      </Link>
      <AlbumView
        albumId={album.id}
        title={album.title}
        initialTiles={page.tiles}
        initialCursor={page.nextCursor}
        maxBytes={env.UPLOAD_MAX_BYTES}
        maxFilesPerBatch={env.MAX_FILES_PER_BATCH}
        toolbar={
          <div className="mb-4 space-y-3">
            {album.description ? <p className="max-w-3xl whitespace-pre-line text-zinc-700 dark:text-zinc-300">{album.description}</p> : null}
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              {photoCount(album.photoCount)}
              {dates ? ` · ${dates}` : ""}
            </p>
            <div className="flex flex-wrap items-start gap-2">
              <AlbumSettings albumId={album.id} title={album.title} description={album.description} />
              <AlbumDownload albumId={album.id} baseName={album.title} photoCount={album.photoCount} />
              <details className="group relative">
                <summary className={buttonClasses("secondary", "cursor-pointer list-none", "sm")}>
                  Share album{links.length > 0 ? ` (${links.length})` : ""}
                </summary>
                <div className="absolute left-0 z-30 mt-2 w-[22rem] max-w-[calc(100vw-2rem)] shadow-lg">
                  <SharePanel target={{ albumId: album.id }} appUrl={env.APP_URL} initialLinks={links} />
                </div>
              </details>
            </div>
          </div>
        }
      />
    </section>
  );
}
