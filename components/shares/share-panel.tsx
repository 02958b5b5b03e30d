"use client";

import { useId, useState, useTransition } from "react";
import { createAlbumShareLinkAction, revokeAllAlbumShareLinksAction } from "@/app/(gallery)/albums/[id]/actions";
import { createShareLinkAction, revokeAllShareLinksAction, revokeShareLinkAction } from "@/app/(gallery)/photos/[id]/actions";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { SHARE_EXPIRY_KEYS, SHARE_EXPIRY_OPTIONS, shareUrl, type ShareExpiry } from "@/lib/shares/expiry";
import type { ShareLinkView } from "@/lib/shares/queries";
import { CopyButton } from "./copy-button";
import { ShareLinkItem } from "./share-link-item";

const DEFAULT_EXPIRY: ShareExpiry = "7d";

/** What a panel shares: one photo, or one album (whose links can also hide file names and capture details). */
export type ShareTarget = { photoId: string } | { albumId: string };

/**
 * Creates and manages the links to one photo or album. The new link's full address is
 * shown with a Copy button; every outcome is announced through a live region.
 */
export function SharePanel({ target, appUrl, initialLinks }: { target: ShareTarget; appUrl: string; initialLinks: ShareLinkView[] }) {
  const noun = "albumId" in target ? "album" : "photo";
  const [links, setLinks] = useState(initialLinks);
  const [created, setCreated] = useState<(ShareLinkView & { token: string }) | null>(null);
  const [error, setError] = useState("");
  const [status, setStatus] = useState("");
  const [pending, startTransition] = useTransition();
  const id = useId();

  function create(event: React.FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    setError("");
    startTransition(async () => {
      const options = {
        expiresIn: SHARE_EXPIRY_KEYS.find((key) => key === data.get("expiresIn")) ?? DEFAULT_EXPIRY,
        password: String(data.get("password") ?? ""),
        allowDownload: data.get("allowDownload") === "on",
      };
      const result =
        "albumId" in target
          ? await createAlbumShareLinkAction({ albumId: target.albumId, ...options, hideDetails: data.get("hideDetails") === "on" })
          : await createShareLinkAction({ photoId: target.photoId, ...options });
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setLinks((current) => [result.data, ...current]);
      setCreated(result.data);
      setStatus("Link created.");
      const password = form.elements.namedItem("password");
      if (password instanceof HTMLInputElement) password.value = "";
    });
  }

  function revoke(link: ShareLinkView) {
    if (!window.confirm(`Revoke this link? Anyone who has it will no longer see the ${noun}.`)) return;
    setError("");
    startTransition(async () => {
      const result = await revokeShareLinkAction({ shareId: link.id });
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setLinks((current) => current.filter((l) => l.id !== link.id));
      setCreated((current) => (current?.id === link.id ? null : current));
      setStatus("Link revoked.");
    });
  }

  function revokeAll() {
    if (!window.confirm(`Revoke all ${links.length} links to this ${noun}? Nobody will be able to open them again.`)) return;
    setError("");
    startTransition(async () => {
      const result = "albumId" in target ? await revokeAllAlbumShareLinksAction({ albumId: target.albumId }) : await revokeAllShareLinksAction({ photoId: target.photoId });
      if (!result.ok) {
        setError(result.error.message);
        return;
      }
      setLinks([]);
      setCreated(null);
      setStatus(`Revoked ${result.data.revoked} link${result.data.revoked === 1 ? "" : "s"}.`);
    });
  }

  const createdUrl = created ? shareUrl(appUrl, created.token) : "";

  return (
    <section aria-labelledby={`${id}-heading`} className="rounded-xl border border-zinc-200 bg-white p-4 dark:border-zinc-800 dark:bg-zinc-900">
      <h2 id={`${id}-heading`} className="text-base font-semibold">
        Share
      </h2>
      <form onSubmit={create} className="mt-3 space-y-3">
        <div className="space-y-1.5">
          <label htmlFor={`${id}-expiry`} className="block text-sm font-medium text-zinc-700 dark:text-zinc-300">
            Link expires after
          </label>
          <select
            id={`${id}-expiry`}
            name="expiresIn"
            defaultValue={DEFAULT_EXPIRY}
            className="block w-full rounded-lg border border-zinc-300 bg-white px-3 py-2 text-sm shadow-sm dark:border-zinc-700 dark:bg-zinc-900"
          >
            {SHARE_EXPIRY_KEYS.map((key) => (
              <option key={key} value={key}>
                {SHARE_EXPIRY_OPTIONS[key].label}
              </option>
            ))}
          </select>
        </div>
        <Field id={`${id}-password`} name="password" type="password" label="Password (optional)" autoComplete="new-password" maxLength={200} />
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" name="allowDownload" className="size-4 rounded border-zinc-300 accent-brand-600 dark:border-zinc-700" />
          {noun === "album" ? "Allow downloading the originals" : "Allow downloading the original"}
        </label>
        {noun === "album" ? (
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="hideDetails" className="size-4 rounded border-zinc-300 accent-brand-600 dark:border-zinc-700" />
            Hide file names and capture details
          </label>
        ) : null}
        <Button type="submit" disabled={pending} className="w-full">
          {pending ? "Working…" : "Create link"}
        </Button>
      </form>

      <p role="alert" className="mt-3 text-sm text-red-600 empty:hidden dark:text-red-400">
        {error}
      </p>
      <p aria-live="polite" className="sr-only">
        {status}
      </p>

      {created ? (
        <div className="mt-4 rounded-lg bg-brand-50 p-3 dark:bg-brand-600/15">
          <label htmlFor={`${id}-url`} className="block text-sm font-medium">
            Link to share
          </label>
          <div className="mt-1.5 flex gap-2">
            <input
              id={`${id}-url`}
              readOnly
              value={createdUrl}
              onFocus={(event) => event.currentTarget.select()}
              className="block min-w-0 flex-1 rounded-lg border border-zinc-300 bg-white px-3 py-2 font-mono text-xs dark:border-zinc-700 dark:bg-zinc-900"
            />
            <CopyButton text={createdUrl} className="shrink-0" />
          </div>
          <p className="mt-1.5 text-xs text-zinc-600 dark:text-zinc-400">
            Anyone with this link{created.hasPassword ? " and the password" : ""} can see the {noun}
            {created.expiresAt ? " until it expires" : ""}.
          </p>
        </div>
      ) : null}

      <div className="mt-5 flex items-center justify-between gap-2">
        <h3 className="text-sm font-semibold">
          Active links <span className="font-normal text-zinc-500">({links.length})</span>
        </h3>
        {links.length > 0 ? (
          <Button variant="dangerGhost" size="xs" onClick={revokeAll} disabled={pending}>
            Revoke all
          </Button>
        ) : null}
      </div>
      {links.length === 0 ? (
        <p className="mt-2 text-sm text-zinc-500 dark:text-zinc-400">No one can see this {noun} yet.</p>
      ) : (
        <ul className="mt-2 divide-y divide-zinc-100 dark:divide-zinc-800">
          {links.map((link) => (
            <li key={link.id} className="py-3">
              <ShareLinkItem link={link} appUrl={appUrl} onRevoke={() => revoke(link)} revoking={pending} addressColor="text-zinc-600" />
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
