/**
 * Presigned URLs are capabilities: one method, one key, one type and length, a
 * few minutes. Each case bends one of those against the real embedded S3 (which
 * checks SigV4 like S3 does) and expects 403 and nothing stored.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { originalKey, uploadKey, variantKey } from "@/lib/photos/keys";
import { completeUpload, createUploads, signParts } from "@/lib/photos/uploads";
import { getStorage } from "@/lib/storage";
import { createUser, expectNoJunk, fixture, objectKeys, put, removeUsers, upload } from "./support/data";

const users: string[] = [];
let alice: string;
let bob: string;
let jpeg: Buffer;

beforeAll(() => {
  jpeg = fixture("camera-gps-landscape.jpg");
});

// Two people per case, so each case's junk check sees only its own rows and objects.
beforeEach(async () => {
  alice = (await createUser("alice-urls")).id;
  bob = (await createUser("bob-urls")).id;
  users.push(alice, bob);
});

afterAll(() => removeUsers(users));

async function singlePlan(ownerId: string) {
  const [plan] = await createUploads(ownerId, [{ name: "a.jpg", type: "image/jpeg", size: jpeg.length }]);
  if (!plan?.ok || plan.mode !== "single") throw new Error("expected a single-PUT plan");
  return plan;
}

/** Ends the PENDING rows of a case the way the person would: the uploader reports the error, complete finds nothing. */
async function settle(ownerId: string, photoId: string) {
  const outcome = await completeUpload(ownerId, photoId);
  expect(outcome).toMatchObject({ status: "FAILED", failureReason: expect.stringMatching(/never arrived/) });
}

describe("presigned upload URLs", () => {
  it("refuse another Content-Type than the signed one (text/html, image/png)", async () => {
    const plan = await singlePlan(alice);
    for (const type of ["text/html", "image/png", "image/svg+xml"]) {
      expect((await put(plan, jpeg, { "Content-Type": type })).status).toBe(403);
    }
    expect(await objectKeys(alice)).toEqual([]);
    await settle(alice, plan.photoId);
    await expectNoJunk(alice, { FAILED: 1 });
  });

  it("refuse a tampered signature", async () => {
    const plan = await singlePlan(alice);
    const url = new URL(plan.request.url);
    const signature = url.searchParams.get("X-Amz-Signature")!;
    url.searchParams.set("X-Amz-Signature", `${signature.slice(0, -1)}${signature.endsWith("0") ? "1" : "0"}`);
    expect((await put(plan, jpeg, {}, url.toString())).status).toBe(403);
    // A longer validity than was signed is tampering too.
    const longer = new URL(plan.request.url);
    longer.searchParams.set("X-Amz-Expires", "604800");
    expect((await put(plan, jpeg, {}, longer.toString())).status).toBe(403);
    expect(await objectKeys(alice)).toEqual([]);
    await settle(alice, plan.photoId);
    await expectNoJunk(alice, { FAILED: 1 });
  });

  it("refuse an expired URL", async () => {
    const key = originalKey(alice, randomUUID());
    const request = await getStorage().presignPut(key, { contentType: "image/jpeg", contentLength: jpeg.length, expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2100));
    const response = await fetch(request.url, { method: "PUT", headers: request.headers, body: new Uint8Array(jpeg) });
    expect(response.status).toBe(403);
    expect(await getStorage().head(key)).toBeUndefined();
    await expectNoJunk(alice);
  });

  it("refuse being reused for another key (another photo id, another user's original, a variant)", async () => {
    const plan = await singlePlan(alice);
    const bobs = await upload(bob, { name: "bob.jpg", type: "image/jpeg", body: jpeg });
    const url = new URL(plan.request.url);
    const aliceKey = uploadKey(alice, plan.photoId);
    // Alice's own original too: the key the server copies verified bytes to is never a browser's to write.
    const targets = [originalKey(alice, plan.photoId), uploadKey(alice, randomUUID()), bobs.originalKey, variantKey(alice, plan.photoId, "large"), `${aliceKey}/../../x`];
    for (const target of targets) {
      const swapped = new URL(url);
      swapped.pathname = url.pathname.replace(aliceKey, target);
      expect(swapped.pathname).not.toBe(url.pathname);
      expect((await put(plan, jpeg, {}, swapped.toString())).status).toBe(403);
    }
    // Bob's photo is untouched.
    expect((await getStorage().head(bobs.originalKey))?.size).toBe(jpeg.length);
    expect(await objectKeys(alice)).toEqual([]);
    await settle(alice, plan.photoId);
    await expectNoJunk(alice, { FAILED: 1 });
    await expectNoJunk(bob, { READY: 1 });
  });

  it("refuse another method (GET, DELETE) with an upload URL", async () => {
    const photo = await upload(alice, { name: "kept.jpg", type: "image/jpeg", body: jpeg });
    const request = await getStorage().presignPut(photo.originalKey, { contentType: "image/jpeg", contentLength: jpeg.length, expiresInSeconds: 60 });
    expect((await fetch(request.url, { method: "GET" })).status).toBe(403);
    expect((await fetch(request.url, { method: "DELETE" })).status).toBe(403);
    expect((await getStorage().head(photo.originalKey))?.size).toBe(jpeg.length);
    await expectNoJunk(alice, { READY: 1 });
  });
});

describe("presigned read URLs", () => {
  it("a thumbnail's URL cannot be turned into one for the original or another user's photo, nor write", async () => {
    const mine = await upload(alice, { name: "mine.jpg", type: "image/jpeg", body: jpeg });
    const bobs = await upload(bob, { name: "bobs.jpg", type: "image/jpeg", body: jpeg });
    const url = new URL(await getStorage().presignGet(mine.thumbKey!, { expiresInSeconds: 60 }));
    expect((await fetch(url)).status).toBe(200);
    for (const target of [mine.originalKey, bobs.thumbKey!, bobs.originalKey]) {
      const swapped = new URL(url);
      swapped.pathname = url.pathname.replace(mine.thumbKey!, target);
      expect((await fetch(swapped)).status).toBe(403);
    }
    // Nor can it write.
    expect((await fetch(url, { method: "PUT", body: "x" })).status).toBe(403);
    await expectNoJunk(alice, { READY: 1 });
    await expectNoJunk(bob, { READY: 1 });
  });
});

describe("multipart part URLs", () => {
  it("are signed only for the caller's own upload and for parts inside the file", async () => {
    const size = 40 * 1024 * 1024;
    const [plan] = await createUploads(alice, [{ name: "big.jpg", type: "image/jpeg", size }]);
    if (!plan?.ok || plan.mode !== "multipart") throw new Error("expected a multipart plan");
    await expect(signParts(bob, plan.photoId, [1])).rejects.toMatchObject({ code: "not_found" });
    await expect(signParts(alice, plan.photoId, [plan.partCount + 1])).rejects.toMatchObject({ code: "invalid_input" });
    const [part] = await signParts(alice, plan.photoId, [1]);
    // A part URL carries its exact length: a body of another size is refused.
    const response = await fetch(part!.request.url, { method: "PUT", body: new Uint8Array(1024) });
    expect(response.status).toBe(403);
    const outcome = await completeUpload(alice, plan.photoId);
    expect(outcome).toMatchObject({ status: "FAILED", failureReason: expect.stringMatching(/some parts never arrived/) });
    await expectNoJunk(alice, { FAILED: 1 });
    expect(await getStorage().listStaleMultipart(`users/${alice}/`, new Date(Date.now() + 60_000))).toEqual([]);
  });
});
