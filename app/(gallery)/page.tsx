import type { Metadata } from "next";
import { requireUserOrRedirect } from "@/lib/auth/session";

export const metadata: Metadata = { title: "Photos" };

export default async function GalleryPage() {
  await requireUserOrRedirect("/");
  return (
    <section aria-labelledby="gallery-heading">
      <h1 id="gallery-heading" className="text-2xl font-semibold">
        Your photos
      </h1>
      <div className="mt-10 flex flex-col items-center rounded-2xl border-2 border-dashed border-zinc-300 px-6 py-16 text-center dark:border-zinc-700">
        <p className="text-lg font-medium">Your shelf is empty</p>
        <p className="mt-2 max-w-md text-sm text-zinc-600 dark:text-zinc-400">
          Drop photos anywhere on this page to upload your first ones.
        </p>
      </div>
    </section>
  );
}
