import type { NextRequest } from "next/server";
import { downloadNameFor } from "@/lib/photos/display-name";
import { getStorage } from "@/lib/storage";
import { authorizeShareRequest, redirectToStorage, SHARE_RESPONSE_HEADERS } from "@/lib/shares/route-access";

export const dynamic = "force-dynamic";

const DOWNLOAD_URL_TTL_SECONDS = 300;

/** The original file of a share that allows downloads, saved under the photo's name. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const result = await authorizeShareRequest(request, (await params).token);
  if ("response" in result) return result.response;
  const { share } = result;
  if (!share.allowDownload) {
    return new Response("Downloads are not allowed for this link.", { status: 403, headers: { ...SHARE_RESPONSE_HEADERS, "Cache-Control": "no-store" } });
  }
  const url = await getStorage().presignGet(share.photo.originalKey, {
    expiresInSeconds: DOWNLOAD_URL_TTL_SECONDS,
    downloadName: downloadNameFor(share.photo.displayName, share.photo.contentType),
  });
  return redirectToStorage(url, "private, no-store");
}
