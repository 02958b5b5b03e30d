import "server-only";
import { db, type Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { ShareLink } from "@/lib/generated/prisma/client";
import { imageUrl, livePhoto } from "@/lib/photos/queries";
import { verifySharePassword } from "./password";
import { openShareToken } from "./token-copy";
import { hashShareToken, isShareTokenShaped } from "./tokens";

/** What the owner's pages see of a link; dates as ISO strings so it can cross into client components. */
export type ShareLinkView = {
  id: string;
  /** The link's token, for the owner to copy; null when no copy opens (made before tokens were hashed, or the secret changed). */
  token: string | null;
  /** What the link shares: exactly one of the two is set. */
  photoId: string | null;
  albumId: string | null;
  /** Album links: visitors see no file names and no capture details. */
  hideDetails: boolean;
  createdAt: string;
  expiresAt: string | null;
  hasPassword: boolean;
  allowDownload: boolean;
  viewCount: number;
  lastViewedAt: string | null;
};

export function toShareLinkView(link: ShareLink): ShareLinkView {
  return {
    id: link.id,
    token: openShareToken(link.tokenSealed),
    photoId: link.photoId,
    albumId: link.albumId,
    hideDetails: link.hideDetails,
    createdAt: link.createdAt.toISOString(),
    expiresAt: link.expiresAt?.toISOString() ?? null,
    hasPassword: link.passwordHash !== null,
    allowDownload: link.allowDownload,
    viewCount: link.viewCount,
    lastViewedAt: link.lastViewedAt?.toISOString() ?? null,
  };
}

/** A link that still opens: not revoked and not past its expiry. */
export function activeShareWhere(now = new Date()) {
  return { revokedAt: null, OR: [{ expiresAt: null }, { expiresAt: { gt: now } }] } satisfies Prisma.ShareLinkWhereInput;
}

/** The photo's active links, newest first. Another owner's photo is "not found", like a missing one. */
export async function listShareLinksForPhoto(ownerId: string, photoId: string): Promise<ShareLinkView[]> {
  const photo = await db.photo.findFirst({
    where: { id: photoId, ownerId, ...livePhoto },
    select: { shareLinks: { where: { ownerId, ...activeShareWhere() }, orderBy: [{ createdAt: "desc" }, { id: "desc" }] } },
  });
  if (!photo) throw new AppError("not_found", "Photo not found.");
  return photo.shareLinks.map(toShareLinkView);
}

export type OwnerShareLink = ShareLinkView & {
  photo: { id: string; name: string; thumbUrl: string; thumbhash: string | null; width: number; height: number };
};

export const SHARE_LIST_LIMIT = 500;

/** Every active link of the owner, newest first, with what is needed to show its photo's thumbnail. */
export async function listActiveShareLinks(ownerId: string): Promise<OwnerShareLink[]> {
  const links = await db.shareLink.findMany({
    where: { ownerId, ...activeShareWhere(), photo: { ownerId, status: "READY", ...livePhoto } },
    include: { photo: { select: { id: true, displayName: true, thumbKey: true, originalKey: true, thumbhash: true, width: true, height: true } } },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    take: SHARE_LIST_LIMIT,
  });
  // The `photo` filter above leaves only photo links (album links are listed on their album's page).
  const photoLinks = links.flatMap(({ photo, ...link }) => (photo ? [{ photo, link }] : []));
  return Promise.all(
    photoLinks.map(async ({ photo, link }) => ({
      ...toShareLinkView(link),
      photo: {
        id: photo.id,
        name: photo.displayName,
        thumbUrl: await imageUrl(photo.thumbKey ?? photo.originalKey),
        thumbhash: photo.thumbhash,
        width: photo.width ?? 1,
        height: photo.height ?? 1,
      },
    })),
  );
}

export type PublicShare = {
  id: string;
  token: string;
  allowDownload: boolean;
  hasPassword: boolean;
  expiresAt: Date | null;
  photo: { id: string; displayName: string; contentType: string; width: number; height: number; thumbhash: string | null; largeKey: string; originalKey: string };
};

/**
 * The shared photo behind a token, for visitors who are not signed in. Undefined
 * for an unknown, revoked or expired link and for a photo that is not READY or is
 * in Trash: the page and the image and download routes turn every one of those
 * into the same 404. Does not count a view.
 */
export async function getPublicShare(token: string): Promise<PublicShare | undefined> {
  if (!isShareTokenShaped(token)) return undefined;
  const link = await db.shareLink.findFirst({
    where: { tokenHash: hashShareToken(token), ...activeShareWhere(), photo: { status: "READY", ...livePhoto } },
    include: { photo: true },
  });
  if (!link?.photo?.largeKey) return undefined;
  const { photo } = link;
  return {
    id: link.id,
    token,
    allowDownload: link.allowDownload,
    hasPassword: link.passwordHash !== null,
    expiresAt: link.expiresAt,
    photo: {
      id: photo.id,
      displayName: photo.displayName,
      contentType: photo.contentType,
      width: photo.width ?? 1,
      height: photo.height ?? 1,
      thumbhash: photo.thumbhash,
      largeKey: photo.largeKey!,
      originalKey: photo.originalKey,
    },
  };
}

/**
 * Checks a visitor's password for a link. Returns the link's expiry when it is
 * right, undefined otherwise. `beforeVerify` runs (and may throw, e.g. a limit keyed
 * by the link) only for a live link with a password, just before its scrypt check.
 * An unknown link or one without a password runs no scrypt, but answers about as
 * late as a wrong guess (see verifySharePassword).
 */
export async function checkSharePassword(
  token: string,
  password: string,
  beforeVerify?: (linkId: string) => Promise<void>,
): Promise<{ expiresAt: Date | null } | undefined> {
  const link = isShareTokenShaped(token)
    ? await db.shareLink.findFirst({
        // A photo link opens while its photo is live; an album link while the album exists (even empty).
        where: {
          tokenHash: hashShareToken(token),
          AND: [activeShareWhere(), { OR: [{ photo: { status: "READY", ...livePhoto } }, { albumId: { not: null } }] }],
        },
        select: { id: true, passwordHash: true, expiresAt: true },
      })
    : null;
  if (link?.passwordHash) await beforeVerify?.(link.id);
  const ok = await verifySharePassword(link?.passwordHash, password);
  return ok && link ? { expiresAt: link.expiresAt } : undefined;
}
