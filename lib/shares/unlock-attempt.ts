import "server-only";
import { consumeOrThrow } from "@/lib/rate-limit";
import { checkSharePassword } from "./queries";

/**
 * One visitor's password attempt on a share link, with every limit in the order that keeps it
 * cheap to refuse (docs/SECURITY.md):
 * 1. per client address, across all links, before anything is looked up by token: a stream of
 *    random tokens spends one budget, not a fresh one per token;
 * 2. for a live link with a password only, per link and address (one visitor's share of the
 *    link's guesses), then per link from all addresses (a cap above what one visitor can spend,
 *    so nobody locks everyone else out alone);
 * 3. the scrypt check itself, a bounded number at a time (lib/shares/password.ts).
 * Counters are keyed by the link's id, never its token (they live in the database too).
 * Returns the link's expiry when the password is right; throws a rate_limited AppError when over a limit.
 */
export async function attemptShareUnlock(token: string, password: string, clientIp: string): Promise<{ expiresAt: Date | null } | undefined> {
  await consumeOrThrow("shareUnlockPerAddress", clientIp);
  return checkSharePassword(token, password, async (linkId) => {
    await consumeOrThrow("sharePassword", `${linkId}:${clientIp}`);
    await consumeOrThrow("sharePasswordPerLink", linkId);
  });
}
