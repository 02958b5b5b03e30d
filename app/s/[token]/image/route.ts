import type { NextRequest } from "next/server";
import { shareImageUrl } from "@/lib/shares/image-urls";
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
  const url = await shareImageUrl(share.photo.largeKey);
  // Never in a shared cache: a CDN would keep answering for a revoked link. A crawler or a browser
  // may keep the redirect a minute; its target lives 10 minutes at most (shareImageUrl).
  return redirectToStorage(url, share.hasPassword ? "private, no-store" : "private, max-age=60");
}
