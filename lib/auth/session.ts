import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { cache } from "react";
import { auth } from "@/lib/auth/auth";

export type SessionUser = { id: string; email: string; name: string };

/** The signed-in user, or undefined. Cached per request: layout and page share one lookup. */
export const getSessionUser = cache(async (): Promise<SessionUser | undefined> => {
  const session = await auth.api.getSession({ headers: await headers() });
  if (!session) return undefined;
  return { id: session.user.id, email: session.user.email, name: session.user.name };
});

/** For pages: sends an anonymous visitor to sign-in, remembering where they were going. */
export async function requireUserOrRedirect(returnTo: string): Promise<SessionUser> {
  const user = await getSessionUser();
  if (!user) redirect(`/sign-in?next=${encodeURIComponent(returnTo)}`);
  return user;
}
