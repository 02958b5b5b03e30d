import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { test, expect, type Route } from "@playwright/test";
import { noisyPng } from "../helpers/big-image";
import { newAccount, signUpThroughApi } from "./helpers";
import { chooseFiles, expectThumbnailLoaded, partNumberOf, photoRowsOf, storageOrigin, storedStatus, uploadSummary } from "./upload-helpers";

const MiB = 1024 * 1024;
// The e2e server runs with the defaults (lib/env.ts) unless the environment says otherwise.
const THRESHOLD = Number(process.env.MULTIPART_THRESHOLD_BYTES || 32 * MiB);
const PART_BYTES = Number(process.env.MULTIPART_PART_BYTES || 8 * MiB);
const LIMIT = Number(process.env.UPLOAD_MAX_BYTES || 50 * MiB);

test.use({ storageState: { cookies: [], origins: [] } });

let dir: string;
test.beforeEach(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "snapshelf-resume-"));
});
test.afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

test("a large photo goes multipart, survives a reload half-way, and resumes with only the missing parts", async ({ page }) => {
  test.setTimeout(240_000);
  const account = newAccount("resume");
  await signUpThroughApi(page.request, account);

  // A real image between the multipart threshold and the upload limit, picked from disk
  // (the same file, with the same modification time, can then be picked again after the reload).
  const { bytes, width, height } = await noisyPng(Math.round((THRESHOLD + LIMIT) / 2));
  expect(bytes.length).toBeGreaterThan(THRESHOLD);
  expect(bytes.length).toBeLessThan(LIMIT);
  const file = path.join(dir, "panorama.png");
  await writeFile(file, bytes);
  const partCount = Math.ceil(bytes.length / PART_BYTES);

  // First visit: two part PUTs reach storage, the rest are held until the reload cuts them off.
  let phase: 1 | 2 = 1;
  let passes = 2;
  const held: Route[] = [];
  const requested: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const landed: Record<1 | 2, number[]> = { 1: [], 2: [] };
  const partOf = partNumberOf;
  await page.route(`${storageOrigin()}/**`, async (route) => {
    const partNumber = partOf(route.request().url());
    if (route.request().method() !== "PUT" || !partNumber) return route.continue();
    requested[phase].push(partNumber);
    if (phase === 1 && passes-- <= 0) return void held.push(route);
    await route.continue();
  });
  const requestPhase = new WeakMap<object, 1 | 2>();
  page.on("request", (request) => requestPhase.set(request, phase));
  page.on("response", (response) => {
    const request = response.request();
    const partNumber = partOf(request.url());
    if (request.method() === "PUT" && partNumber && response.status() === storedStatus()) landed[requestPhase.get(request) ?? phase].push(partNumber);
  });

  await page.goto("/");
  await chooseFiles(page, file);
  await expect.poll(() => landed[1].length, { timeout: 60_000 }).toBe(2);
  await expect.poll(() => held.length).toBeGreaterThan(0);
  expect(await photoRowsOf(account.email)).toEqual([{ displayName: "panorama.png", status: "PENDING", multipartUploadId: expect.any(String) }]);

  // Reload mid-upload, then pick the same file again. Until the new page is there, the old
  // one may still start part PUTs: they are held too, and cut off by the reload.
  await page.reload();
  phase = 2;
  await Promise.all(held.map((route) => route.abort().catch(() => {})));
  await chooseFiles(page, file);

  await expect(uploadSummary(page)).toHaveText("1 of 1 uploaded", { timeout: 120_000 });
  await expectThumbnailLoaded(page, "panorama.png");

  // Only the parts storage did not have were sent again, and together they make the whole file.
  const log = JSON.stringify({ partCount, requested, landed });
  expect(requested[2].length, log).toBeLessThan(partCount);
  expect(requested[2].filter((n) => landed[1].includes(n)), log).toEqual([]);
  expect([...landed[1], ...landed[2]].sort((a, b) => a - b), log).toEqual(Array.from({ length: partCount }, (_, i) => i + 1));
  // The same photo was resumed (no second row), and it is complete.
  expect(await photoRowsOf(account.email)).toEqual([{ displayName: "panorama.png", status: "READY", multipartUploadId: null }]);
  expect(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("snapshelf:upload:")))).toEqual([]);

  await page.getByRole("img", { name: "panorama.png" }).click();
  await expect(page.getByText(`${width} × ${height} px`)).toBeVisible();
});

test("a part whose signed URL has expired by its turn is signed again, and the upload completes", async ({ page }) => {
  test.setTimeout(180_000);
  const account = newAccount("expired-part");
  await signUpThroughApi(page.request, account);
  const { bytes } = await noisyPng(THRESHOLD + PART_BYTES);
  const file = path.join(dir, "late.png");
  await writeFile(file, bytes);

  // Storage's answer to a URL past its X-Amz-Expires (or an expired SAS), for part 2's first attempt only.
  const urlsTried: string[] = [];
  let refused = false;
  await page.route(`${storageOrigin()}/**`, async (route) => {
    const request = route.request();
    if (request.method() !== "PUT" || partNumberOf(request.url()) !== 2) return route.continue();
    urlsTried.push(request.url());
    if (refused) return route.continue();
    refused = true;
    await route.fulfill({
      status: 403,
      headers: { "Access-Control-Allow-Origin": new URL(page.url()).origin, "Content-Type": "application/xml" },
      body: "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
    });
  });

  await page.goto("/");
  await chooseFiles(page, file);
  await expect(uploadSummary(page)).toHaveText("1 of 1 uploaded", { timeout: 120_000 });
  await expectThumbnailLoaded(page, "late.png");
  // A 403 is not retried as such (it would fail the same way): the part went again only because it was signed again.
  expect(urlsTried).toHaveLength(2);
  expect(await photoRowsOf(account.email)).toEqual([{ displayName: "late.png", status: "READY", multipartUploadId: null }]);
});
