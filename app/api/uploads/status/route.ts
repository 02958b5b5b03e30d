import type { NextRequest } from "next/server";
import { z } from "zod";
import { getSessionUser } from "@/lib/auth/session";
import { getUploadStatuses } from "@/lib/photos/uploads";
import { toTile } from "@/lib/photos/queries";

export const dynamic = "force-dynamic";

const idsSchema = z.array(z.string().uuid()).min(1).max(200);

/**
 * The uploader polls here while photos are processed. A route handler, not a server
 * action: actions from one browser run one at a time and would queue behind uploads.
 */
export async function GET(request: NextRequest) {
  const user = await getSessionUser();
  if (!user) return Response.json({ error: "Please sign in." }, { status: 401 });
  const ids = idsSchema.safeParse(request.nextUrl.searchParams.get("ids")?.split(",") ?? []);
  if (!ids.success) return Response.json({ error: "Invalid photo ids." }, { status: 422 });

  const photos = await getUploadStatuses(user.id, ids.data);
  const statuses = await Promise.all(
    photos.map(async (photo) => ({
      id: photo.id,
      status: photo.status,
      failureReason: photo.failureReason,
      tile: photo.status === "READY" ? await toTile(photo) : null,
    })),
  );
  return Response.json({ statuses }, { headers: { "Cache-Control": "no-store" } });
}
