"use server";

import { cookies, headers } from "next/headers";
import { toActionError, type ActionResult } from "@/lib/actions/result";
import { signAlbumDownloadBatch, type DownloadEntry } from "@/lib/albums/download";
import { signSharedAlbumDownloadSchema } from "@/lib/albums/schemas";
import { AppError } from "@/lib/errors";
import { consumeOrThrow } from "@/lib/rate-limit";
import { readClientIp } from "@/lib/security/client-ip";
import { getPublicAlbumShare } from "@/lib/shares/album-links";
import { isShareUnlocked, SHARE_UNLOCK_COOKIE } from "@/lib/shares/unlock";

/**
 * A visitor's "Download all" on an album link: the next batch of signed storage URLs. Every
 * batch runs the page's checks again (view rate limit, live link, password cookie) and the
 * link must allow downloads; any failure is the same "not found" as the page's 404.
 */
export async function signSharedAlbumDownloadAction(input: unknown): Promise<ActionResult<{ entries: DownloadEntry[]; nextCursor: string | null }>> {
  try {
    const parsed = signSharedAlbumDownloadSchema.safeParse(input);
    if (!parsed.success) throw new AppError("invalid_input", parsed.error.issues[0]?.message ?? "Invalid input.");
    const { token, cursor, variant } = parsed.data;
    await consumeOrThrow("shareView", readClientIp(await headers()));
    const share = await getPublicAlbumShare(token);
    if (!share || !share.allowDownload || !isShareUnlocked(share, (await cookies()).get(SHARE_UNLOCK_COOKIE)?.value)) {
      throw new AppError("not_found", "This link doesn't exist or has expired.");
    }
    return { ok: true, data: await signAlbumDownloadBatch(share.album.id, { cursor, variant, hideDetails: share.hideDetails }) };
  } catch (error) {
    return toActionError(error);
  }
}
