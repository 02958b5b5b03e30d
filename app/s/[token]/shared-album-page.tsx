import type { Metadata } from "next";
import { cookies } from "next/headers";
import { after } from "next/server";
import { formatAlbumDates, photoCount } from "@/components/albums/album-cards";
import { SharedAlbum } from "@/components/albums/shared-album";
import { SharedAlbumDownload } from "@/components/albums/download-all";
import { countAlbumPhotos } from "@/lib/albums/queries";
import { UnlockForm } from "@/components/shares/unlock-form";
import { getAlbumCover } from "@/lib/albums/queries";
import { readSharedAlbumPage } from "@/lib/albums/shared";
import { env } from "@/lib/env";
import type { PublicAlbumShare } from "@/lib/shares/album-links";
import { shareUrl } from "@/lib/shares/expiry";
import { recordShareView } from "@/lib/shares/mutations";
import { isShareUnlocked, SHARE_UNLOCK_COOKIE } from "@/lib/shares/unlock";

/**
 * An album link's page (app/s/[token]/page.tsx hands album tokens here): title,
 * description, the grid and its lightbox. Same rate limit, password gate, view count
 * and 404 as a photo link; every photo shown is read live from the album.
 */
export async function SharedAlbumPage({ share }: { share: PublicAlbumShare }) {
  if (!isShareUnlocked(share, (await cookies()).get(SHARE_UNLOCK_COOKIE)?.value)) {
    return (
      <div className="mx-auto mt-10 max-w-sm rounded-xl border border-zinc-200 bg-white p-6 dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="text-lg font-semibold">This album is password-protected</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Enter the password you were given with the link.</p>
        <UnlockForm token={share.token} submitLabel="View album" />
      </div>
    );
  }
  after(() => recordShareView(share.id).catch((error: unknown) => console.error("[share] could not count a view", error)));
  const [page, count] = await Promise.all([readSharedAlbumPage(share), countAlbumPhotos(share.album.id)]);
  const dates = share.hideDetails || page.nextCursor ? "" : formatAlbumDates(page.photos.at(-1)?.sortAt ?? null, page.photos[0]?.sortAt ?? null);
  return (
    <article className="space-y-5">
      <header className="flex flex-wrap items-end justify-between gap-4">
        <div className="min-w-0 space-y-1">
          <h1 className="text-2xl font-semibold break-words">{share.album.title}</h1>
          {share.album.description ? <p className="max-w-3xl whitespace-pre-line text-zinc-700 dark:text-zinc-300">{share.album.description}</p> : null}
          {count > 0 ? (
            <p className="text-sm text-zinc-600 dark:text-zinc-400">
              {photoCount(count)}
              {dates ? ` · ${dates}` : ""}
            </p>
          ) : null}
        </div>
        {share.allowDownload ? <SharedAlbumDownload token={share.token} baseName={share.album.title} photoCount={count} /> : null}
      </header>
      <SharedAlbum token={share.token} initialPhotos={page.photos} initialCursor={page.nextCursor} hideDetails={share.hideDetails} />
    </article>
  );
}

const ROBOTS: Metadata["robots"] = { index: false, follow: false, googleBot: { index: false, follow: false } };

/** Open Graph and Twitter cards: the album's title and its cover, through a route that never expires (…/cover). */
export async function sharedAlbumMetadata(share: PublicAlbumShare): Promise<Metadata> {
  const url = shareUrl(env.APP_URL, share.token);
  const common = { robots: ROBOTS, referrer: "no-referrer" } satisfies Metadata;
  // A preview must not show what the password protects: no cover, no title.
  if (share.hasPassword) {
    const title = "A password-protected album";
    return { ...common, title, openGraph: { type: "website", siteName: "Snapshelf", url, title }, twitter: { card: "summary", title } };
  }
  const title = share.album.title;
  const description = share.album.description ?? "An album shared with Snapshelf.";
  const cover = await getAlbumCover(share.album);
  const images = cover ? [{ url: `${url}/cover`, alt: title, type: "image/webp" }] : [];
  return {
    ...common,
    title,
    description,
    openGraph: { type: "website", siteName: "Snapshelf", url, title, description, images },
    twitter: { card: cover ? "summary_large_image" : "summary", title, description, images: images.map((i) => ({ url: i.url, alt: i.alt })) },
  };
}
