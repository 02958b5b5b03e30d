import { getSessionCookie } from "better-auth/cookies";
import { NextResponse, type NextRequest } from "next/server";

/**
 * Optimistic redirect only: a visitor with no session cookie goes to sign-in and
 * comes back afterwards. The real check (is the session valid, is this photo
 * yours) happens in every page, action and route handler.
 */
export function proxy(request: NextRequest) {
  if (getSessionCookie(request)) return NextResponse.next();
  const signIn = new URL("/sign-in", request.url);
  const { pathname, search } = request.nextUrl;
  if (pathname !== "/") signIn.searchParams.set("next", `${pathname}${search}`);
  return NextResponse.redirect(signIn);
}

export const config = {
  // Public: auth pages and API, share pages, health, Next's assets.
  matcher: ["/((?!sign-in|sign-up|s/|api/|_next/|favicon.ico|robots.txt|icon).*)"],
};
