/**
 * Albums against the real PostgreSQL (PGlite or DATABASE_URL) of the integration setup:
 * the album feed (order, keyset pages, only live READY photos), the sortAt trigger,
 * covers and summaries; and ownership: every album action and route, called by a
 * second account with the first one's album and photo ids, answers "not found" or
 * leaves the ids out, and changes nothing of the first account's.
 * Only the session lookup is stubbed; the actions' and routes' own code runs.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NextRequest } from "next/server";

const session = vi.hoisted(() => ({ user: undefined as { id: string; email: string; name: string } | undefined }));
vi.mock("@/lib/auth/session", () => ({ getSessionUser: async () => session.user }));

import { db } from "@/lib/db";
import { addPhotosToAlbum, createAlbum, deleteAlbum, removePhotosFromAlbum, setAlbumCover } from "@/lib/albums/mutations";
import { getAlbumNeighbours, listAlbumPhotoPage, listAlbums, listAlbumsOfPhoto } from "@/lib/albums/queries";
import { moveToTrash, restorePhotos } from "@/lib/photos/trash";
import {
  addPhotosToAlbumAction,
  createAlbumAction,
  deleteAlbumAction,
  listAlbumChoicesAction,
  removePhotosFromAlbumAction,
  setAlbumCoverAction,
  updateAlbumAction,
} from "@/app/(gallery)/albums/actions";
import { GET as albumPhotosRoute } from "@/app/(gallery)/albums/[id]/photos/route";
import { createAlbumShareLinkAction, revokeAllAlbumShareLinksAction, signAlbumDownloadAction } from "@/app/(gallery)/albums/[id]/actions";
import { revokeShareLinkAction } from "@/app/(gallery)/photos/[id]/actions";
import { signAlbumDownloadBatch } from "@/lib/albums/download";
import { createAlbumShareLink, getPublicAlbumShare, listShareLinksForAlbum, revokeAllAlbumShareLinks } from "@/lib/shares/album-links";
import { checkSharePassword, getPublicShare } from "@/lib/shares/queries";
import { createUser, removeSeededUsers } from "../helpers/seed";

type User = { id: string; email: string; name: string };

async function createPhoto(ownerId: string, sortAt: Date, status: "READY" | "PENDING" = "READY") {
  const id = randomUUID();
  return db.photo.create({
    data: {
      id,
      ownerId,
      status,
      originalKey: `users/${ownerId}/${id}/original`,
      thumbKey: `users/${ownerId}/${id}/thumb.webp`,
      largeKey: `users/${ownerId}/${id}/large.webp`,
      displayName: `photo-${sortAt.toISOString()}.jpg`,
      contentType: "image/jpeg",
      sizeBytes: 1000n,
      width: 400,
      height: 300,
      sortAt,
      uploadExpiresAt: new Date(Date.now() + 3600_000),
    },
  });
}

let alice: User;
let bob: User;
const T0 = Date.UTC(2024, 5, 12, 10);

beforeAll(async () => {
  alice = await createUser("album-alice");
  bob = await createUser("album-bob");
});
afterAll(removeSeededUsers);

describe("the album feed", () => {
  it("lists the album's live READY photos newest first, page by page, and nothing else", async () => {
    const photos = await Promise.all(Array.from({ length: 7 }, (_, i) => createPhoto(alice.id, new Date(T0 + i * 60_000))));
    // Same sortAt twice: the photo id breaks the tie, so no page repeats or skips one.
    photos.push(await createPhoto(alice.id, new Date(T0 + 3 * 60_000)));
    const notInAlbum = await createPhoto(alice.id, new Date(T0 + 30 * 60_000));
    const pending = await createPhoto(alice.id, new Date(T0 + 31 * 60_000), "PENDING");
    const album = await createAlbum(alice.id, { title: "Trip", description: null, photoIds: [...photos.map((p) => p.id), pending.id] });
    expect(album.added).toBe(9);

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await listAlbumPhotoPage(alice.id, album.id, { cursor, limit: 3 });
      seen.push(...page.tiles.map((t) => t.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    const expected = [...photos].sort((a, b) => b.sortAt.getTime() - a.sortAt.getTime() || (a.id < b.id ? 1 : -1)).map((p) => p.id);
    expect(seen).toEqual(expected);
    expect(seen).not.toContain(notInAlbum.id);
    expect(seen).not.toContain(pending.id);

    // Trashed: gone from the album at once; restored: back. Removed from the album: gone, still in the library.
    await moveToTrash(alice.id, [expected[0]!]);
    expect((await listAlbumPhotoPage(alice.id, album.id)).tiles.map((t) => t.id)).not.toContain(expected[0]);
    await restorePhotos(alice.id, [expected[0]!]);
    expect((await listAlbumPhotoPage(alice.id, album.id)).tiles[0]!.id).toBe(expected[0]);
    await removePhotosFromAlbum(alice.id, album.id, [expected[1]!]);
    expect((await listAlbumPhotoPage(alice.id, album.id)).tiles.map((t) => t.id)).not.toContain(expected[1]);
    expect(await db.photo.count({ where: { id: expected[1] } })).toBe(1);

    // Neighbours inside the album skip what is not in it.
    const middle = await getAlbumNeighbours(album.id, expected[2]!);
    expect(middle).toEqual({ previous: { id: expected[0], name: expect.any(String) }, next: { id: expected[3], name: expect.any(String) } });
    expect(await getAlbumNeighbours(album.id, notInAlbum.id)).toBeUndefined();
  });

  it("follows a photo whose place in the timeline changes after it joined the album (processing sets takenAt)", async () => {
    const early = await createPhoto(alice.id, new Date(T0));
    const late = await createPhoto(alice.id, new Date(T0 + 1000), "PENDING");
    const album = await createAlbum(alice.id, { title: "Order", description: null, photoIds: [early.id, late.id] });
    await db.photo.update({ where: { id: late.id }, data: { status: "READY", sortAt: new Date(T0 - 86_400_000) } });
    expect((await listAlbumPhotoPage(alice.id, album.id)).tiles.map((t) => t.id)).toEqual([early.id, late.id]);
  });

  it("summarises albums: live count, date range, cover (newest by default, chosen, back to newest when the chosen one is trashed)", async () => {
    const older = await createPhoto(alice.id, new Date(Date.UTC(2023, 11, 30)));
    const newer = await createPhoto(alice.id, new Date(Date.UTC(2024, 0, 2)));
    const album = await createAlbum(alice.id, { title: "New year", description: "Fireworks", photoIds: [older.id, newer.id] });
    const summary = () => listAlbums(alice.id).then((all) => all.find((a) => a.id === album.id)!);
    expect(await summary()).toMatchObject({ photoCount: 2, firstAt: older.sortAt.toISOString(), lastAt: newer.sortAt.toISOString(), cover: { id: newer.id } });
    await setAlbumCover(alice.id, album.id, older.id);
    expect((await summary()).cover?.id).toBe(older.id);
    await moveToTrash(alice.id, [older.id]);
    expect(await summary()).toMatchObject({ photoCount: 1, cover: { id: newer.id } });
    expect(await listAlbumsOfPhoto(alice.id, newer.id)).toEqual([{ id: album.id, title: "New year" }]);

    await deleteAlbum(alice.id, album.id);
    expect(await db.photo.count({ where: { id: { in: [older.id, newer.id] } } })).toBe(2);
    expect(await listAlbumsOfPhoto(alice.id, newer.id)).toEqual([]);
  });

  it("lets a photo be in many albums, and adding twice adds it once", async () => {
    const photo = await createPhoto(alice.id, new Date(T0));
    const a = await createAlbum(alice.id, { title: "A", description: null, photoIds: [photo.id] });
    const b = await createAlbum(alice.id, { title: "B", description: null, photoIds: [photo.id] });
    expect(await addPhotosToAlbum(alice.id, a.id, [photo.id])).toEqual({ added: 0 });
    expect((await listAlbumsOfPhoto(alice.id, photo.id)).map((x) => x.id).sort()).toEqual([a.id, b.id].sort());
  });
});

describe("album ownership: Bob with Alice's ids", () => {
  let albumId: string;
  let alicePhoto: { id: string };
  let before: string;

  const aliceState = async () =>
    JSON.stringify(
      await db.album.findMany({ where: { ownerId: alice.id }, include: { entries: { orderBy: { photoId: "asc" } } }, orderBy: { id: "asc" } }),
    );

  beforeAll(async () => {
    alicePhoto = await createPhoto(alice.id, new Date(T0));
    albumId = (await createAlbum(alice.id, { title: "Private", description: "Alice's", photoIds: [alicePhoto.id] })).id;
    before = await aliceState();
    session.user = bob;
  });

  const notFound = { ok: false, error: { code: "not_found", message: "Album not found." } };

  it("every album action answers not_found and changes nothing", async () => {
    expect(await updateAlbumAction({ albumId, title: "Mine now", description: "" })).toEqual(notFound);
    expect(await deleteAlbumAction({ albumId })).toEqual(notFound);
    expect(await addPhotosToAlbumAction({ albumId, photoIds: [alicePhoto.id] })).toEqual(notFound);
    expect(await removePhotosFromAlbumAction({ albumId, photoIds: [alicePhoto.id] })).toEqual(notFound);
    expect(await setAlbumCoverAction({ albumId, photoId: alicePhoto.id })).toEqual(notFound);
    expect(await setAlbumCoverAction({ albumId, photoId: null })).toEqual(notFound);
    expect(await aliceState()).toBe(before);
  });

  it("Bob's own album cannot take Alice's photos, nor use one as its cover", async () => {
    const created = await createAlbumAction({ title: "Bob's", photoIds: [alicePhoto.id] });
    expect(created).toMatchObject({ ok: true, data: { added: 0 } });
    const bobAlbum = created.ok ? created.data.id : "";
    expect(await addPhotosToAlbumAction({ albumId: bobAlbum, photoIds: [alicePhoto.id] })).toEqual({ ok: true, data: { added: 0 } });
    expect(await setAlbumCoverAction({ albumId: bobAlbum, photoId: alicePhoto.id })).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await db.albumPhoto.count({ where: { albumId: bobAlbum } })).toBe(0);
    expect(await aliceState()).toBe(before);
  });

  it("reads: the album list, the album feed route and the data layer show Bob nothing of Alice's", async () => {
    const choices = await listAlbumChoicesAction({});
    expect(choices.ok && choices.data.map((c) => c.id)).not.toContain(albumId);
    const response = await albumPhotosRoute(new NextRequest(`http://localhost/albums/${albumId}/photos`), { params: Promise.resolve({ id: albumId }) });
    expect(response.status).toBe(404);
    await expect(listAlbumPhotoPage(bob.id, albumId)).rejects.toMatchObject({ code: "not_found" });
    expect((await listAlbums(bob.id)).map((a) => a.id)).not.toContain(albumId);
    expect(await listAlbumsOfPhoto(bob.id, alicePhoto.id)).toEqual([]);
  });

  it("album share links and downloads: not found for Bob, nothing created or revoked", async () => {
    const aliceLink = await createAlbumShareLink(alice.id, albumId, { expiresIn: "7d", allowDownload: true, hideDetails: false });
    const links = () => db.shareLink.findMany({ where: { albumId }, orderBy: { id: "asc" } });
    const linksBefore = JSON.stringify(await links());
    expect(await createAlbumShareLinkAction({ albumId, expiresIn: "7d", allowDownload: true })).toEqual(notFound);
    expect(await revokeAllAlbumShareLinksAction({ albumId })).toEqual(notFound);
    expect(await revokeShareLinkAction({ shareId: aliceLink.id })).toMatchObject({ ok: false, error: { code: "not_found" } });
    expect(await signAlbumDownloadAction({ albumId, variant: "original" })).toEqual(notFound);
    await expect(listShareLinksForAlbum(bob.id, albumId)).rejects.toMatchObject({ code: "not_found" });
    await expect(revokeAllAlbumShareLinks(bob.id, albumId)).rejects.toMatchObject({ code: "not_found" });
    expect(JSON.stringify(await links())).toBe(linksBefore);
    expect(await aliceState()).toBe(before);
  });

  it("signed out: every action answers unauthenticated", async () => {
    session.user = undefined;
    expect(await deleteAlbumAction({ albumId })).toMatchObject({ ok: false, error: { code: "unauthenticated" } });
    const response = await albumPhotosRoute(new NextRequest(`http://localhost/albums/${albumId}/photos`), { params: Promise.resolve({ id: albumId }) });
    expect(response.status).toBe(401);
    expect(await aliceState()).toBe(before);
    session.user = bob;
  });
});

describe("album share links", () => {
  it("open while live; unknown, expired, revoked and photo tokens are all undefined; the password check works for album links", async () => {
    const photo = await createPhoto(alice.id, new Date(T0));
    const album = await createAlbum(alice.id, { title: "Shared", description: null, photoIds: [photo.id] });
    const link = await createAlbumShareLink(alice.id, album.id, { expiresIn: "1d", password: "open sesame", allowDownload: true, hideDetails: true });
    expect(await getPublicAlbumShare(link.token)).toMatchObject({ id: link.id, hasPassword: true, hideDetails: true, album: { id: album.id } });
    // An album token is no photo link, and the other way round.
    expect(await getPublicShare(link.token)).toBeUndefined();
    expect(await checkSharePassword(link.token, "open sesame")).toMatchObject({ expiresAt: expect.any(Date) });
    expect(await checkSharePassword(link.token, "open sesam")).toBeUndefined();
    expect(await getPublicAlbumShare("A".repeat(43))).toBeUndefined();

    await db.shareLink.update({ where: { id: link.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await getPublicAlbumShare(link.token)).toBeUndefined();
    await db.shareLink.update({ where: { id: link.id }, data: { expiresAt: null } });
    expect(await getPublicAlbumShare(link.token)).toBeDefined();
    expect(await revokeAllAlbumShareLinks(alice.id, album.id)).toEqual({ revoked: 1 });
    expect(await getPublicAlbumShare(link.token)).toBeUndefined();
  });

  it("download batches sign only the album's live photos, with names hidden when the link hides them", async () => {
    const kept = await createPhoto(alice.id, new Date(T0));
    const removed = await createPhoto(alice.id, new Date(T0 + 1));
    const trashed = await createPhoto(alice.id, new Date(T0 + 2));
    const album = await createAlbum(alice.id, { title: "Batch", description: null, photoIds: [kept.id, removed.id, trashed.id] });
    await removePhotosFromAlbum(alice.id, album.id, [removed.id]);
    await moveToTrash(alice.id, [trashed.id]);
    const shown = await signAlbumDownloadBatch(album.id, { variant: "original", hideDetails: false });
    expect(shown.entries.map((e) => e.photoId)).toEqual([kept.id]);
    expect(shown.entries[0]).toMatchObject({ name: kept.displayName, extension: "jpg", size: 1000 });
    expect(new URL(shown.entries[0]!.url).pathname).toContain(kept.originalKey);
    const hidden = await signAlbumDownloadBatch(album.id, { variant: "web", hideDetails: true });
    expect(hidden.entries[0]).toMatchObject({ name: null, extension: "webp", takenAt: null, size: null });
    expect(new URL(hidden.entries[0]!.url).pathname).toContain(kept.largeKey!);
  });
});
