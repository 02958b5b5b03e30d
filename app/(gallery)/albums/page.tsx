import type { Metadata } from "next";
import { AlbumCards } from "@/components/albums/album-cards";
import { NewAlbumForm } from "@/components/albums/new-album-form";
import { requireUserOrRedirect } from "@/lib/auth/session";
import { listAlbums } from "@/lib/albums/queries";

export const metadata: Metadata = { title: "Albums" };

export default async function AlbumsPage() {
  const user = await requireUserOrRedirect("/albums");
  const albums = await listAlbums(user.id);
  return (
    <section aria-labelledby="albums-heading" className="space-y-6">
      <h1 id="albums-heading" className="text-2xl font-semibold">
        Albums
      </h1>
      <details open={albums.length === 0} className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
        <summary className="cursor-pointer text-sm font-medium">New album</summary>
        <div className="mt-3">
          <NewAlbumForm />
        </div>
      </details>
      {albums.length > 0 ? (
        <AlbumCards albums={albums} />
      ) : (
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          No albums yet. Create one here, or select photos in your library and choose “Add to album”.
        </p>
      )}
    </section>
  );
}
