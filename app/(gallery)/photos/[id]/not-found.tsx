import Link from "next/link";
import { buttonClasses } from "@/components/ui/button";

export default function PhotoNotFound() {
  return (
    <div className="mx-auto max-w-md rounded-xl border border-zinc-200 bg-white p-6 text-center dark:border-zinc-800 dark:bg-zinc-900">
      <h1 className="text-lg font-semibold">Photo not found</h1>
      <p className="mt-2 text-sm text-zinc-600 dark:text-zinc-400">It may have been deleted, or the address is wrong.</p>
      <Link href="/" className={buttonClasses("primary", "mt-4")}>
        Back to your photos
      </Link>
    </div>
  );
}
