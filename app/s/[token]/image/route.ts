import type { NextRequest } from "next/server";
import { imageUrl } from "@/lib/photos/queries";
import { authorizeShareRequest, redirectToStorage } from "@/lib/shares/route-access";

export const dynamic = "force-dynamic";

/**
 * The og:image of a share page. Crawlers fetch it minutes or days after the page,
 * so its URL must not expire: each request checks the link again and redirects to
 * a freshly signed URL of the large variant.
 */
export async function GET(request: NextRequest, { params }: { params: Promise<{ token: string }> }) {
  const result = await authorizeShareRequest(request, (await params).token);
  if ("response" in result) return result.response;
  const { share } = result;
  const url = await imageUrl(share.photo.largeKey);
  // An open link's redirect may sit in a shared cache briefly; one behind a password is for this visitor only.
  return redirectToStorage(url, share.hasPassword ? "private, no-store" : "public, max-age=300");
}
