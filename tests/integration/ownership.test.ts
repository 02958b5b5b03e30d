/**
 * "B cannot read, finish, cancel, delete, restore or share A's photo", through every
 * data-layer function and every server action or route that takes a photo or
 * link id, against the real PostgreSQL and S3 of the integration setup. After
 * each attempt, A's rows, links and stored objects are exactly as before.
 *
 * Only the session lookup is stubbed (the actions' and routes' own code runs):
 * it decides who "the caller" is.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";

const session = vi.hoisted(() => ({ user: undefined as { id: string; email: string; name: string } | undefined }));
vi.mock("@/lib/auth/session", () => ({
  getSessionUser: async () => session.user,
  requireUserOrRedirect: async () => {
    if (!session.user) throw new Error("no session in this test");
    return session.user;
  },
}));

import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { deletePhotos } from "@/lib/photos/delete";
import { originalKey, variantKey } from "@/lib/photos/keys";
import { countReadyPhotos, getNeighbours, getPhotoOrThrow, listFailedPhotos, listPhotoPage } from "@/lib/photos/queries";
import { deleteFromTrash, emptyTrash, listTrash, moveToTrash, restorePhotos } from "@/lib/photos/trash";
import { cancelUpload, completeUpload, getUploadStatuses, signParts } from "@/lib/photos/uploads";
import { createShareLink, revokeAllShareLinks, revokeShareLink } from "@/lib/shares/mutations";
import { listActiveShareLinks, listShareLinksForPhoto } from "@/lib/shares/queries";
import { getStorage } from "@/lib/storage";
import { cancelUploadAction, completeUploadAction, deletePhotosAction, signPartsAction } from "@/app/(gallery)/actions";
import { createShareLinkAction, revokeAllShareLinksAction, revokeShareLinkAction } from "@/app/(gallery)/photos/[id]/actions";
import { deleteFromTrashAction, emptyTrashAction, restorePhotosAction } from "@/app/(gallery)/trash/actions";
import { GET as downloadRoute } from "@/app/(gallery)/photos/[id]/download/route";
import { GET as uploadStatusRoute } from "@/app/api/uploads/status/route";
import { GET as feedRoute } from "@/app/api/photos/route";

type User = { id: string; email: string; name: string };
const createdUsers: string[] = [];

async function createUser(label: string): Promise<User> {
  const id = randomUUID();
  createdUsers.push(id);
  return db.user.create({ data: { id, name: `Test ${label}`, email: `${label}-${id.slice(0, 8)}@example.test` }, select: { id: true, email: true, name: true } });
}

const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Array.from({ length: 60 }, (_, i) => i)]);

async function createPhoto(ownerId: string, status: "READY" | "PENDING", sortAt: Date, options: { multipart?: boolean } = {}) {
  const id = randomUUID();
  const storage = getStorage();
  const key = originalKey(ownerId, id);
  const multipartUploadId = options.multipart ? await storage.createMultipart(key, { contentType: "image/jpeg" }) : null;
  const ready = status === "READY";
  const photo = await db.photo.create({
    data: {
      id,
      ownerId,
      status,
      originalKey: key,
      thumbKey: ready ? variantKey(ownerId, id, "thumb") : null,
      largeKey: ready ? variantKey(ownerId, id, "large") : null,
      displayName: `${status.toLowerCase()}.jpg`,
      contentType: "image/jpeg",
      // A multipart upload of 3 parts, or exactly the object put below.
      sizeBytes: BigInt(options.multipart ? 20 * 1024 * 1024 : JPEG.length),
      width: 4000,
      height: 3000,
      sortAt,
      multipartUploadId,
      uploadExpiresAt: new Date(Date.now() + 3600_000),
    },
  });
  // Real objects, so a wrongly allowed complete, cancel or delete would have something to act on.
  if (!options.multipart) await storage.put(key, JPEG, { contentType: "image/jpeg" });
  if (ready) {
    await storage.put(photo.thumbKey!, JPEG, { contentType: "image/webp" });
    await storage.put(photo.largeKey!, JPEG, { contentType: "image/webp" });
  }
  return photo;
}

let alice: User;
let bob: User;
let ready: Awaited<ReturnType<typeof createPhoto>>;
let pending: Awaited<ReturnType<typeof createPhoto>>;
let multipart: Awaited<ReturnType<typeof createPhoto>>;
let trashed: Awaited<ReturnType<typeof createPhoto>>;
let bobPhoto: { id: string };
let link: { id: string };
let alicePhotoIds: string[];

/** Everything of Alice's an attempt could touch: rows (with updatedAt), links, objects and the open multipart upload. */
async function aliceState() {
  const storage = getStorage();
  const photos = await db.photo.findMany({ where: { ownerId: alice.id }, orderBy: { id: "asc" } });
  const links = await db.shareLink.findMany({ where: { ownerId: alice.id }, orderBy: { id: "asc" } });
  const keys = photos.flatMap((p) => [p.originalKey, p.thumbKey, p.largeKey]).filter((k): k is string => k !== null);
  const objects = await Promise.all(keys.map(async (key) => [key, (await storage.head(key))?.size ?? "missing"]));
  const parts = await storage.listParts(multipart.originalKey, multipart.multipartUploadId!).then(
    (p) => p.length,
    () => "upload gone",
  );
  return JSON.stringify({ photos, links, objects, parts }, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
}

let before: string;

beforeAll(async () => {
  alice = await createUser("alice");
  bob = await createUser("bob");
  const t = Date.UTC(2025, 0, 10, 12);
  ready = await createPhoto(alice.id, "READY", new Date(t));
  pending = await createPhoto(alice.id, "PENDING", new Date(t - 1000));
  multipart = await createPhoto(alice.id, "PENDING", new Date(t - 2000), { multipart: true });
  // Photos of Alice's on both sides of Bob's, so a neighbour lookup that ignored the owner would find them.
  await createPhoto(alice.id, "READY", new Date(t + 60_000));
  await createPhoto(alice.id, "READY", new Date(t - 60_000));
  // In Alice's Trash: Bob must not see it, restore it or delete it for good.
  trashed = await createPhoto(alice.id, "READY", new Date(t - 120_000));
  await moveToTrash(alice.id, [trashed.id]);
  bobPhoto = await createPhoto(bob.id, "READY", new Date(t));
  link = await createShareLink(alice.id, ready.id, { expiresIn: "7d", allowDownload: false });
  alicePhotoIds = [ready.id, pending.id, multipart.id, trashed.id];
  before = await aliceState();
});

afterAll(async () => {
  await getStorage().abortMultipart(multipart.originalKey, multipart.multipartUploadId!).catch(() => {});
  await db.user.deleteMany({ where: { id: { in: createdUsers } } });
});

async function expectNotFound(attempt: Promise<unknown>) {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("not_found");
}

function expectActionNotFound(result: { ok: boolean; error?: { code: string } }) {
  expect(result).toMatchObject({ ok: false, error: { code: "not_found" } });
}

describe("Bob and Alice's photos, through the data layer", () => {
  it.each([
    ["getPhotoOrThrow (ready)", () => getPhotoOrThrow(bob.id, ready.id)],
    ["getPhotoOrThrow (pending)", () => getPhotoOrThrow(bob.id, pending.id)],
    ["signParts", () => signParts(bob.id, multipart.id, [1, 2])],
    ["completeUpload (single)", () => completeUpload(bob.id, pending.id)],
    ["completeUpload (multipart)", () => completeUpload(bob.id, multipart.id)],
    ["createShareLink", () => createShareLink(bob.id, ready.id, { expiresIn: "7d", allowDownload: true })],
    ["listShareLinksForPhoto", () => listShareLinksForPhoto(bob.id, ready.id)],
    ["revokeShareLink", () => revokeShareLink(bob.id, link.id)],
    ["revokeAllShareLinks", () => revokeAllShareLinks(bob.id, ready.id)],
  ])("%s is not_found and changes nothing", async (_, attempt) => {
    await expectNotFound(attempt());
    expect(await aliceState()).toBe(before);
  });

  it("cancelUpload is a silent no-op (cancelling is idempotent) and changes nothing", async () => {
    await expect(cancelUpload(bob.id, pending.id)).resolves.toBeUndefined();
    await expect(cancelUpload(bob.id, multipart.id)).resolves.toBeUndefined();
    expect(await aliceState()).toBe(before);
  });

  it("deletePhotos deletes none of them", async () => {
    expect(await deletePhotos(bob.id, alicePhotoIds)).toEqual({ deleted: [] });
    expect(await aliceState()).toBe(before);
  });

  it("moveToTrash, restorePhotos, deleteFromTrash and emptyTrash touch none of them, and Bob's Trash shows none", async () => {
    expect(await moveToTrash(bob.id, alicePhotoIds)).toEqual({ trashed: [], deleted: [] });
    expect(await restorePhotos(bob.id, alicePhotoIds)).toEqual({ restored: [] });
    expect(await deleteFromTrash(bob.id, alicePhotoIds)).toEqual({ deleted: [] });
    expect(await emptyTrash(bob.id, new Date())).toEqual({ deleted: 0 });
    expect(await listTrash(bob.id)).toEqual({ tiles: [], total: 0 });
    expect(await aliceState()).toBe(before);
  });

  it("getNeighbours, getUploadStatuses and the lists never show one of Alice's photos or links", async () => {
    // Bob's only photo has the same timestamp as Alice's, so it is the one neighbour he gets.
    const neighbours = await getNeighbours(bob.id, ready);
    expect([neighbours.previous?.id, neighbours.next?.id].filter(Boolean)).toEqual([bobPhoto.id]);
    expect(await getUploadStatuses(bob.id, alicePhotoIds)).toEqual([]);
    const feed = await listPhotoPage(bob.id);
    expect(feed.tiles.map((t) => t.id)).toEqual([bobPhoto.id]);
    expect(await countReadyPhotos(bob.id)).toBe(1);
    expect(await listFailedPhotos(bob.id)).toEqual([]);
    expect((await listActiveShareLinks(bob.id)).map((l) => l.id)).not.toContain(link.id);
    expect(await aliceState()).toBe(before);
  });
});

describe("Bob and Alice's photos, through the server actions and routes", () => {
  beforeAll(() => {
    session.user = bob;
  });

  it.each([
    ["signPartsAction", () => signPartsAction({ photoId: multipart.id, partNumbers: [1] })],
    ["completeUploadAction (single)", () => completeUploadAction({ photoId: pending.id })],
    ["completeUploadAction (multipart)", () => completeUploadAction({ photoId: multipart.id })],
    ["createShareLinkAction", () => createShareLinkAction({ photoId: ready.id, expiresIn: "1d", allowDownload: true })],
    ["revokeShareLinkAction", () => revokeShareLinkAction({ shareId: link.id })],
    ["revokeAllShareLinksAction", () => revokeAllShareLinksAction({ photoId: ready.id })],
  ])("%s answers not_found and changes nothing", async (_, attempt) => {
    expectActionNotFound(await attempt());
    expect(await aliceState()).toBe(before);
  });

  it("cancelUploadAction and the delete, restore and Trash actions succeed having done nothing", async () => {
    expect(await cancelUploadAction({ photoId: pending.id })).toEqual({ ok: true, data: undefined });
    expect(await deletePhotosAction({ photoIds: alicePhotoIds })).toEqual({ ok: true, data: { trashed: [], deleted: [] } });
    expect(await restorePhotosAction({ photoIds: alicePhotoIds })).toEqual({ ok: true, data: { restored: [] } });
    expect(await deleteFromTrashAction({ photoIds: alicePhotoIds })).toEqual({ ok: true, data: { deleted: [] } });
    expect(await emptyTrashAction({ trashedUpTo: new Date().toISOString() })).toEqual({ ok: true, data: { deleted: 0 } });
    expect(await aliceState()).toBe(before);
  });

  it("the download route is a 404, the status and feed routes list nothing of Alice's", async () => {
    const download = await downloadRoute(new NextRequest(`http://localhost/photos/${ready.id}/download`), { params: Promise.resolve({ id: ready.id }) });
    expect(download.status).toBe(404);
    expect(download.headers.get("location")).toBeNull();

    const status = await uploadStatusRoute(new NextRequest(`http://localhost/api/uploads/status?ids=${alicePhotoIds.join(",")}`));
    expect(await status.json()).toEqual({ statuses: [] });

    const feed = await feedRoute(new NextRequest("http://localhost/api/photos"));
    const body = (await feed.json()) as { tiles: { id: string }[] };
    expect(body.tiles.some((t) => alicePhotoIds.includes(t.id))).toBe(false);
    expect(await aliceState()).toBe(before);
  });

  it("the same calls work for Alice herself (so the not_found above is about ownership)", async () => {
    session.user = alice;
    try {
      expect(await getPhotoOrThrow(alice.id, ready.id)).toMatchObject({ id: ready.id });
      expect(await signPartsAction({ photoId: multipart.id, partNumbers: [1] })).toMatchObject({ ok: true });
      expect((await listShareLinksForPhoto(alice.id, ready.id)).map((l) => l.id)).toEqual([link.id]);
      const download = await downloadRoute(new NextRequest(`http://localhost/photos/${ready.id}/download`), { params: Promise.resolve({ id: ready.id }) });
      expect(download.status).toBe(302);
      const status = await uploadStatusRoute(new NextRequest(`http://localhost/api/uploads/status?ids=${pending.id}`));
      expect(((await status.json()) as { statuses: { id: string }[] }).statuses.map((s) => s.id)).toEqual([pending.id]);
    } finally {
      session.user = bob;
    }
  });
});
