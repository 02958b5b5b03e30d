/**
 * Another person's ids in every operation the actions expose, and replays of the
 * upload flow (double complete, resume of someone else's upload). Each refusal
 * must look like "not found" and leave the owner's photo, objects and links as
 * they were. The same actions over HTTP, with real sessions, are in http.test.ts.
 */
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { deletePhotos } from "@/lib/photos/delete";
import { processPhoto } from "@/lib/photos/processing";
import { getPhotoOrThrow } from "@/lib/photos/queries";
import { deleteFromTrash, emptyTrash, listTrash, moveToTrash, restorePhotos } from "@/lib/photos/trash";
import { cancelUpload, completeUpload, createUploads, getUploadStatuses, signParts } from "@/lib/photos/uploads";
import { createShareLink, revokeAllShareLinks, revokeShareLink } from "@/lib/shares/mutations";
import { getPublicShare, listShareLinksForPhoto } from "@/lib/shares/queries";
import { createUser, expectNoJunk, fixture, objectKeys, put, removeUsers, upload } from "./support/data";

const users: string[] = [];
let alice: string;
let bob: string;
const jpeg = fixture("camera-gps-landscape.jpg");

beforeEach(async () => {
  alice = (await createUser("alice-own")).id;
  bob = (await createUser("bob-own")).id;
  users.push(alice, bob);
});

afterAll(() => removeUsers(users));

const notFound = { code: "not_found" };

describe("someone else's photo id", () => {
  it("is 'not found' in every action and query, and changes nothing of the owner's", async () => {
    const photo = await upload(alice, { name: "alice.jpg", type: "image/jpeg", body: jpeg });
    const link = await createShareLink(alice, photo.id, { expiresIn: "7d", allowDownload: true });
    const [pending] = await createUploads(alice, [{ name: "pending.jpg", type: "image/jpeg", size: jpeg.length }]);
    const [multipart] = await createUploads(alice, [{ name: "big.jpg", type: "image/jpeg", size: 40 * 1024 * 1024 }]);
    if (!pending?.ok || !multipart?.ok) throw new Error("presign failed");
    const before = await objectKeys(alice);

    await expect(getPhotoOrThrow(bob, photo.id)).rejects.toMatchObject(notFound);
    await expect(completeUpload(bob, pending.photoId)).rejects.toMatchObject(notFound);
    await expect(signParts(bob, multipart.photoId, [1, 2])).rejects.toMatchObject(notFound);
    await expect(createShareLink(bob, photo.id, { expiresIn: "never", allowDownload: true })).rejects.toMatchObject(notFound);
    await expect(revokeShareLink(bob, link.id)).rejects.toMatchObject({ code: "not_found" });
    await expect(revokeAllShareLinks(bob, photo.id)).rejects.toMatchObject(notFound);
    await expect(listShareLinksForPhoto(bob, photo.id)).rejects.toMatchObject(notFound);
    expect(await deletePhotos(bob, [photo.id, pending.photoId, multipart.photoId])).toEqual({ deleted: [] });
    expect(await moveToTrash(bob, [photo.id, pending.photoId, multipart.photoId])).toEqual({ trashed: [], deleted: [] });
    await cancelUpload(bob, pending.photoId);
    await cancelUpload(bob, multipart.photoId);
    expect(await getUploadStatuses(bob, [photo.id, pending.photoId])).toEqual([]);

    // Alice's world is exactly as it was.
    expect(await objectKeys(alice)).toEqual(before);
    expect((await getPublicShare(link.token))?.photo.id).toBe(photo.id);
    expect(await db.photo.count({ where: { ownerId: alice } })).toBe(3);
    expect((await signParts(alice, multipart.photoId, [1])).length).toBe(1);
    await expectNoJunk(bob);

    await cancelUpload(alice, pending.photoId);
    await cancelUpload(alice, multipart.photoId);
    await expectNoJunk(alice, { READY: 1 });
  });

  it("as resumePhotoId starts a fresh upload for the caller and never hands out the owner's upload", async () => {
    const [multipart] = await createUploads(alice, [{ name: "big.jpg", type: "image/jpeg", size: 40 * 1024 * 1024 }]);
    if (!multipart?.ok) throw new Error("presign failed");
    const [plan] = await createUploads(bob, [{ name: "big.jpg", type: "image/jpeg", size: 40 * 1024 * 1024, resumePhotoId: multipart.photoId }]);
    expect(plan).toMatchObject({ ok: true, mode: "multipart" });
    expect((plan as { photoId: string }).photoId).not.toBe(multipart.photoId);
    expect(await db.photo.findUniqueOrThrow({ where: { id: (plan as { photoId: string }).photoId } })).toMatchObject({ ownerId: bob });
    await cancelUpload(bob, (plan as { photoId: string }).photoId);
    await cancelUpload(alice, multipart.photoId);
    await expectNoJunk(alice);
    await expectNoJunk(bob);
  });
});

describe("someone else's photo in Trash", () => {
  it("cannot be seen, restored, deleted for good or emptied by anyone but its owner", async () => {
    const photo = await upload(alice, { name: "trashed.jpg", type: "image/jpeg", body: jpeg });
    const link = await createShareLink(alice, photo.id, { expiresIn: "7d", allowDownload: true });
    expect(await moveToTrash(alice, [photo.id])).toEqual({ trashed: [photo.id], deleted: [] });
    const before = await objectKeys(alice);

    expect(await listTrash(bob)).toEqual({ tiles: [], total: 0 });
    expect(await restorePhotos(bob, [photo.id])).toEqual({ restored: [] });
    expect(await deleteFromTrash(bob, [photo.id])).toEqual({ deleted: [] });
    expect(await emptyTrash(bob, new Date())).toEqual({ deleted: 0 });
    await expect(getPhotoOrThrow(bob, photo.id)).rejects.toMatchObject(notFound);

    // Still in Alice's Trash, whole; her restore brings it and its link back.
    expect(await objectKeys(alice)).toEqual(before);
    expect((await listTrash(alice)).tiles.map((t) => t.id)).toEqual([photo.id]);
    expect(await getPublicShare(link.token)).toBeUndefined();
    expect(await restorePhotos(alice, [photo.id])).toEqual({ restored: [photo.id] });
    expect((await getPublicShare(link.token))?.photo.id).toBe(photo.id);
    await expectNoJunk(bob);
    await expectNoJunk(alice, { READY: 1 });
  });
});

describe("replays", () => {
  it("completing twice (one after the other) verifies and processes once", async () => {
    const [plan] = await createUploads(alice, [{ name: "twice.jpg", type: "image/jpeg", size: jpeg.length }]);
    expect((await put(plan!, jpeg)).status).toBe(200);
    const photoId = (plan as { photoId: string }).photoId;
    const first = await completeUpload(alice, photoId);
    const second = await completeUpload(alice, photoId);
    expect(first).toMatchObject({ status: "PROCESSING", startedProcessing: true });
    expect(second).toMatchObject({ status: "PROCESSING", startedProcessing: false });
    await processPhoto(photoId);
    const third = await completeUpload(alice, photoId);
    expect(third.status).toBe("READY");
    await expectNoJunk(alice, { READY: 1 });
  });

  it("completing five times at once claims the upload once, and processing it twice at once leaves one photo", async () => {
    const [plan] = await createUploads(alice, [{ name: "race.jpg", type: "image/jpeg", size: jpeg.length }]);
    expect((await put(plan!, jpeg)).status).toBe(200);
    const photoId = (plan as { photoId: string }).photoId;
    const outcomes = await Promise.all(Array.from({ length: 5 }, () => completeUpload(alice, photoId)));
    expect(outcomes.filter((o) => o.startedProcessing).length).toBe(1);
    expect(outcomes.every((o) => o.status !== "FAILED")).toBe(true);
    await Promise.all([processPhoto(photoId), processPhoto(photoId)]);
    expect(await db.photo.findUniqueOrThrow({ where: { id: photoId } })).toMatchObject({ status: "READY" });
    await expectNoJunk(alice, { READY: 1 });
  });

  it("completing a cancelled or deleted upload is 'not found', and re-sending its bytes leaves nothing for long", async () => {
    const [plan] = await createUploads(alice, [{ name: "gone.jpg", type: "image/jpeg", size: jpeg.length }]);
    const photoId = (plan as { photoId: string }).photoId;
    await cancelUpload(alice, photoId);
    // The URL is still valid for minutes: the bytes land, but belong to no row.
    expect((await put(plan!, jpeg)).status).toBe(200);
    await expect(completeUpload(alice, photoId)).rejects.toMatchObject(notFound);
    // The sweeper's orphan rule covers exactly this: an object with no row.
    const { sweep } = await import("@/lib/sweeper");
    const later = new Date(Date.now() + 6 * 60_000);
    const report = await sweep({ fix: false, now: later });
    expect(report.orphanObjects).toBeGreaterThanOrEqual(1);
    // Forced: the run's shared bucket may hold more leftovers of other files than the brake lets one run move.
    await sweep({ fix: true, force: true, now: later });
    await expectNoJunk(alice);
  });
});
