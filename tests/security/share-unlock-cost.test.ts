/**
 * What a password attempt on a share link costs the server. scrypt is the expensive part
 * (~100 ms of a core and 32 MiB): it must run only for a live link that has a password, a
 * bounded number at a time, and an unknown or password-less link must cost next to nothing
 * while still taking about as long to answer.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { originalKey, variantKey } from "@/lib/photos/keys";
import { env } from "@/lib/env";
import { SHARE_UNLOCK_LINKS_PER_ADDRESS } from "@/lib/rate-limit";
import { createShareLink } from "@/lib/shares/mutations";
import * as password from "@/lib/shares/password";
import { checkSharePassword } from "@/lib/shares/queries";
import { attemptShareUnlock } from "@/lib/shares/unlock-attempt";
import { createUser, removeSeededUsers } from "../helpers/seed";

afterAll(async () => {
  await removeSeededUsers();
});

async function readyPhoto(ownerId: string) {
  const id = randomUUID();
  return db.photo.create({
    data: {
      id,
      ownerId,
      status: "READY",
      originalKey: originalKey(ownerId, id),
      thumbKey: variantKey(ownerId, id, "thumb"),
      largeKey: variantKey(ownerId, id, "large"),
      displayName: "beach.jpg",
      contentType: "image/jpeg",
      sizeBytes: 123_456n,
      width: 4000,
      height: 3000,
      sortAt: new Date(),
      uploadExpiresAt: new Date(Date.now() + 3600_000),
    },
  });
}

/** CPU time this process spent (all threads: scrypt runs on libuv's pool) and wall time, while `work` ran. */
async function measure(work: () => Promise<unknown>) {
  const cpuBefore = process.cpuUsage();
  const started = performance.now();
  await work();
  const cpu = process.cpuUsage(cpuBefore);
  return { cpuMs: (cpu.user + cpu.system) / 1000, wallMs: performance.now() - started };
}

const randomToken = () => randomBytes(32).toString("base64url");

describe("a share password attempt", () => {
  it("runs no scrypt for unknown or password-less links (10 attempts cost less than 2 real checks), yet answers about as slowly as a real one", async () => {
    const owner = await createUser("unlock-cost");
    const photo = await readyPhoto(owner.id);
    const locked = await createShareLink(owner.id, photo.id, { expiresIn: "7d", password: "open sesame", allowDownload: false });
    const open = await createShareLink(owner.id, photo.id, { expiresIn: "7d", allowDownload: false });

    const real = await measure(() => checkSharePassword(locked.token, "wrong guess"));
    const decoys = await measure(async () => {
      for (let attempt = 0; attempt < 5; attempt++) {
        expect(await checkSharePassword(randomToken(), "wrong guess")).toBeUndefined();
        expect(await checkSharePassword(open.token, "wrong guess")).toBeUndefined();
      }
    });
    expect(decoys.cpuMs, `10 decoys used ${decoys.cpuMs.toFixed(0)} ms of CPU; one real check ${real.cpuMs.toFixed(0)} ms`).toBeLessThan(2 * real.cpuMs);
    expect(decoys.wallMs / 10, `a decoy took ${(decoys.wallMs / 10).toFixed(0)} ms, a real check ${real.wallMs.toFixed(0)} ms`).toBeGreaterThan(0.5 * real.wallMs);
    expect(await checkSharePassword(locked.token, "open sesame")).toBeDefined();
  });

  it("runs at most SCRYPT_CONCURRENCY scrypt derivations at once; the rest wait their turn, and a full queue is refused", async () => {
    const stored = await password.hashSharePassword("open sesame");
    const attempts = Array.from({ length: 6 }, () => password.verifySharePassword(stored, "wrong guess"));
    expect(password.scryptLoad()).toEqual({ running: password.SCRYPT_CONCURRENCY, queued: 6 - password.SCRYPT_CONCURRENCY });
    expect(await Promise.all(attempts)).toEqual(Array(6).fill(false));
    expect(password.scryptLoad()).toEqual({ running: 0, queued: 0 });

    const flood = Array.from({ length: password.SCRYPT_CONCURRENCY + password.SCRYPT_QUEUE_LIMIT + 3 }, () =>
      password.verifySharePassword(stored, "wrong guess").then(
        () => "checked",
        (error: Error) => error.message,
      ),
    );
    const answers = await Promise.all(flood);
    expect(answers.filter((answer) => answer === "checked")).toHaveLength(password.SCRYPT_CONCURRENCY + password.SCRYPT_QUEUE_LIMIT);
    expect(answers.filter((answer) => answer !== "checked")).toEqual(Array(3).fill("Too many requests. Please try again in 1 s."));
  });
});

const fakeAddress = () => `10.${randomBytes(3).join(".")}`;
const answer = (attempt: Promise<unknown>) =>
  attempt.then(
    (result) => (result ? "unlocked" : "wrong"),
    (error: Error) => error.message,
  );

describe("share password limits", () => {
  it("count every attempt of an address before the token is looked at: random tokens do not each bring a fresh budget", async () => {
    const address = fakeAddress();
    const budget = env.SHARE_PASSWORD_ATTEMPTS_PER_15_MIN * SHARE_UNLOCK_LINKS_PER_ADDRESS;
    const answers = await Promise.all(Array.from({ length: budget }, () => answer(attemptShareUnlock(randomToken(), "guess", address))));
    expect(answers).toEqual(Array(budget).fill("wrong"));
    expect(await answer(attemptShareUnlock(randomToken(), "guess", address))).toMatch(/^Too many requests\. Please try again in \d+ s\.$/);
    // Another address is not affected.
    expect(await answer(attemptShareUnlock(randomToken(), "guess", fakeAddress()))).toBe("wrong");
  });

  it("let one visitor use up only its own share of a link's guesses: everyone else still gets in", async () => {
    const owner = await createUser("unlock-lockout");
    const photo = await readyPhoto(owner.id);
    const link = await createShareLink(owner.id, photo.id, { expiresIn: "7d", password: "open sesame", allowDownload: false });
    const attacker = fakeAddress();
    for (let guess = 1; guess <= env.SHARE_PASSWORD_ATTEMPTS_PER_15_MIN; guess++) {
      expect(await answer(attemptShareUnlock(link.token, `guess-${guess}`, attacker)), `guess ${guess}`).toBe("wrong");
    }
    expect(await answer(attemptShareUnlock(link.token, "open sesame", attacker))).toMatch(/^Too many requests\./);
    expect(await answer(attemptShareUnlock(link.token, "open sesame", fakeAddress()))).toBe("unlocked");
  });
});
