import type { Metadata } from "next";
import { cookies, headers } from "next/headers";
import { notFound } from "next/navigation";
import { after } from "next/server";
import { cache } from "react";
import { PhotoFrame } from "@/components/photos/photo-frame";
import { UnlockForm } from "@/components/shares/unlock-form";
import { buttonClasses } from "@/components/ui/button";
import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { consumeOrThrow } from "@/lib/rate-limit";
import { readClientIp } from "@/lib/security/client-ip";
import { shareUrl } from "@/lib/shares/expiry";
import { shareImageUrl } from "@/lib/shares/image-urls";
import { recordShareView } from "@/lib/shares/mutations";
import { getPublicShare, type PublicShare } from "@/lib/shares/queries";
import { getPublicAlbumShare } from "@/lib/shares/album-links";
import { SharedAlbumPage, sharedAlbumMetadata } from "./shared-album-page";
import { isShareUnlocked, SHARE_UNLOCK_COOKIE } from "@/lib/shares/unlock";

type Props = { params: Promise<{ token: string }> };

/** One lookup per request, shared by the metadata and the page. */
const loadShare = cache((token: string) => getPublicShare(token));
/** A token that is no photo link may be an album link (same table, same checks). */
const loadAlbumShare = cache((token: string) => getPublicAlbumShare(token));

const ROBOTS: Metadata["robots"] = { index: false, follow: false, googleBot: { index: false, follow: false } };

/** The large variant fits inside 2048×2048 and is never enlarged (lib/images/process.ts). */
function largeVariantSize(photo: PublicShare["photo"]) {
  const scale = Math.min(1, 2048 / photo.width, 2048 / photo.height);
  return { width: Math.round(photo.width * scale), height: Math.round(photo.height * scale) };
}

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { token } = await params;
  const share = await loadShare(token);
  if (!share) {
    const album = await loadAlbumShare(token);
    return album ? sharedAlbumMetadata(album) : { title: "Link not found", robots: ROBOTS };
  }
  const url = shareUrl(env.APP_URL, token);
  const common = { robots: ROBOTS, referrer: "no-referrer" } satisfies Metadata;
  // A preview must not show what the password protects: no image, no file name.
  if (share.hasPassword) {
    const title = "A password-protected photo";
    return { ...common, title, openGraph: { type: "website", siteName: "Snapshelf", url, title }, twitter: { card: "summary", title } };
  }
  const title = share.photo.displayName;
  // Absolute and never expiring: the route re-checks the link and redirects to a freshly signed URL.
  const image = { url: `${url}/image`, alt: title, type: "image/webp", ...largeVariantSize(share.photo) };
  return {
    ...common,
    title,
    description: "A photo shared with Snapshelf.",
    openGraph: { type: "website", siteName: "Snapshelf", url, title, description: "A photo shared with Snapshelf.", images: [image] },
    twitter: { card: "summary_large_image", title, images: [{ url: image.url, alt: title }] },
  };
}

export default async function SharePage({ params }: Props) {
  const { token } = await params;
  try {
    await consumeOrThrow("shareView", readClientIp(await headers()));
  } catch (error) {
    if (isAppError(error) && error.code === "rate_limited") return <TooManyRequests message={error.message} />;
    throw error;
  }

  const share = await loadShare(token);
  if (!share) {
    const album = await loadAlbumShare(token);
    if (!album) notFound();
    return <SharedAlbumPage share={album} />;
  }

  if (!isShareUnlocked(share, (await cookies()).get(SHARE_UNLOCK_COOKIE)?.value)) {
    return (
      <div className="mx-auto mt-10 max-w-sm rounded-xl border border-zinc-200 bg-white p-6 dark:border-zinc-800 dark:bg-zinc-900">
        <h1 className="text-lg font-semibold">This photo is password-protected</h1>
        <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Enter the password you were given with the link.</p>
        <UnlockForm token={token} />
      </div>
    );
  }

  // Counted once per page view, after the response; images and downloads are not views.
  after(() => recordShareView(share.id).catch((error: unknown) => console.error("[share] could not count a view", error)));
  const src = await shareImageUrl(share.photo.largeKey);
  const { photo } = share;

  return (
    <article>
      <PhotoFrame src={src} alt={photo.displayName} width={photo.width} height={photo.height} thumbhash={photo.thumbhash} maxHeight="100dvh - 13rem">
        <div className="mt-3 flex flex-wrap items-center justify-between gap-3">
          <h1 className="min-w-0 text-lg font-semibold break-words">{photo.displayName}</h1>
          {share.allowDownload ? (
            // A plain link: each click mints a fresh, short-lived download URL after the same checks.
            <a href={`/s/${token}/download`} className={buttonClasses("primary")}>
              Download original
            </a>
          ) : null}
        </div>
      </PhotoFrame>
    </article>
  );
}

function TooManyRequests({ message }: { message: string }) {
  return (
    <div role="alert" className="mx-auto mt-10 max-w-md rounded-xl border border-amber-200 bg-amber-50 p-6 text-center dark:border-amber-900/60 dark:bg-amber-950/40">
      <h1 className="text-lg font-semibold">Slow down a little</h1>
      <p className="mt-2 text-sm text-zinc-700 dark:text-zinc-300">{message}</p>
    </div>
  );
}
