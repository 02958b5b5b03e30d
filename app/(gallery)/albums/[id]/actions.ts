"use server";

import { authedAction } from "@/lib/actions/result";
import { signAlbumDownloadBatch } from "@/lib/albums/download";
import { getAlbumOrThrow } from "@/lib/albums/queries";
import { signAlbumDownloadSchema } from "@/lib/albums/schemas";
import { createAlbumShareLink, revokeAllAlbumShareLinks } from "@/lib/shares/album-links";
import { createAlbumShareLinkSchema, revokeAllAlbumShareLinksSchema } from "@/lib/shares/schemas";

// Album ids from the browser are only used together with the caller's id; one link is revoked
// with the photo page's revokeShareLinkAction, which works on any of the caller's links.

export const createAlbumShareLinkAction = authedAction(createAlbumShareLinkSchema, ({ albumId, ...options }, user) =>
  createAlbumShareLink(user.id, albumId, options),
);

export const revokeAllAlbumShareLinksAction = authedAction(revokeAllAlbumShareLinksSchema, ({ albumId }, user) => revokeAllAlbumShareLinks(user.id, albumId));

/** The owner's "Download all": the next batch of signed storage URLs of their album. */
export const signAlbumDownloadAction = authedAction(signAlbumDownloadSchema, async ({ albumId, cursor, variant }, user) => {
  await getAlbumOrThrow(user.id, albumId);
  return signAlbumDownloadBatch(albumId, { cursor, variant, hideDetails: false });
});
