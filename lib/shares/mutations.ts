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
  const passwordHash = options.password ? await hashSharePassword(options.password) : null;
  const token = createShareToken();
  try {
    const link = await db.shareLink.create({
      data: {
        id: randomUUID(),
        tokenHash: hashShareToken(token),
        tokenSealed: sealShareToken(token),
        photoId: photo.id,
        ownerId,
        expiresAt: expiryDate(options.expiresIn),
        passwordHash,
        allowDownload: options.allowDownload,
      },
    });
    return { ...toShareLinkView(link), token };
  } catch (error) {
    // The photo was deleted between the check and the insert.
    if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003") {
      throw new AppError("not_found", "Photo not found.", { cause: error });
    }
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
