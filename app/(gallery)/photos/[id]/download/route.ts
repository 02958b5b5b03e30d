import type { NextRequest } from "next/server";
import { getSessionUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { downloadNameFor } from "@/lib/photos/display-name";
import { getPhotoOrThrow } from "@/lib/photos/queries";
import { getStorage } from "@/lib/storage";

export const dynamic = "force-dynamic";

/** Long enough to start a slow download; the link is minted per click, after the ownership check. */
const DOWNLOAD_URL_TTL_SECONDS = 300;

/** The owner's original file, saved under its display name: a 302 to a short-lived presigned GET. */
export async function GET(_request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const user = await getSessionUser();
  if (!user) return new Response("Please sign in.", { status: 401, headers: { "Cache-Control": "no-store" } });
  const { id } = await params;
  try {
    const photo = await getPhotoOrThrow(user.id, id);
    if (photo.status !== "READY") return new Response("This photo is not ready yet.", { status: 409, headers: { "Cache-Control": "no-store" } });
    const url = await getStorage().presignGet(photo.originalKey, { expiresInSeconds: DOWNLOAD_URL_TTL_SECONDS, downloadName: downloadNameFor(photo.displayName, photo.contentType) });
    return new Response(null, { status: 302, headers: { Location: url, "Cache-Control": "private, no-store", "Referrer-Policy": "no-referrer" } });
  } catch (error) {
    if (isAppError(error) && error.code === "not_found") return new Response("Photo not found.", { status: 404, headers: { "Cache-Control": "no-store" } });
    throw error;
  }
}
