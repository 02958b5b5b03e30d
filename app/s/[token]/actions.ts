"use server";

import { cookies, headers } from "next/headers";
import { redirect } from "next/navigation";
import { toActionError } from "@/lib/actions/result";
import { readClientIp } from "@/lib/security/client-ip";
import { unlockShareSchema } from "@/lib/shares/schemas";
import { attemptShareUnlock } from "@/lib/shares/unlock-attempt";
import { SHARE_UNLOCK_COOKIE, shareUnlockCookieOptions, shareUnlockProof } from "@/lib/shares/unlock";

export type UnlockState = { error?: string };

/**
 * The password form of a protected share (no sign-in: anyone with the link may try).
 * Guesses are limited per address, per link and address, and per link
 * (lib/shares/unlock-attempt.ts); the right password leaves an unlock
 * cookie for this link's path and reloads the page, which then shows the photo.
 */
export async function unlockShareAction(_previous: UnlockState, form: FormData): Promise<UnlockState> {
  const parsed = unlockShareSchema.safeParse({ token: form.get("token"), password: form.get("password") });
  if (!parsed.success) return { error: parsed.error.issues[0]?.message ?? "Enter the password." };
  const { token, password } = parsed.data;
  try {
    const unlocked = await attemptShareUnlock(token, password, readClientIp(await headers()));
    if (!unlocked) return { error: "That password is not right. Please try again." };
    (await cookies()).set(SHARE_UNLOCK_COOKIE, shareUnlockProof(token), shareUnlockCookieOptions(token, unlocked.expiresAt));
  } catch (error) {
    const result = toActionError(error);
    return { error: result.ok ? undefined : result.error.message };
  }
  redirect(`/s/${token}`);
}
