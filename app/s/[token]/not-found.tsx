import type { Metadata } from "next";

export const metadata: Metadata = { title: "Link not found", robots: { index: false, follow: false } };

/** Unknown, revoked and expired links all land here, so a visitor cannot tell which it was. */
export default function ShareNotFound() {
  return (
    <div className="mx-auto mt-10 max-w-md rounded-xl border border-zinc-200 bg-white p-6 text-center dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="text-lg font-semibold">This link doesn&apos;t exist or has expired</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">Ask the person who shared it with you for a new link.</p>
    </div>
  );
}
