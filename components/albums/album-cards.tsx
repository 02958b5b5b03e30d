import Link from "next/link";
import type { AlbumSummary } from "@/lib/albums/queries";

const MONTH = new Intl.DateTimeFormat("en", { month: "short", year: "numeric", timeZone: "UTC" });

/** "Jun 2024", or "Jun – Aug 2024", or "Dec 2023 – Jan 2024"; nothing for an empty album. */
export function formatAlbumDates(firstAt: string | null, lastAt: string | null): string {
  if (!firstAt || !lastAt) return "";
  const [first, last] = [MONTH.format(new Date(firstAt)), MONTH.format(new Date(lastAt))];
  if (first === last) return first;
  const [firstMonth, firstYear] = first.split(" ");
  return firstYear === last.split(" ")[1] ? `${firstMonth} – ${last}` : `${first} – ${last}`;
}

export function photoCount(n: number) {
  return `${n.toLocaleString("en")} photo${n === 1 ? "" : "s"}`;
}

/** The albums page: one square cover per album, with its title, photo count and date range. */
export function AlbumCards({ albums }: { albums: AlbumSummary[] }) {
  return (
    <ul className="grid grid-cols-2 gap-x-4 gap-y-6 sm:grid-cols-3 lg:grid-cols-4 xl:grid-cols-5">
      {albums.map((album) => (
        <li key={album.id}>
          <Link href={`/albums/${album.id}`} className="group block rounded-xl focus-visible:outline-2 focus-visible:outline-offset-4">
            <div className="aspect-square overflow-hidden rounded-xl bg-zinc-200 dark:bg-zinc-800">
              {album.cover ? (
                // eslint-disable-next-line @next/next/no-img-element -- bytes come straight from storage, not through Next's optimizer
                <img
                  src={album.cover.thumbUrl}
                  alt=""
                  width={album.cover.width}
                  height={album.cover.height}
                  loading="lazy"
                  decoding="async"
                  className="size-full object-cover transition-transform duration-300 group-hover:scale-[1.03]"
                />
              ) : (
                <div className="flex size-full items-center justify-center text-sm text-zinc-500 dark:text-zinc-400">No photos yet</div>
              )}
            </div>
            <h2 className="mt-2 truncate font-medium">{album.title}</h2>
            <p className="truncate text-sm text-zinc-600 dark:text-zinc-400">
              {photoCount(album.photoCount)}
              {album.firstAt ? <> · {formatAlbumDates(album.firstAt, album.lastAt)}</> : null}
            </p>
          </Link>
        </li>
      ))}
    </ul>
  );
}
