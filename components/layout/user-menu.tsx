"use client";

import Link from "next/link";
import { useFormStatus } from "react-dom";
import { signOutAction } from "@/app/(auth)/actions";

/** A <details> menu: it opens without JavaScript, and signing out is a plain form post to a server action. */
export function UserMenu({ name, email }: { name: string; email: string }) {
  const initial = (name.trim()[0] ?? email[0] ?? "?").toUpperCase();
  return (
    // A fixed-size box: a slow browser may paint the page while it has parsed <details> but not yet
    // <summary>, showing its own "Details" label for a frame, and the header must not move when ours arrives.
    <details className="group relative h-9 w-9 shrink-0 sm:w-48">
      <summary
        aria-label="Account menu"
        className="flex h-9 w-full cursor-pointer list-none items-center justify-end gap-2 rounded-full p-0.5 hover:bg-zinc-200/70 sm:pr-2 dark:hover:bg-zinc-800 [&::-webkit-details-marker]:hidden"
      >
        <span aria-hidden="true" className="flex size-8 items-center justify-center rounded-full bg-brand-600 text-sm font-semibold text-white">
          {initial}
        </span>
        <span className="hidden max-w-36 truncate text-sm sm:inline">{name}</span>
      </summary>
      <div className="absolute right-0 z-30 mt-2 w-56 rounded-xl border border-zinc-200 bg-white p-2 shadow-lg dark:border-zinc-800 dark:bg-zinc-900">
        <p className="truncate px-2 py-1.5 text-xs text-zinc-500 dark:text-zinc-400">{email}</p>
        <Link
          href="/trash"
          // A client-side navigation keeps the layout, and with it this <details>, open: close it.
          onClick={(event) => event.currentTarget.closest("details")?.removeAttribute("open")}
          className="block rounded-lg px-2 py-1.5 text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800"
        >
          Trash
        </Link>
        <form action={signOutAction}>
          <SignOutButton />
        </form>
      </div>
    </details>
  );
}

function SignOutButton() {
  const { pending } = useFormStatus();
  return (
    <button
      type="submit"
      disabled={pending}
      className="w-full rounded-lg px-2 py-1.5 text-left text-sm hover:bg-zinc-100 dark:hover:bg-zinc-800"
    >
      {pending ? "Signing out…" : "Sign out"}
    </button>
  );
}
