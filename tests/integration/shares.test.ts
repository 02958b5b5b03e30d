/**
 * Share links against the real PostgreSQL (and the embedded S3 for URLs and
 * deletes) that the integration global setup provides. Users and photos are
 * inserted directly: these tests are about links, not uploads.
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { deletePhotos } from "@/lib/photos/delete";
import { originalKey, variantKey } from "@/lib/photos/keys";
import { getNeighbours } from "@/lib/photos/queries";
import { createShareLink, recordShareView, revokeAllShareLinks, revokeShareLink } from "@/lib/shares/mutations";
import { checkSharePassword, getPublicShare, listActiveShareLinks, listShareLinksForPhoto } from "@/lib/shares/queries";
import { createShareToken } from "@/lib/shares/tokens";
import { isShareUnlocked, isShareUnlockProofValid, shareUnlockCookieOptions, shareUnlockProof } from "@/lib/shares/unlock";

const createdUsers: string[] = [];

async function createUser(label: string) {
  const id = randomUUID();
  createdUsers.push(id);
  return db.user.create({ data: { id, name: `Test ${label}`, email: `${label}-${id.slice(0, 8)}@example.test` } });
}

async function createPhoto(ownerId: string, overrides: { status?: "READY" | "PROCESSING"; sortAt?: Date; name?: string } = {}) {
  const id = randomUUID();
  const ready = (overrides.status ?? "READY") === "READY";
  return db.photo.create({
    data: {
      id,
      ownerId,
      status: overrides.status ?? "READY",
      originalKey: originalKey(ownerId, id),
      thumbKey: ready ? variantKey(ownerId, id, "thumb") : null,
      largeKey: ready ? variantKey(ownerId, id, "large") : null,
      displayName: overrides.name ?? "beach.jpg",
      contentType: "image/jpeg",
      sizeBytes: 123_456n,
      width: 4000,
      height: 3000,
      thumbhash: null,
      sortAt: overrides.sortAt ?? new Date(),
      uploadExpiresAt: new Date(Date.now() + 3600_000),
    },
  });
}

async function expectNotFound(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("not_found");
}

const open = { expiresIn: "7d", allowDownload: false } as const;

let alice: { id: string };
let bob: { id: string };

beforeAll(async () => {
  alice = await createUser("alice");
  bob = await createUser("bob");
});

afterAll(async () => {
  await db.user.deleteMany({ where: { id: { in: createdUsers } } });
});

describe("share links", () => {
  it("open the photo through getPublicShare while live", async () => {
    const photo = await createPhoto(alice.id, { name: "sunset.jpg" });
    const link = await createShareLink(alice.id, photo.id, { expiresIn: "1h", allowDownload: true });

    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(link.hasPassword).toBe(false);
    expect(new Date(link.expiresAt!).getTime() - Date.now()).toBeGreaterThan(59 * 60_000);

    const share = await getPublicShare(link.token);
    expect(share).toMatchObject({ id: link.id, allowDownload: true, hasPassword: false, photo: { id: photo.id, displayName: "sunset.jpg" } });
    expect(await listShareLinksForPhoto(alice.id, photo.id)).toEqual([link]);
  });

  it("stop working once expired", async () => {
    const photo = await createPhoto(alice.id);
    const link = await createShareLink(alice.id, photo.id, open);
    await db.shareLink.update({ where: { id: link.id }, data: { expiresAt: new Date(Date.now() - 1000) } });

    expect(await getPublicShare(link.token)).toBeUndefined();
    expect(await listShareLinksForPhoto(alice.id, photo.id)).toEqual([]);
    expect((await listActiveShareLinks(alice.id)).map((l) => l.id)).not.toContain(link.id);
  });

  it("never expire when created with 'never'", async () => {
    const photo = await createPhoto(alice.id);
    const link = await createShareLink(alice.id, photo.id, { expiresIn: "never", allowDownload: false });
    expect(link.expiresAt).toBeNull();
    expect(await getPublicShare(link.token)).toBeDefined();
  });

  it("stop working once revoked, and revoking twice is harmless", async () => {
    const photo = await createPhoto(alice.id);
    const link = await createShareLink(alice.id, photo.id, open);
    const other = await createShareLink(alice.id, photo.id, open);

    expect(await revokeShareLink(alice.id, link.id)).toEqual({ id: link.id, photoId: photo.id });
    expect(await revokeShareLink(alice.id, link.id)).toEqual({ id: link.id, photoId: photo.id });
    expect(await getPublicShare(link.token)).toBeUndefined();
    expect(await getPublicShare(other.token)).toBeDefined();
    expect((await listShareLinksForPhoto(alice.id, photo.id)).map((l) => l.id)).toEqual([other.id]);
  });

  it("can all be revoked at once for one photo, leaving other photos' links alone", async () => {
    const photo = await createPhoto(alice.id);
    const elsewhere = await createPhoto(alice.id);
    const links = await Promise.all([1, 2, 3].map(() => createShareLink(alice.id, photo.id, open)));
    const kept = await createShareLink(alice.id, elsewhere.id, open);

    expect(await revokeAllShareLinks(alice.id, photo.id)).toEqual({ revoked: 3 });
    for (const link of links) expect(await getPublicShare(link.token)).toBeUndefined();
    expect(await getPublicShare(kept.token)).toBeDefined();
    expect(await revokeAllShareLinks(alice.id, photo.id)).toEqual({ revoked: 0 });
  });

  it("give nothing for an unknown or malformed token", async () => {
    expect(await getPublicShare(createShareToken())).toBeUndefined();
    expect(await getPublicShare("not-a-token")).toBeUndefined();
    expect(await getPublicShare("")).toBeUndefined();
  });

  it("give nothing while the photo is not READY, and cannot be created for it", async () => {
    const photo = await createPhoto(alice.id);
    const link = await createShareLink(alice.id, photo.id, open);
    await db.photo.update({ where: { id: photo.id }, data: { status: "PROCESSING" } });
    expect(await getPublicShare(link.token)).toBeUndefined();

    const pending = await createPhoto(alice.id, { status: "PROCESSING" });
    await expect(createShareLink(alice.id, pending.id, open)).rejects.toMatchObject({ code: "conflict" });
  });

  it("check a password: right opens, wrong and missing do not", async () => {
    const photo = await createPhoto(alice.id);
    const locked = await createShareLink(alice.id, photo.id, { ...open, password: "open sesame" });
    const unlocked = await createShareLink(alice.id, photo.id, open);

    expect(locked.hasPassword).toBe(true);
    const row = await db.shareLink.findUniqueOrThrow({ where: { id: locked.id } });
    expect(row.passwordHash).toMatch(/^scrypt\$/);
    expect(row.passwordHash).not.toContain("open sesame");

    expect(await checkSharePassword(locked.token, "open sesame")).toEqual({ expiresAt: row.expiresAt });
    expect(await checkSharePassword(locked.token, "open sesam")).toBeUndefined();
    expect(await checkSharePassword(unlocked.token, "anything")).toBeUndefined();
    expect(await checkSharePassword(createShareToken(), "open sesame")).toBeUndefined();

    await revokeShareLink(alice.id, locked.id);
    expect(await checkSharePassword(locked.token, "open sesame")).toBeUndefined();
  });

  it("unlock only with a cookie minted for that very token", async () => {
    const photo = await createPhoto(alice.id);
    const locked = await createShareLink(alice.id, photo.id, { ...open, password: "open sesame" });
    const share = (await getPublicShare(locked.token))!;
    const proof = shareUnlockProof(locked.token);

    expect(isShareUnlocked(share, proof)).toBe(true);
    expect(isShareUnlocked(share, undefined)).toBe(false);
    expect(isShareUnlocked(share, shareUnlockProof(createShareToken()))).toBe(false);
    expect(isShareUnlocked(share, `${proof.slice(0, -1)}${proof.endsWith("A") ? "B" : "A"}`)).toBe(false);
    expect(isShareUnlockProofValid(locked.token, "")).toBe(false);
    expect(isShareUnlocked({ ...share, hasPassword: false }, undefined)).toBe(true);

    const options = shareUnlockCookieOptions(locked.token, share.expiresAt);
    expect(options).toMatchObject({ httpOnly: true, sameSite: "lax", path: `/s/${locked.token}` });
    expect(options.maxAge).toBeLessThanOrEqual(7 * 24 * 3600);
  });

  it("count 20 concurrent views exactly", async () => {
    const photo = await createPhoto(alice.id);
    const link = await createShareLink(alice.id, photo.id, open);
    const before = Date.now();

    await Promise.all(Array.from({ length: 20 }, () => recordShareView(link.id)));

    const row = await db.shareLink.findUniqueOrThrow({ where: { id: link.id } });
    expect(row.viewCount).toBe(20);
    expect(row.lastViewedAt!.getTime()).toBeGreaterThanOrEqual(before - 1000);
    const [listed] = await listShareLinksForPhoto(alice.id, photo.id);
    expect(listed?.viewCount).toBe(20);
  });

  it("do not count views of a revoked link", async () => {
    const photo = await createPhoto(alice.id);
    const link = await createShareLink(alice.id, photo.id, open);
    await revokeShareLink(alice.id, link.id);
    await recordShareView(link.id);
    expect((await db.shareLink.findUniqueOrThrow({ where: { id: link.id } })).viewCount).toBe(0);
  });

  it("belong to their owner: another person can neither list, create nor revoke them", async () => {
    const photo = await createPhoto(alice.id);
    const link = await createShareLink(alice.id, photo.id, open);

    await expectNotFound(listShareLinksForPhoto(bob.id, photo.id));
    await expectNotFound(createShareLink(bob.id, photo.id, open));
    await expectNotFound(revokeShareLink(bob.id, link.id));
    await expectNotFound(revokeAllShareLinks(bob.id, photo.id));
    // A missing photo or link gives exactly the same answer.
    await expectNotFound(listShareLinksForPhoto(bob.id, randomUUID()));
    await expectNotFound(revokeShareLink(bob.id, randomUUID()));

    expect((await listActiveShareLinks(bob.id)).map((l) => l.id)).not.toContain(link.id);
    expect(await getPublicShare(link.token)).toBeDefined();
    expect(await db.shareLink.count({ where: { photoId: photo.id } })).toBe(1);
  });

  it("list every active link of the owner, newest first, with a thumbnail URL", async () => {
    const carol = await createUser("carol");
    const first = await createPhoto(carol.id, { name: "first.jpg" });
    const second = await createPhoto(carol.id, { name: "second.jpg" });
    const a = await createShareLink(carol.id, first.id, open);
    const b = await createShareLink(carol.id, second.id, { ...open, password: "secret" });
    const revoked = await createShareLink(carol.id, second.id, open);
    await revokeShareLink(carol.id, revoked.id);

    const links = await listActiveShareLinks(carol.id);
    expect(links.map((l) => l.id)).toEqual([b.id, a.id]);
    expect(links[0]).toMatchObject({ hasPassword: true, photo: { id: second.id, name: "second.jpg", width: 4000, height: 3000 } });
    expect(links[0]!.photo.thumbUrl).toContain(encodeURI(variantKey(carol.id, second.id, "thumb")).replace(/^\//, ""));
  });

  it("disappear with their photo", async () => {
    const photo = await createPhoto(alice.id);
    const links = await Promise.all([1, 2].map(() => createShareLink(alice.id, photo.id, open)));

    expect(await deletePhotos(alice.id, [photo.id])).toEqual({ deleted: [photo.id] });
    expect(await db.shareLink.count({ where: { photoId: photo.id } })).toBe(0);
    for (const link of links) expect(await getPublicShare(link.token)).toBeUndefined();
    await expectNotFound(createShareLink(alice.id, photo.id, open));
  });
});

describe("getNeighbours", () => {
  it("steps through the gallery order (sortAt desc, id desc), ties included, owner only", async () => {
    const dave = await createUser("dave");
    const t = (minutes: number) => new Date(Date.UTC(2024, 0, 1, 12, minutes));
    const newest = await createPhoto(dave.id, { sortAt: t(30) });
    // Two photos taken in the same second: ordered by id, descending.
    const [tieHigh, tieLow] = [await createPhoto(dave.id, { sortAt: t(20) }), await createPhoto(dave.id, { sortAt: t(20) })].sort((x, y) =>
      x.id < y.id ? 1 : -1,
    ) as [Awaited<ReturnType<typeof createPhoto>>, Awaited<ReturnType<typeof createPhoto>>];
    const oldest = await createPhoto(dave.id, { sortAt: t(10) });
    await createPhoto(dave.id, { sortAt: t(15), status: "PROCESSING" });
    await createPhoto(bob.id, { sortAt: t(25) });

    const ids = async (p: { id: string; sortAt: Date }) => {
      const n = await getNeighbours(dave.id, p);
      return [n.previous?.id ?? null, n.next?.id ?? null];
    };
    expect(await ids(newest)).toEqual([null, tieHigh.id]);
    expect(await ids(tieHigh)).toEqual([newest.id, tieLow.id]);
    expect(await ids(tieLow)).toEqual([tieHigh.id, oldest.id]);
    expect(await ids(oldest)).toEqual([tieLow.id, null]);
  });
});
