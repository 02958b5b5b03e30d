import type { NextRequest } from "next/server";
import { getAlbumCover } from "@/lib/albums/queries";
import { getPublicAlbumShare } from "@/lib/shares/album-links";
import { shareImageUrl } from "@/lib/shares/image-urls";
import { authorizeShareRequest, redirectToStorage, SHARE_RESPONSE_HEADERS } from "@/lib/shares/route-access";

export const dynamic = "force-dynamic";

/**
 * The og:image of an album link: its cover, found again on every request (a cover removed
 * or trashed is replaced by the album's newest photo), redirected to a freshly signed URL of
 * the large variant. Absolute and never expiring, like the photo link's …/image.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const result = await authorizeShareRequest(request, (await params).token, getPublicAlbumShare);
  if ("response" in result) return result.response;
  const { share } = result;
  const cover = await getAlbumCover(share.album);
  if (!cover) return new Response("This album has no photos yet.", { status: 404, headers: { ...SHARE_RESPONSE_HEADERS, "Cache-Control": "no-store" } });
  const url = await shareImageUrl(cover.largeKey ?? cover.originalKey);
  return redirectToStorage(url, share.hasPassword ? "private, no-store" : "private, max-age=60");
}
