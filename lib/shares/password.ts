import "server-only";
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import pLimit from "p-limit";
import { AppError } from "@/lib/errors";

/**
 * Share-link passwords are hashed with scrypt: memory-hard, built into Node, no
 * native add-on. Stored as `scrypt$<log2 N>$<r>$<p>$<salt>$<hash>` so the cost can
 * be raised later without breaking existing links.
 */
const LOG2_N = 15;
const R = 8;
const P = 1;
const KEY_LENGTH = 32;
const SALT_BYTES = 16;
// 128 * N * r = 32 MiB exactly, which is Node's default ceiling; leave headroom.
const MAX_MEMORY = 64 * 1024 * 1024;

type Parsed = { log2N: number; r: number; p: number; salt: Buffer; hash: Buffer };

/**
 * scrypt runs on libuv's small thread pool (4 threads by default), which file and DNS work share:
 * at most this many derivations run at once per app instance, so guesses cannot starve the rest.
 */
export const SCRYPT_CONCURRENCY = 2;
/** Derivations waiting for a slot; past this, an attempt is refused at once instead of queueing without end. */
export const SCRYPT_QUEUE_LIMIT = 16;

const scryptSlots = pLimit(SCRYPT_CONCURRENCY);

/** How busy the scrypt slots are (for tests and diagnostics). */
export function scryptLoad(): { running: number; queued: number } {
  return { running: scryptSlots.activeCount, queued: scryptSlots.pendingCount };
}

/** How long one derivation takes here, smoothed over the recent ones: what a decoy answer waits. */
let typicalDeriveMs: number | undefined;

function derive(password: string, salt: Buffer, log2N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  if (scryptSlots.activeCount + scryptSlots.pendingCount >= SCRYPT_CONCURRENCY + SCRYPT_QUEUE_LIMIT) {
    return Promise.reject(new AppError("rate_limited", "Too many requests. Please try again in 1 s."));
  }
  const options: ScryptOptions = { N: 2 ** log2N, r, p, maxmem: MAX_MEMORY };
  return scryptSlots(
    () =>
      new Promise<Buffer>((resolve, reject) => {
        const started = performance.now();
        // NFC: the same password typed on macOS and Windows can arrive in different Unicode forms.
        scrypt(password.normalize("NFC"), salt, keyLength, options, (error, key) => {
          if (error) return reject(error);
          const ms = performance.now() - started;
          typicalDeriveMs = typicalDeriveMs === undefined ? ms : 0.8 * typicalDeriveMs + 0.2 * ms;
          resolve(key);
        });
      }),
  );
}

function parse(stored: string): Parsed | undefined {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return undefined;
  const [log2N, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  const salt = Buffer.from(parts[4] ?? "", "base64url");
  const hash = Buffer.from(parts[5] ?? "", "base64url");
  const sane = [log2N, r, p].every(Number.isInteger) && log2N >= 10 && log2N <= 20 && r >= 1 && r <= 32 && p >= 1 && p <= 16;
  if (!sane || salt.length < 8 || hash.length < 16) return undefined;
  return { log2N, r, p, salt, hash };
}

export async function hashSharePassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt, LOG2_N, R, P, KEY_LENGTH);
  return ["scrypt", LOG2_N, R, P, salt.toString("base64url"), hash.toString("base64url")].join("$");
}

/**
 * Waits about as long as a real check takes, without doing its work: the answer for an unknown
 * link or one without a password. Costing nothing, it cannot be used to keep the server busy;
 * the per-address limit in front of it bounds how often anyone gets to wait. The first decoy of
 * an instance measures one real derivation to know how long that is.
 */
async function decoyWait(): Promise<void> {
  if (typicalDeriveMs === undefined) {
    await derive("decoy", randomBytes(SALT_BYTES), LOG2_N, R, P, KEY_LENGTH);
    return;
  }
  await sleep(typicalDeriveMs);
}

/**
 * True only when `stored` is a hash of `password`. A missing or unreadable hash
 * answers false after about as long as a wrong guess takes (decoyWait), so timing
 * reveals neither whether a link has a password nor how close a guess was.
 */
export async function verifySharePassword(stored: string | null | undefined, password: string): Promise<boolean> {
  const parsed = (stored && parse(stored)) || undefined;
  if (!parsed) {
    await decoyWait();
    return false;
  }
  const candidate = await derive(password, parsed.salt, parsed.log2N, parsed.r, parsed.p, parsed.hash.length);
  return timingSafeEqual(candidate, parsed.hash);
}
