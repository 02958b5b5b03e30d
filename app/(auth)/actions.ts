"use server";

import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { auth } from "@/lib/auth/auth";

/**
 * Sign-out as a server action rather than through better-auth's browser client: the form works
 * before (or without) JavaScript, and the gallery does not ship that client for one button.
 * The nextCookies plugin turns better-auth's Set-Cookie into Next's cookies().
 */
export async function signOutAction() {
  await auth.api.signOut({ headers: await headers() });
  redirect("/sign-in");
}
