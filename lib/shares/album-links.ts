import "server-only";
import { db } from "@/lib/db";
import { getAlbumOrThrow } from "@/lib/albums/queries";
import { type ShareExpiry } from "./expiry";
import { insertShareLink } from "./mutations";
import { activeShareWhere, toShareLinkView, type ShareLinkView } from "./queries";
import { hashShareToken, isShareTokenShaped } from "./tokens";

/*
 * Album links are ShareLink rows with albumId instead of photoId: the same token (hashed and
 * sealed), expiry, password, unlock cookie, revocation, rate limits and view counts as a photo
 * link, checked by the same code. What differs is only what they open (lib/albums/shared.ts).
 */

/** A new link to one of the owner's albums. `hideDetails`: visitors see and download no file names and no capture details. */
export async function createAlbumShareLink(
  ownerId: string,
  albumId: string,
  options: { expiresIn: ShareExpiry; password?: string; allowDownload: boolean; hideDetails: boolean },
): Promise<ShareLinkView & { token: string }> {
  await getAlbumOrThrow(ownerId, albumId);
  return insertShareLink(ownerId, { albumId }, options, "Album not found.");
}

/** The album's active links, newest first. Another owner's album is "not found". */
export async function listShareLinksForAlbum(ownerId: string, albumId: string): Promise<ShareLinkView[]> {
  await getAlbumOrThrow(ownerId, albumId);
  const links = await db.shareLink.findMany({ where: { ownerId, albumId, ...activeShareWhere() }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] });
  return links.map(toShareLinkView);
}

/** Revokes every link to one of the owner's albums; returns how many were still open. */
export async function revokeAllAlbumShareLinks(ownerId: string, albumId: string): Promise<{ revoked: number }> {
  await getAlbumOrThrow(ownerId, albumId);
  const { count } = await db.shareLink.updateMany({ where: { ownerId, albumId, revokedAt: null }, data: { revokedAt: new Date() } });
  return { revoked: count };
}

export type PublicAlbumShare = {
  id: string;
  token: string;
  allowDownload: boolean;
  hasPassword: boolean;
  hideDetails: boolean;
  expiresAt: Date | null;
  album: { id: string; title: string; description: string | null; coverPhotoId: string | null };
};

/**
 * The album behind a token, for visitors. Undefined for an unknown, revoked or expired
 * link and for a photo link: the page and its routes answer all of those with the same
 * 404 as photo links do. Does not count a view.
 */
export async function getPublicAlbumShare(token: string): Promise<PublicAlbumShare | undefined> {
  if (!isShareTokenShaped(token)) return undefined;
  const link = await db.shareLink.findFirst({
    where: { tokenHash: hashShareToken(token), ...activeShareWhere(), albumId: { not: null } },
    include: { album: { select: { id: true, title: true, description: true, coverPhotoId: true } } },
  });
  if (!link?.album) return undefined;
  return {
    id: link.id,
    token,
    allowDownload: link.allowDownload,
    hasPassword: link.passwordHash !== null,
    hideDetails: link.hideDetails,
    expiresAt: link.expiresAt,
    album: link.album,
  };
}
