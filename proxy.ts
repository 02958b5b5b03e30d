import { getSessionCookie } from "better-auth/cookies";
import { NextResponse, type NextRequest } from "next/server";
import { refuseMalformedAction } from "@/lib/actions/payload";
import { CLIENT_IP_HEADER, clientIpFrom, trustedProxyHops } from "@/lib/security/client-ip";
import { securityHeaders } from "@/lib/security/headers";

// Pages anyone may open: sign-in/up, share links, the API (its handlers answer 401 themselves), and
// robots.txt, the manifest and icons (browsers fetch the manifest without cookies).
const PUBLIC_PATH = /^\/(sign-in|sign-up|s\/|api\/|favicon\.ico|robots\.txt|manifest\.webmanifest|icon)/;

/**
 * Four jobs, for every request but Next's static files: a server-action request Next could not
 * decode is answered with a sentence (lib/actions/payload.ts); the security headers (from the running
 * configuration, see lib/security/headers.ts); the visitor's address for the rate limits, passed
 * on as a request header (lib/security/client-ip.ts); and an optimistic redirect of a visitor
 * with no session cookie to sign-in, who comes back afterwards. The real check (is the session
 * valid, is this photo yours) happens in every page, action and route handler.
 */
export async function proxy(request: NextRequest) {
  const { pathname, search } = request.nextUrl;
  let response: Response;
  const malformedAction = await refuseMalformedAction(request);
  if (malformedAction) {
    response = malformedAction;
  } else if (PUBLIC_PATH.test(pathname) || getSessionCookie(request)) {
    response = NextResponse.next({ request: { headers: withClientIp(request.headers) } });
  } else {
    const signIn = new URL("/sign-in", request.url);
    if (pathname !== "/") signIn.searchParams.set("next", `${pathname}${search}`);
    response = NextResponse.redirect(signIn);
  }
  for (const [name, value] of securityHeaders(pathname, process.env)) response.headers.set(name, value);
  return response;
}

/** The request's headers with the client's address set, replacing any value the client sent itself. */
function withClientIp(headers: Headers): Headers {
  const forwarded = new Headers(headers);
  forwarded.set(CLIENT_IP_HEADER, clientIpFrom(headers, trustedProxyHops(process.env.TRUSTED_PROXY_HOPS)));
  return forwarded;
}

export const config = {
  matcher: ["/((?!_next/static|_next/image).*)"],
};
