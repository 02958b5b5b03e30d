import "server-only";
import { randomUUID } from "node:crypto";
import { db, Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { getPhotoOrThrow } from "@/lib/photos/queries";
import { expiryDate, type ShareExpiry } from "./expiry";
import { hashSharePassword } from "./password";
import { toShareLinkView, type ShareLinkView } from "./queries";
import { sealShareToken } from "./token-copy";
import { createShareToken, hashShareToken } from "./tokens";

/** A new link to one of the owner's READY photos; the token is stored only hashed (and sealed for the owner's copy). */
export async function createShareLink(
  ownerId: string,
  photoId: string,
  options: { expiresIn: ShareExpiry; password?: string; allowDownload: boolean },
): Promise<ShareLinkView & { token: string }> {
  const photo = await getPhotoOrThrow(ownerId, photoId);
  if (photo.status !== "READY") throw new AppError("conflict", "This photo is still being processed. Share it once it shows in your gallery.");
  return insertShareLink(ownerId, { photoId: photo.id }, options, "Photo not found.");
}

/**
 * The one insert behind photo and album links: a fresh token, stored only hashed (and sealed for
 * the owner's copy). `notFound` is the answer when the target was deleted between the caller's
 * ownership check and this insert.
 */
export async function insertShareLink(
  ownerId: string,
  target: { photoId: string } | { albumId: string },
  options: { expiresIn: ShareExpiry; password?: string; allowDownload: boolean; hideDetails?: boolean },
  notFound: string,
): Promise<ShareLinkView & { token: string }> {
  const passwordHash = options.password ? await hashSharePassword(options.password) : null;
  const token = createShareToken();
  try {
    const link = await db.shareLink.create({
      data: {
        id: randomUUID(),
        tokenHash: hashShareToken(token),
        tokenSealed: sealShareToken(token),
        ...target,
        ownerId,
        expiresAt: expiryDate(options.expiresIn),
        passwordHash,
        allowDownload: options.allowDownload,
        hideDetails: options.hideDetails ?? false,
      },
    });
    return { ...toShareLinkView(link), token };
  } catch (error) {
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") throw new AppError("not_found", notFound, { cause: error });
    throw error;
  }
}

/** Revokes one of the owner's links. Revoking twice is fine; someone else's link is "not found". */
export async function revokeShareLink(ownerId: string, shareId: string): Promise<{ id: string; photoId: string | null }> {
  const link = await db.shareLink.findFirst({ where: { id: shareId, ownerId }, select: { id: true, photoId: true } });
  if (!link) throw new AppError("not_found", "Share link not found.");
  await db.shareLink.updateMany({ where: { id: shareId, ownerId, revokedAt: null }, data: { revokedAt: new Date() } });
  return link;
}

/** Revokes every link to one of the owner's photos; returns how many were still open. */
export async function revokeAllShareLinks(ownerId: string, photoId: string): Promise<{ revoked: number }> {
  await getPhotoOrThrow(ownerId, photoId);
  const { count } = await db.shareLink.updateMany({ where: { ownerId, photoId, revokedAt: null }, data: { revokedAt: new Date() } });
  return { revoked: count };
}

/**
 * Counts one view of a shared page. A single UPDATE … SET viewCount = viewCount + 1,
 * so concurrent views on several app instances are all counted.
 */
export async function recordShareView(shareId: string): Promise<void> {
  await db.shareLink.updateMany({
    where: { id: shareId, revokedAt: null },
    data: { viewCount: { increment: 1 }, lastViewedAt: new Date() },
  });
}
