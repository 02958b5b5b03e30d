/**
 * The upload flow on the Azure driver, whatever storage the rest of the suite runs on:
 * this file starts its own Azurite and points the app's configuration at it before the
 * data layer is loaded (each test file runs in a process of its own).
 *
 * Azure cannot sign an upload's type or size into a SAS, so these are the cases where
 * the server's check on complete is all that stands between a browser and storage.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type EmbeddedAzurite } from "@/scripts/embedded/azurite";

let azurite: EmbeddedAzurite;
let dir: string;
let jpeg: Buffer;
// Loaded after the environment names Azurite (lib/env.ts reads it once, at import).
let lib: {
  db: typeof import("@/lib/db").db;
  uploads: typeof import("@/lib/photos/uploads");
  processPhoto: typeof import("@/lib/photos/processing").processPhoto;
  storage: import("@/lib/storage").StorageDriver;
  seed: typeof import("../helpers/seed");
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "snapshelf-azure-uploads-"));
  azurite = await startAzurite({ dir, port: 0, container: "uploads", allowedOrigins: [process.env.APP_URL ?? "http://localhost:3100"] });
  Object.assign(process.env, {
    STORAGE_DRIVER: "azure",
    AZURE_STORAGE_ACCOUNT: azurite.account,
    AZURE_STORAGE_KEY: azurite.key,
    AZURE_STORAGE_CONTAINER: azurite.container,
    AZURE_BLOB_ENDPOINT: azurite.endpoint,
  });
  const [{ db }, uploads, { processPhoto }, { getStorage }, seed] = await Promise.all([
    import("@/lib/db"),
    import("@/lib/photos/uploads"),
    import("@/lib/photos/processing"),
    import("@/lib/storage"),
    import("../helpers/seed"),
  ]);
  lib = { db, uploads, processPhoto, storage: getStorage(), seed };
  expect(lib.storage.kind).toBe("azure");
  jpeg = await sharp({ create: { width: 80, height: 60, channels: 3, background: "#c84" } }).jpeg().toBuffer();
});

afterAll(async () => {
  await lib?.seed.removeSeededUsers();
  await azurite?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function presign(ownerId: string, size = jpeg.length) {
  const [plan] = await lib.uploads.createUploads(ownerId, [{ name: "photo.jpg", type: "image/jpeg", size }]);
  if (!plan?.ok || plan.mode !== "single") throw new Error(`no single-PUT plan: ${JSON.stringify(plan)}`);
  return plan;
}

/** What the browser does: the URL and exactly the returned headers, plus whatever it is told to add. */
const put = (request: { url: string; method: string; headers: Record<string, string> }, body: Buffer, extra: Record<string, string> = {}) =>
  fetch(request.url, { method: request.method, headers: { ...request.headers, ...extra }, body: new Uint8Array(body) });

describe("uploads on Azure Blob (Azurite)", () => {
  it("signs a PUT the browser can send as is (blob type included), verifies it and processes it", async () => {
    const owner = await lib.seed.createUser("azure");
    const plan = await presign(owner.id);
    expect(plan.request.headers).toMatchObject({ "x-ms-blob-type": "BlockBlob", "Content-Type": "image/jpeg" });
    expect((await put(plan.request, jpeg)).status).toBe(201);

    expect((await lib.uploads.completeUpload(owner.id, plan.photoId)).status).toBe("PROCESSING");
    await lib.processPhoto(plan.photoId);
    const photo = await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(photo).toMatchObject({ status: "READY", width: 80, height: 60 });
    expect(await lib.storage.head(photo.thumbKey!)).toMatchObject({ contentType: "image/webp" });
  });

  it("fails an upload stored under another type than announced, and removes it", async () => {
    const owner = await lib.seed.createUser("azure-type");
    const plan = await presign(owner.id);
    // The SAS does not stop this PUT: the check on complete must.
    expect((await put(plan.request, jpeg, { "Content-Type": "text/html" })).status).toBe(201);

    const outcome = await lib.uploads.completeUpload(owner.id, plan.photoId);
    expect(outcome.status).toBe("FAILED");
    expect(outcome.failureReason).toMatch(/another type/);
    expect(await lib.storage.head((await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } })).originalKey)).toBeUndefined();
  });

  it("fails an upload larger than announced (nothing in the SAS limits its size), and removes it", async () => {
    const owner = await lib.seed.createUser("azure-size");
    const plan = await presign(owner.id, 100);
    expect((await put(plan.request, jpeg)).status).toBe(201);

    const outcome = await lib.uploads.completeUpload(owner.id, plan.photoId);
    expect(outcome).toMatchObject({ status: "FAILED" });
    expect(outcome.failureReason).toMatch(/incomplete/);
    const photo = await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(await lib.storage.head(photo.originalKey)).toBeUndefined();
  });

  it("does not let the upload URL replace a verified photo with other bytes", async () => {
    const owner = await lib.seed.createUser("azure-replace");
    const plan = await presign(owner.id);
    expect((await put(plan.request, jpeg)).status).toBe(201);
    expect((await lib.uploads.completeUpload(owner.id, plan.photoId)).status).toBe("PROCESSING");

    const swap = Buffer.concat([jpeg, Buffer.alloc(1024 * 1024, randomUUID())]);
    expect((await put(plan.request, swap)).ok).toBe(false);
    const photo = await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(await lib.storage.head(photo.originalKey)).toMatchObject({ size: jpeg.length });
  });
});
