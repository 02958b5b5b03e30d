import type { NextRequest } from "next/server";
import { getSessionUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { listAlbumPhotoPage } from "@/lib/albums/queries";

export const dynamic = "force-dynamic";

/** An album's next page (infinite scroll), by keyset cursor; another person's album answers 404. */
export async function GET(request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: "Please sign in." }, { status: 401 });
  const { id } = await params;
  try {
    const page = await listAlbumPhotoPage(user.id, id, { cursor: request.nextUrl.searchParams.get("cursor") ?? undefined });
    return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
  } catch (error) {
    if (isAppError(error)) return Response.json({ error: error.message }, { status: error.code === "not_found" ? 404 : 422 });
    throw error;
  }
}
