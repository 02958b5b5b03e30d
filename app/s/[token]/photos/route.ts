import type { NextRequest } from "next/server";
import { isAppError } from "@/lib/errors";
import { readSharedAlbumPage } from "@/lib/albums/shared";
import { getPublicAlbumShare } from "@/lib/shares/album-links";
import { authorizeShareRequest, SHARE_RESPONSE_HEADERS } from "@/lib/shares/route-access";

export const dynamic = "force-dynamic";

/** A shared album's next page, for the visitor's infinite scroll: the same checks as the page (live link, password cookie). */
export async function GET(request: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const result = await authorizeShareRequest(request, (await params).token, getPublicAlbumShare);
  if ("response" in result) return result.response;
  try {
    const page = await readSharedAlbumPage(result.share, request.nextUrl.searchParams.get("cursor") ?? undefined);
    return Response.json(page, { headers: { ...SHARE_RESPONSE_HEADERS, "Cache-Control": "private, no-store" } });
  } catch (error) {
    if (isAppError(error)) return Response.json({ error: error.message }, { status: 422, headers: SHARE_RESPONSE_HEADERS });
    throw error;
  }
}
