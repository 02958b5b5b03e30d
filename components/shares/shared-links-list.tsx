"use client";

import Link from "next/link";
import { useState, useTransition } from "react";
import { revokeShareLinkAction } from "@/app/(gallery)/photos/[id]/actions";
import { thumbHashToDataURL } from "@/lib/images/thumbhash";
import type { OwnerShareLink } from "@/lib/shares/queries";
import { ShareLinkItem } from "./share-link-item";

function placeholder(hash: string | null) {
  if (!hash) return undefined;
  try {
    return `url(${thumbHashToDataURL(hash)})`;
  } catch {
    return undefined;
  }
}

/** All of the owner's active links as cards (one column on a phone), each with Copy and Revoke. */
export function SharedLinksList({ initialLinks, appUrl }: { initialLinks: OwnerShareLink[]; appUrl: string }) {
  const [links, setLinks] = useState(initialLinks);
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const [pending, startTransition] = useTransition();

  function revoke(link: OwnerShareLink) {
    if (!window.confirm(`Revoke this link to “${link.photo.name}”? Anyone who has it will no longer see the photo.`)) return;
    setError("");
    startTransition(async () => {
      const result = await revokeShareLinkAction({ shareId: link.id });
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setLinks((current) => current.filter((l) => l.id !== link.id));
      setStatus(`Link to ${link.photo.name} revoked.`);
    });
  }

  return (
    <>
      <p role="alert" className="mt-4 text-sm text-red-600 empty:hidden dark:text-red-400">
        {error}
      </p>
      <p aria-live="polite" className="sr-only">
        {status}
      </p>
      {links.length === 0 ? (
        <div className="mt-6 rounded-xl border-2 border-dashed border-zinc-300 px-6 py-12 text-center dark:border-zinc-700">
          <p className="font-medium">No active links</p>
          <p className="mt-1 text-sm text-zinc-600 dark:text-zinc-400">Open a photo and use “Create link” to share it.</p>
        </div>
      ) : (
        <ul className="mt-6 grid gap-3 sm:grid-cols-2">
          {links.map((link) => (
            <li key={link.id} className="flex gap-3 rounded-xl border border-zinc-200 bg-white p-3 dark:border-zinc-800 dark:bg-zinc-900">
              <Link
                href={`/photos/${link.photo.id}`}
                className="block size-20 shrink-0 overflow-hidden rounded-lg bg-zinc-200 bg-cover dark:bg-zinc-800"
                style={{ backgroundImage: placeholder(link.photo.thumbhash) }}
              >
                {/* eslint-disable-next-line @next/next/no-img-element -- bytes come straight from storage, not through Next's optimizer */}
                <img src={link.photo.thumbUrl} alt={link.photo.name} width={link.photo.width} height={link.photo.height} loading="lazy" decoding="async" className="size-full object-cover" />
              </Link>
              <div className="min-w-0 flex-1">
                <p className="truncate text-sm font-medium" title={link.photo.name}>
                  {link.photo.name}
                </p>
                <ShareLinkItem link={link} appUrl={appUrl} onRevoke={() => revoke(link)} revoking={pending} addressColor="text-zinc-500" />
              </div>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
