import "server-only";
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from "node:crypto";

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

function derive(password: string, salt: Buffer, log2N: number, r: number, p: number, keyLength: number): Promise<Buffer> {
  const options: ScryptOptions = { N: 2 ** log2N, r, p, maxmem: MAX_MEMORY };
  // NFC: the same password typed on macOS and Windows can arrive in different Unicode forms.
  return new Promise((resolve, reject) =>
    scrypt(password.normalize("NFC"), salt, keyLength, options, (error, key) => (error ? reject(error) : resolve(key))),
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

// Used when there is no real hash to compare against, so the answer still costs one full scrypt run.
const DECOY: Parsed = { log2N: LOG2_N, r: R, p: P, salt: randomBytes(SALT_BYTES), hash: randomBytes(KEY_LENGTH) };

/**
 * True only when `stored` is a hash of `password`. A missing or unreadable hash
 * does the same work as a wrong guess, so timing reveals neither whether a link
 * has a password nor how close a guess was.
 */
export async function verifySharePassword(stored: string | null | undefined, password: string): Promise<boolean> {
  const parsed = (stored && parse(stored)) || undefined;
  const target = parsed ?? DECOY;
  const candidate = await derive(password, target.salt, target.log2N, target.r, target.p, target.hash.length);
  const equal = timingSafeEqual(candidate, target.hash);
  return parsed !== undefined && equal;
}
