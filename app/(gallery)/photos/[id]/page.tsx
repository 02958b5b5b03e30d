import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { cache } from "react";
import { AddToAlbum } from "@/components/albums/add-to-album";
import { DeletePhotoButton } from "@/components/photos/delete-photo-button";
import { PhotoFrame } from "@/components/photos/photo-frame";
import { PhotoNavigator } from "@/components/photos/photo-navigator";
import { SharePanel } from "@/components/shares/share-panel";
import { buttonClasses } from "@/components/ui/button";
import { LocalTime } from "@/components/ui/local-time";
import { getAlbumNeighbours, listAlbumsOfPhoto } from "@/lib/albums/queries";
import { requireUserOrRedirect } from "@/lib/auth/session";
import { env } from "@/lib/env";
import { isAppError } from "@/lib/errors";
import { ALLOWED_IMAGE_TYPES, isAllowedType } from "@/lib/images/formats";
import { getNeighbours, getPhotoOrThrow, imageUrl } from "@/lib/photos/queries";
import { listShareLinksForPhoto } from "@/lib/shares/queries";
import { formatBytes } from "@/lib/utils";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<{ album?: string | string[] }> };

/** One lookup per request, shared by the metadata and the page. Someone else's photo is the same 404 as a missing one. */
const loadPhoto = cache(async (id: string) => {
  const user = await requireUserOrRedirect(`/photos/${encodeURIComponent(id)}`);
  try {
    return { user, photo: await getPhotoOrThrow(user.id, id) };
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") notFound();
    throw error;
  }
});

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const { photo } = await loadPhoto((await params).id);
  return { title: photo.displayName };
}

export default async function PhotoPage({ params, searchParams }: Props) {
  const { user, photo } = await loadPhoto((await params).id);
  const albumParam = (await searchParams).album;
  if (photo.status !== "READY" || !photo.largeKey) return <PhotoNotReady id={photo.id} name={photo.displayName} reason={photo.failureReason} />;

  const [src, links, albums] = await Promise.all([imageUrl(photo.largeKey), listShareLinksForPhoto(user.id, photo.id), listAlbumsOfPhoto(user.id, photo.id)]);
  // ?album=<id>: step through that album (one of the owner's that holds the photo), else the whole library.
  const album = typeof albumParam === "string" ? albums.find((a) => a.id === albumParam) : undefined;
  const neighbours = (album && (await getAlbumNeighbours(album.id, photo.id))) || (await getNeighbours(user.id, photo));
  const query = album ? `?album=${album.id}` : "";
  const backHref = album ? `/albums/${album.id}` : "/";
  const previousHref = neighbours.previous ? `/photos/${neighbours.previous.id}${query}` : null;
  const nextHref = neighbours.next ? `/photos/${neighbours.next.id}${query}` : null;
  const type = isAllowedType(photo.contentType) ? ALLOWED_IMAGE_TYPES[photo.contentType].label : photo.contentType;

  const details: [string, React.ReactNode][] = [
    ["Taken", photo.takenAt ? <LocalTime key="taken" iso={photo.takenAt.toISOString()} wallClock /> : "Unknown"],
    ["Camera", photo.camera ?? "Unknown"],
    ["Dimensions", photo.width && photo.height ? `${photo.width} × ${photo.height} px` : "Unknown"],
    ["File size", `${formatBytes(Number(photo.sizeBytes))} · ${type}`],
    ["Uploaded", <LocalTime key="uploaded" iso={photo.createdAt.toISOString()} />],
  ];

  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_21rem]">
      <div className="min-w-0">
        <div className="mb-3 flex items-center justify-between gap-3">
          <Link href={backHref} className={buttonClasses("ghost", "min-w-0", "sm")}>
            <span aria-hidden="true">←</span> <span className="truncate">{album ? album.title : "All photos"}</span>
          </Link>
          <nav aria-label="Neighbouring photos" className="flex gap-2">
            <NeighbourLink href={previousHref} rel="prev" label="Previous" name={neighbours.previous?.name} />
            <NeighbourLink href={nextHref} rel="next" label="Next" name={neighbours.next?.name} />
          </nav>
        </div>
        <PhotoNavigator previousHref={previousHref} nextHref={nextHref} backHref={backHref}>
          <PhotoFrame src={src} alt={photo.displayName} width={photo.width ?? 1} height={photo.height ?? 1} thumbhash={photo.thumbhash} maxHeight="100dvh - 11rem" />
        </PhotoNavigator>
        <p className="mt-2 hidden text-center text-xs text-zinc-500 sm:block dark:text-zinc-400">
          <kbd>←</kbd> <kbd>→</kbd> to move between photos · <kbd>Esc</kbd> back to {album ? "the album" : "the gallery"}
        </p>
      </div>

      <aside className="space-y-4">
        <div className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
          <h1 className="text-lg font-semibold break-words">{photo.displayName}</h1>
          <dl className="mt-3 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1.5 text-sm">
            {details.map(([term, value]) => (
              <div key={term} className="contents">
                <dt className="text-zinc-500 dark:text-zinc-400">{term}</dt>
                <dd className="min-w-0 break-words">{value}</dd>
              </div>
            ))}
          </dl>
          <div className="mt-4 grid gap-2">
            {/* A plain link, not <Link>: it must not be prefetched, each click mints a fresh download URL. */}
            <a href={`/photos/${photo.id}/download`} className={buttonClasses("secondary", "w-full")}>
              Download original
            </a>
            <DeletePhotoButton photoId={photo.id} name={photo.displayName} retentionDays={env.TRASH_RETENTION_DAYS} />
          </div>
        </div>
        <div className="space-y-3 rounded-xl border border-zinc-200 bg-white p-4 text-sm dark:border-zinc-800 dark:bg-zinc-900">
          <h2 className="font-semibold">Albums</h2>
          {albums.length > 0 ? (
            <ul className="flex flex-wrap gap-2">
              {albums.map((a) => (
                <li key={a.id}>
                  <Link href={`/albums/${a.id}`} className="inline-block rounded-full bg-zinc-100 px-3 py-1 hover:bg-zinc-200 dark:bg-zinc-800 dark:hover:bg-zinc-700">
                    {a.title}
                  </Link>
                </li>
              ))}
            </ul>
          ) : (
            <p className="text-zinc-600 dark:text-zinc-400">Not in any album.</p>
          )}
          <AddToAlbum photoIds={[photo.id]} size="sm" />
        </div>
        <SharePanel target={{ photoId: photo.id }} appUrl={env.APP_URL} initialLinks={links} />
      </aside>
    </div>
  );
}

function NeighbourLink({ href, rel, label, name }: { href: string | null; rel: "prev" | "next"; label: string; name?: string }) {
  const text = rel === "prev" ? <><span aria-hidden="true">←</span> {label}</> : <>{label} <span aria-hidden="true">→</span></>;
  if (!href) {
    return (
      <span aria-disabled="true" className={buttonClasses("secondary", "cursor-not-allowed opacity-40", "sm")}>
        {text}
      </span>
    );
  }
  return (
    <Link href={href} rel={rel} title={name} aria-label={`${label} photo${name ? `: ${name}` : ""}`} className={buttonClasses("secondary", undefined, "sm")}>
      {text}
    </Link>
  );
}

function PhotoNotReady({ id, name, reason }: { id: string; name: string; reason: string | null }) {
  return (
    <div className="mx-auto max-w-lg rounded-xl border border-zinc-200 bg-white p-6 dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="text-lg font-semibold break-words">{name}</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">
        {reason ?? "This photo is still being uploaded or processed. It will show here once it is ready."}
      </p>
      <div className="mt-4 flex flex-wrap gap-2">
        <Link href="/" className={buttonClasses("secondary")}>
          Back to photos
        </Link>
        <DeletePhotoButton photoId={id} name={name} retentionDays={env.TRASH_RETENTION_DAYS} />
      </div>
    </div>
  );
}
