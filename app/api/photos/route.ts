import type { NextRequest } from "next/server";
import { getSessionUser } from "@/lib/auth/session";
import { isAppError } from "@/lib/errors";
import { listPhotoPage } from "@/lib/photos/queries";

export const dynamic = "force-dynamic";

/** The gallery's next page (infinite scroll), by keyset cursor. */
export async function GET(request: NextRequest) {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: "Please sign in." }, { status: 401 });
  try {
    const page = await listPhotoPage(user.id, { cursor: request.nextUrl.searchParams.get("cursor") ?? undefined });
    return Response.json(page, { headers: { "Cache-Control": "private, no-store" } });
  } catch (error) {
    if (isAppError(error)) return Response.json({ error: error.message }, { status: 422 });
    throw error;
  }
}
