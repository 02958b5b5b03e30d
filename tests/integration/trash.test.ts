/**
 * Trash against the real PostgreSQL and S3 of the integration setup: a deleted photo
 * leaves every feed, page, download and share at once, keeps its objects and its
 * place in the quota, comes back whole on restore, and is deleted for good (rows and
 * objects) only from Trash: by delete forever, empty trash or the retention purge.
 *
 * Only the session lookup is stubbed, so the actions and routes run their own code.
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
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { originalKey, uploadKey, variantKey } from "@/lib/photos/keys";
import { countReadyPhotos, getNeighbours, getPhotoOrThrow, listFailedPhotos, listPhotoPage } from "@/lib/photos/queries";
import { deleteFromTrash, listTrash, moveToTrash, purgeExpiredTrash, restorePhotos, trashExpiresAt } from "@/lib/photos/trash";
import { createUploads } from "@/lib/photos/uploads";
import { createShareLink } from "@/lib/shares/mutations";
import { checkSharePassword, getPublicShare, listActiveShareLinks, listShareLinksForPhoto } from "@/lib/shares/queries";
import { CLIENT_IP_HEADER } from "@/lib/security/client-ip";
import { getStorage } from "@/lib/storage";
import { deletePhotosAction } from "@/app/(gallery)/actions";
import { deleteFromTrashAction, emptyTrashAction, restorePhotosAction } from "@/app/(gallery)/trash/actions";
import { GET as downloadRoute } from "@/app/(gallery)/photos/[id]/download/route";
import { GET as feedRoute } from "@/app/api/photos/route";
import { GET as shareImageRoute } from "@/app/s/[token]/image/route";
import { GET as shareDownloadRoute } from "@/app/s/[token]/download/route";

type User = { id: string; email: string; name: string };
type Photo = Awaited<ReturnType<typeof createPhoto>>;
const createdUsers: string[] = [];
const DAY = 24 * 60 * 60 * 1000;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Array.from({ length: 60 }, (_, i) => i)]);

async function createUser(label: string): Promise<User> {
  const id = randomUUID();
  createdUsers.push(id);
  return db.user.create({ data: { id, name: `Test ${label}`, email: `${label}-${id.slice(0, 8)}@example.test` }, select: { id: true, email: true, name: true } });
}

/** A photo with real objects in storage (a PENDING one: just its upload, as the browser left it). */
async function createPhoto(ownerId: string, options: { status?: "READY" | "PENDING" | "FAILED"; sortAt?: Date; sizeBytes?: bigint; name?: string } = {}) {
  const id = randomUUID();
  const status = options.status ?? "READY";
  const ready = status === "READY";
  const photo = await db.photo.create({
    data: {
      id,
      ownerId,
      status,
      originalKey: originalKey(ownerId, id),
      thumbKey: ready ? variantKey(ownerId, id, "thumb") : null,
      largeKey: ready ? variantKey(ownerId, id, "large") : null,
      displayName: options.name ?? `${status.toLowerCase()}.jpg`,
      contentType: "image/jpeg",
      sizeBytes: options.sizeBytes ?? BigInt(JPEG.length),
      width: 4000,
      height: 3000,
      sortAt: options.sortAt ?? new Date(),
      failureReason: status === "FAILED" ? "Not a photo." : null,
      uploadExpiresAt: new Date(Date.now() + 3600_000),
    },
  });
  const storage = getStorage();
  // A PENDING upload's bytes sit at the upload key; a READY photo's were sealed into the original.
  if (status === "PENDING") await storage.put(uploadKey(ownerId, id), JPEG, { contentType: "image/jpeg" });
  if (status === "READY") await storage.put(photo.originalKey, JPEG, { contentType: "image/jpeg" });
  if (ready) {
    await storage.put(photo.thumbKey!, JPEG, { contentType: "image/webp" });
    await storage.put(photo.largeKey!, JPEG, { contentType: "image/webp" });
  }
  return photo;
}

const keysOf = (p: Photo) => [p.originalKey, variantKey(p.ownerId, p.id, "thumb"), variantKey(p.ownerId, p.id, "large"), uploadKey(p.ownerId, p.id)];

async function objectsPresent(photo: Photo) {
  const storage = getStorage();
  const keys = photo.status === "READY" ? keysOf(photo).slice(0, 3) : [uploadKey(photo.ownerId, photo.id)];
  return Promise.all(keys.map(async (key) => (await storage.head(key)) !== undefined));
}

async function objectsLeft(photo: Photo) {
  const heads = await Promise.all(keysOf(photo).map((key) => getStorage().head(key)));
  return heads.filter((h) => h !== undefined).length;
}

async function expectNotFound(attempt: Promise<unknown>) {
  const error = await attempt.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("not_found");
}

function shareRequest(token: string, path: "image" | "download") {
  return new NextRequest(`http://localhost/s/${token}/${path}`, { headers: { [CLIENT_IP_HEADER]: "203.0.113.7" } });
}

const downloadOf = (photo: Photo) =>
  downloadRoute(new NextRequest(`http://localhost/photos/${photo.id}/download`), { params: Promise.resolve({ id: photo.id }) });

async function feedIds() {
  const response = await feedRoute(new NextRequest("http://localhost/api/photos"));
  return ((await response.json()) as { tiles: { id: string }[] }).tiles.map((t) => t.id);
}

afterAll(async () => {
  await db.user.deleteMany({ where: { id: { in: createdUsers } } });
});

describe("a photo moved to Trash", () => {
  let alice: User;
  let photo: Photo;
  let newer: Photo;
  let older: Photo;
  let token: string;
  let lockedToken: string;

  beforeAll(async () => {
    alice = await createUser("alice");
    session.user = alice;
    const t = Date.UTC(2025, 3, 10, 12);
    newer = await createPhoto(alice.id, { sortAt: new Date(t + 60_000), name: "newer.jpg" });
    photo = await createPhoto(alice.id, { sortAt: new Date(t), name: "beach.jpg" });
    older = await createPhoto(alice.id, { sortAt: new Date(t - 60_000), name: "older.jpg" });
    token = (await createShareLink(alice.id, photo.id, { expiresIn: "7d", allowDownload: true })).token;
    lockedToken = (await createShareLink(alice.id, photo.id, { expiresIn: "never", allowDownload: false, password: "open sesame" })).token;
  });

  it("is served everywhere before it is deleted (so the checks below can fail)", async () => {
    expect(await feedIds()).toContain(photo.id);
    expect((await downloadOf(photo)).status).toBe(302);
    expect(await getPublicShare(token)).toMatchObject({ photo: { id: photo.id } });
    expect((await shareImageRoute(shareRequest(token, "image"), { params: Promise.resolve({ token }) })).status).toBe(302);
    expect((await shareDownloadRoute(shareRequest(token, "download"), { params: Promise.resolve({ token }) })).status).toBe(302);
  });

  it("leaves the feed, its page, downloads, neighbours, counts and every share at once, keeping its objects", async () => {
    expect(await deletePhotosAction({ photoIds: [photo.id] })).toEqual({ ok: true, data: { trashed: [photo.id], deleted: [] } });

    expect(await feedIds()).toEqual([newer.id, older.id]);
    expect((await listPhotoPage(alice.id)).tiles.map((t) => t.id)).toEqual([newer.id, older.id]);
    await expectNotFound(getPhotoOrThrow(alice.id, photo.id));
    const download = await downloadOf(photo);
    expect(download.status).toBe(404);
    expect(download.headers.get("location")).toBeNull();
    expect(await getNeighbours(alice.id, newer)).toMatchObject({ next: { id: older.id } });
    expect(await countReadyPhotos(alice.id)).toBe(2);

    // Share links answer exactly like an unknown link.
    expect(await getPublicShare(token)).toBeUndefined();
    expect(await checkSharePassword(lockedToken, "open sesame")).toBeUndefined();
    for (const route of [shareImageRoute, shareDownloadRoute]) {
      const response = await route(shareRequest(token, route === shareImageRoute ? "image" : "download"), { params: Promise.resolve({ token }) });
      expect(response.status).toBe(404);
      expect(await response.text()).toBe("This link doesn't exist or has expired.");
    }
    expect((await listActiveShareLinks(alice.id)).map((l) => l.photoId)).not.toContain(photo.id);
    await expectNotFound(listShareLinksForPhoto(alice.id, photo.id));
    await expectNotFound(createShareLink(alice.id, photo.id, { expiresIn: "1d", allowDownload: false }));

    // Nothing is gone: rows, links and objects are all kept while it is in Trash.
    expect(await db.shareLink.count({ where: { photoId: photo.id } })).toBe(2);
    expect(await objectsPresent(photo)).toEqual([true, true, true]);
    const trash = await listTrash(alice.id);
    expect(trash.tiles.map((t) => t.id)).toEqual([photo.id]);
    const deletedAt = (await db.photo.findUniqueOrThrow({ where: { id: photo.id } })).deletedAt!;
    expect(trash.tiles[0]).toMatchObject({ deletedAt: deletedAt.toISOString(), expiresAt: new Date(deletedAt.getTime() + env.TRASH_RETENTION_DAYS * DAY).toISOString() });
  });

  it("a second delete changes nothing (double submit)", async () => {
    const before = await db.photo.findUniqueOrThrow({ where: { id: photo.id } });
    expect(await deletePhotosAction({ photoIds: [photo.id] })).toEqual({ ok: true, data: { trashed: [], deleted: [] } });
    expect((await db.photo.findUniqueOrThrow({ where: { id: photo.id } })).deletedAt).toEqual(before.deletedAt);
  });

  it("comes back whole on restore: feed, page, download and the same share links", async () => {
    expect(await restorePhotosAction({ photoIds: [photo.id] })).toEqual({ ok: true, data: { restored: [photo.id] } });
    expect(await restorePhotosAction({ photoIds: [photo.id] })).toEqual({ ok: true, data: { restored: [] } });

    expect(await feedIds()).toEqual([newer.id, photo.id, older.id]);
    expect(await getPhotoOrThrow(alice.id, photo.id)).toMatchObject({ id: photo.id, deletedAt: null });
    expect((await downloadOf(photo)).status).toBe(302);
    expect(await getPublicShare(token)).toMatchObject({ photo: { id: photo.id } });
    expect(await checkSharePassword(lockedToken, "open sesame")).toEqual({ expiresAt: null });
    expect((await shareImageRoute(shareRequest(token, "image"), { params: Promise.resolve({ token }) })).status).toBe(302);
    expect((await listShareLinksForPhoto(alice.id, photo.id)).length).toBe(2);
    expect((await listTrash(alice.id)).tiles).toEqual([]);
  });
});

describe("deleting", () => {
  it("an unfinished or failed upload removes it at once (there is nothing to restore)", async () => {
    const erin = await createUser("erin");
    const pending = await createPhoto(erin.id, { status: "PENDING" });
    const failed = await createPhoto(erin.id, { status: "FAILED" });
    expect(await listFailedPhotos(erin.id)).toHaveLength(1);
    expect(await objectsPresent(pending)).toEqual([true]);

    expect(await moveToTrash(erin.id, [pending.id, failed.id])).toEqual({ trashed: [], deleted: expect.arrayContaining([pending.id, failed.id]) });
    expect(await db.photo.count({ where: { ownerId: erin.id } })).toBe(0);
    expect(await objectsLeft(pending)).toBe(0);
    expect(await db.pendingDeletion.count({ where: { key: { in: [...keysOf(pending), ...keysOf(failed)] } } })).toBe(0);
  });

  it("a trashed photo still counts against the quota until it is deleted for good", async () => {
    const frank = await createUser("frank");
    const file = { name: "next.jpg", type: "image/jpeg", size: 5_000 };
    const big = await createPhoto(frank.id, { sizeBytes: BigInt(env.USER_QUOTA_BYTES - 1_000) });
    await moveToTrash(frank.id, [big.id]);

    const refused = await createUploads(frank.id, [file]);
    expect(refused).toEqual([expect.objectContaining({ ok: false, message: expect.stringMatching(/^Not enough space/) })]);

    expect(await deleteFromTrash(frank.id, [big.id])).toEqual({ deleted: [big.id] });
    const accepted = await createUploads(frank.id, [file]);
    expect(accepted).toEqual([expect.objectContaining({ ok: true })]);
  });
});

describe("deleting for good", () => {
  let gina: User;

  beforeAll(async () => {
    gina = await createUser("gina");
    session.user = gina;
  });

  it("delete forever takes only photos in Trash: rows, links and objects", async () => {
    const live = await createPhoto(gina.id);
    const trashed = await createPhoto(gina.id);
    await createShareLink(gina.id, trashed.id, { expiresIn: "7d", allowDownload: false });
    await moveToTrash(gina.id, [trashed.id]);

    expect(await deleteFromTrashAction({ photoIds: [live.id, trashed.id] })).toEqual({ ok: true, data: { deleted: [trashed.id] } });
    expect(await db.photo.findUnique({ where: { id: trashed.id } })).toBeNull();
    expect(await db.shareLink.count({ where: { photoId: trashed.id } })).toBe(0);
    expect(await objectsLeft(trashed)).toBe(0);
    expect(await db.pendingDeletion.count({ where: { key: { in: keysOf(trashed) } } })).toBe(0);

    // A live photo must go through Trash first.
    expect(await getPhotoOrThrow(gina.id, live.id)).toMatchObject({ id: live.id });
    expect(await objectsPresent(live)).toEqual([true, true, true]);
    // Again: nothing left to delete, no error.
    expect(await deleteFromTrashAction({ photoIds: [trashed.id] })).toEqual({ ok: true, data: { deleted: [] } });
  });

  it("empty trash takes what was in Trash when the person looked, not a photo trashed after", async () => {
    const first = await createPhoto(gina.id);
    const second = await createPhoto(gina.id);
    await moveToTrash(gina.id, [first.id, second.id]);
    const lookedAt = new Date();
    const later = await createPhoto(gina.id);
    await db.photo.update({ where: { id: later.id }, data: { deletedAt: new Date(lookedAt.getTime() + 1_000) } });

    expect(await emptyTrashAction({ trashedUpTo: lookedAt.toISOString() })).toEqual({ ok: true, data: { deleted: 2 } });
    expect((await listTrash(gina.id)).tiles.map((t) => t.id)).toEqual([later.id]);
    expect(await objectsLeft(first)).toBe(0);
    expect(await objectsLeft(second)).toBe(0);
    expect(await objectsPresent(later)).toEqual([true, true, true]);
    expect(await emptyTrashAction({ trashedUpTo: lookedAt.toISOString() })).toEqual({ ok: true, data: { deleted: 0 } });
    expect(await emptyTrashAction({ trashedUpTo: "yesterday" })).toMatchObject({ ok: false, error: { code: "invalid_input" } });
  });

  it("restore racing delete forever ends with the photo whole or wholly gone, never a row without its objects", async () => {
    for (let round = 0; round < 5; round++) {
      const photo = await createPhoto(gina.id);
      await moveToTrash(gina.id, [photo.id]);
      const [restored, deleted] = await Promise.all([restorePhotos(gina.id, [photo.id]), deleteFromTrash(gina.id, [photo.id])]);
      const row = await db.photo.findUnique({ where: { id: photo.id } });
      if (row) {
        expect({ restored, deleted, row: row.deletedAt }).toEqual({ restored: { restored: [photo.id] }, deleted: { deleted: [] }, row: null });
        expect(await objectsPresent(photo)).toEqual([true, true, true]);
        expect(await db.pendingDeletion.count({ where: { key: { in: keysOf(photo) } } })).toBe(0);
      } else {
        expect({ restored, deleted }).toEqual({ restored: { restored: [] }, deleted: { deleted: [photo.id] } });
        expect(await objectsLeft(photo)).toBe(0);
      }
    }
  });
});

describe("purgeExpiredTrash", () => {
  it("deletes, for every owner, what has been in Trash for the retention period, and nothing else", async () => {
    const [hana, ivan] = [await createUser("hana"), await createUser("ivan")];
    const now = new Date();
    const at = (daysAgo: number) => new Date(now.getTime() - daysAgo * DAY);
    const retention = env.TRASH_RETENTION_DAYS;
    const expired = [await createPhoto(hana.id), await createPhoto(ivan.id)];
    const fresh = await createPhoto(hana.id);
    const live = await createPhoto(hana.id);
    await createShareLink(hana.id, expired[0]!.id, { expiresIn: "never", allowDownload: false });
    for (const p of expired) await db.photo.update({ where: { id: p.id }, data: { deletedAt: at(retention) } });
    await db.photo.update({ where: { id: fresh.id }, data: { deletedAt: at(retention - 1) } });
    const ids = [...expired, fresh, live].map((p) => p.id);

    // A day before they expire, nothing goes.
    expect(await purgeExpiredTrash(at(1))).toEqual({ purged: 0 });
    expect(await db.photo.count({ where: { id: { in: ids } } })).toBe(4);
    expect(trashExpiresAt(at(retention)).getTime()).toBe(now.getTime());

    const { purged } = await purgeExpiredTrash(now);
    expect(purged).toBeGreaterThanOrEqual(2); // other files' leftovers past retention may go too
    expect((await db.photo.findMany({ where: { id: { in: ids } }, select: { id: true } })).map((p) => p.id).sort()).toEqual([fresh.id, live.id].sort());
    for (const p of expired) expect(await objectsLeft(p)).toBe(0);
    expect(await db.pendingDeletion.count({ where: { key: { in: expired.flatMap(keysOf) } } })).toBe(0);
    expect(await db.shareLink.count({ where: { photoId: expired[0]!.id } })).toBe(0);
    expect(await objectsPresent(fresh)).toEqual([true, true, true]);
    expect(await objectsPresent(live)).toEqual([true, true, true]);

    // The fresh one goes a day later.
    expect(await purgeExpiredTrash(new Date(now.getTime() + DAY))).toMatchObject({ purged: expect.any(Number) });
    expect(await db.photo.findUnique({ where: { id: fresh.id } })).toBeNull();
    expect(await objectsLeft(fresh)).toBe(0);
  });

  it("works through a trash larger than one batch", async () => {
    const judy = await createUser("judy");
    // Rows only, but for the first and the last (objects of all 205 would only slow the test down).
    const [first, last] = [await createPhoto(judy.id), await createPhoto(judy.id)];
    const template = { ownerId: judy.id, status: "READY" as const, displayName: "bulk.jpg", contentType: "image/jpeg", sizeBytes: 1n, uploadExpiresAt: new Date() };
    await db.photo.createMany({ data: Array.from({ length: 203 }, () => ({ ...template, id: randomUUID(), originalKey: originalKey(judy.id, randomUUID()) })) });
    await db.photo.updateMany({ where: { ownerId: judy.id }, data: { deletedAt: new Date(Date.now() - (env.TRASH_RETENTION_DAYS + 1) * DAY) } });
    await db.photo.update({ where: { id: last.id }, data: { deletedAt: new Date(Date.now() - env.TRASH_RETENTION_DAYS * DAY - 1) } });

    expect((await purgeExpiredTrash(new Date())).purged).toBeGreaterThanOrEqual(205);
    expect(await db.photo.count({ where: { ownerId: judy.id } })).toBe(0);
    expect(await objectsLeft(first)).toBe(0);
    expect(await objectsLeft(last)).toBe(0);
  });
});

describe("another owner", () => {
  let kim: User;
  let leo: User;
  let kimTrashed: Photo;
  let kimLive: Photo;

  /** Everything of Kim's an attempt could touch: rows (with updatedAt), links and objects. */
  async function kimState() {
    const photos = await db.photo.findMany({ where: { ownerId: kim.id }, orderBy: { id: "asc" } });
    const links = await db.shareLink.findMany({ where: { ownerId: kim.id }, orderBy: { id: "asc" } });
    const objects = await Promise.all([kimTrashed, kimLive].map(objectsPresent));
    return JSON.stringify({ photos, links, objects }, (_, v: unknown) => (typeof v === "bigint" ? v.toString() : v));
  }

  beforeAll(async () => {
    kim = await createUser("kim");
    leo = await createUser("leo");
    kimTrashed = await createPhoto(kim.id);
    kimLive = await createPhoto(kim.id);
    await createShareLink(kim.id, kimTrashed.id, { expiresIn: "7d", allowDownload: false });
    await moveToTrash(kim.id, [kimTrashed.id]);
    await createPhoto(leo.id);
    session.user = leo;
  });

  it("cannot see, restore, delete forever, empty or trash Kim's photos", async () => {
    const before = await kimState();
    const ids = [kimTrashed.id, kimLive.id];
    expect(await listTrash(leo.id)).toEqual({ tiles: [], total: 0 });
    expect(await restorePhotosAction({ photoIds: ids })).toEqual({ ok: true, data: { restored: [] } });
    expect(await deleteFromTrashAction({ photoIds: ids })).toEqual({ ok: true, data: { deleted: [] } });
    expect(await emptyTrashAction({ trashedUpTo: new Date().toISOString() })).toEqual({ ok: true, data: { deleted: 0 } });
    expect(await deletePhotosAction({ photoIds: ids })).toEqual({ ok: true, data: { trashed: [], deleted: [] } });
    expect(await kimState()).toBe(before);
    // Kim's own calls work (so the nothing above is about ownership).
    expect((await listTrash(kim.id)).tiles.map((t) => t.id)).toEqual([kimTrashed.id]);
  });
});
